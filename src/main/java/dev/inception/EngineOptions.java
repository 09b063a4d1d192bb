package dev.inception;

import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;

/**
 * How to open an engine. Defaults: the ImageNet classifier, backend AUTO, fused plan, no taps, batches up to 32,
 * and the GPU's defaults ({@link Gpu#defaults()}).
 *
 * @param taps     keep the tap tensors (stem, mixed0..10, ...) readable after each forward pass: more arena memory,
 *                 needed by {@link InceptionV3Engine#taps}
 * @param maxBatch the largest batch one forward pass takes; the GPU sizes its arena from it
 * @param device   GPU ordinal, for the GPU backend
 * @param gpu      how the GPU backend computes (the CPU backends compute in float32, one step after another, and
 *                 refuse another precision: {@link Precision#requireComputedBy})
 */
public record EngineOptions(InceptionV3.Options model, Backend backend, Lowering lowering, boolean taps,
                            int maxBatch, int device, Gpu gpu) {

    /**
     * The GPU executor's switches, each measurable on and off (docs/PERFORMANCE.md).
     *
     * @param precision      arithmetic: FP32 (tensor cores off), TF32, FP16 or BF16
     * @param cudaGraphs     from the second forward pass at a batch size on, replay the pass as one captured CUDA
     *                       graph instead of launching its ~300 calls one by one
     * @param branchStreams  run the branches of each mixed block on their own streams at the same time (the plan's
     *                       arena then keeps the branches' tensors apart)
     * @param copyFreeConcat each branch's last step writes straight into its channel slice of the block output
     *                       (strided descriptors), and the concatenation copies nothing; off by default until a GPU
     *                       run has shown cuDNN takes the strided outputs at speed
     * @param cudnnPooling   pool with cuDNN's cudnnPoolingForward instead of this project's NHWC kernels
     *                       (kernels/pooling.cu): off by default, there to measure what the kernels save
     * @param streamsMaxBatch with branch streams on, the largest batch that uses them; larger batches run every step
     *                       on one stream, since each convolution then fills the GPU alone (on the H200, fp16:
     *                       streams 2.75x faster at batch 1, 1.57x at 8, 14% slower at 32)
     * @param cudnnEngines   fp16 and bf16: for each fused convolution, build this many of the execution plans cuDNN's
     *                       backend API ranks first for conv + bias + ReLU, time them, and run the fastest where it
     *                       beats the legacy algorithm; 0 (the default until a GPU run has measured it) keeps the
     *                       legacy API's cudnnFind choices only
     * @param biasReluKernel run each fused convolution as cudnnConvolutionForward followed by this project's bias +
     *                       ReLU kernel (kernels/bias_relu.cu) instead of cudnnConvolutionBiasActivationForward: off
     *                       by default until a GPU run has measured it
     * @param gemm1x1        time each 1x1 convolution also as one cuBLAS GEMM over the NHWC pixels (followed by the
     *                       bias + ReLU kernel where fused), and run it so where it beats cuDNN's choice: off by
     *                       default until a GPU run has measured it
     * @param gpuResize      decoded images given at another size than the input's (the Java API's predict and
     *                       predictLater, bench's end2end) go up at their own size and are resized on the GPU as PIL
     *                       resizes them (kernels/resize.cu), where the host copies instead of resizing: off by
     *                       default until a GPU run has measured it
     */
    public record Gpu(Precision precision, boolean cudaGraphs, boolean branchStreams, boolean copyFreeConcat,
                      boolean cudnnPooling, int streamsMaxBatch, int cudnnEngines, boolean biasReluKernel,
                      boolean gemm1x1, boolean gpuResize)
            implements java.io.Serializable {

        /** The default {@link #streamsMaxBatch}: between the H200's batch 8 (streams faster) and 32 (slower). */
        public static final int STREAMS_MAX_BATCH = 16;

        public Gpu {
            if (streamsMaxBatch < 1) {
                throw new IllegalArgumentException("the largest batch for branch streams must be at least 1, got "
                        + streamsMaxBatch);
            }
            if (cudnnEngines < 0) {
                throw new IllegalArgumentException("the number of cuDNN engines to try cannot be negative, got "
                        + cudnnEngines);
            }
        }

        /**
         * FP32, CUDA graphs on, branch streams up to batch 16, copy-free concatenation off, pooling by our kernels,
         * the legacy convolution API with cuDNN's fused bias and ReLU, 1x1 convolutions by cuDNN too, images
         * resized on the host.
         */
        public static Gpu defaults() {
            return new Gpu(Precision.FP32, true, true, false, false, STREAMS_MAX_BATCH, 0, false, false, false);
        }

        /** These switches with some changed: what each of EngineOptions' with* methods changes is one line. */
        private Gpu with(java.util.function.Consumer<Changes> change) {
            Changes c = new Changes(this);
            change.accept(c);
            return new Gpu(c.precision, c.cudaGraphs, c.branchStreams, c.copyFreeConcat, c.cudnnPooling,
                    c.streamsMaxBatch, c.cudnnEngines, c.biasReluKernel, c.gemm1x1, c.gpuResize);
        }

        /** A Gpu's switches as fields to assign (checked again when {@link #with} builds the new Gpu). */
        private static final class Changes {
            Precision precision;
            boolean cudaGraphs;
            boolean branchStreams;
            boolean copyFreeConcat;
            boolean cudnnPooling;
            int streamsMaxBatch;
            int cudnnEngines;
            boolean biasReluKernel;
            boolean gemm1x1;
            boolean gpuResize;

            Changes(Gpu g) {
                precision = g.precision;
                cudaGraphs = g.cudaGraphs;
                branchStreams = g.branchStreams;
                copyFreeConcat = g.copyFreeConcat;
                cudnnPooling = g.cudnnPooling;
                streamsMaxBatch = g.streamsMaxBatch;
                cudnnEngines = g.cudnnEngines;
                biasReluKernel = g.biasReluKernel;
                gemm1x1 = g.gemm1x1;
                gpuResize = g.gpuResize;
            }
        }
    }

    public EngineOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(InceptionV3.Options.defaults(), Backend.AUTO, Lowering.FUSED, false, 32, 0,
                Gpu.defaults());
    }

    public Precision precision() {
        return gpu.precision();
    }

    public EngineOptions withModel(InceptionV3.Options m) {
        return new EngineOptions(m, backend, lowering, taps, maxBatch, device, gpu);
    }

    public EngineOptions withBackend(Backend b) {
        return new EngineOptions(model, b, lowering, taps, maxBatch, device, gpu);
    }

    public EngineOptions withLowering(Lowering l) {
        return new EngineOptions(model, backend, l, taps, maxBatch, device, gpu);
    }

    public EngineOptions withTaps(boolean t) {
        return new EngineOptions(model, backend, lowering, t, maxBatch, device, gpu);
    }

    public EngineOptions withMaxBatch(int m) {
        return new EngineOptions(model, backend, lowering, taps, m, device, gpu);
    }

    public EngineOptions withDevice(int d) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, d, gpu);
    }

    public EngineOptions withGpu(Gpu g) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, device, g);
    }

    public EngineOptions withPrecision(Precision p) {
        return withGpu(gpu.with(c -> c.precision = p));
    }

    public EngineOptions withCudaGraphs(boolean on) {
        return withGpu(gpu.with(c -> c.cudaGraphs = on));
    }

    public EngineOptions withBranchStreams(boolean on) {
        return withGpu(gpu.with(c -> c.branchStreams = on));
    }

    public EngineOptions withCopyFreeConcat(boolean on) {
        return withGpu(gpu.with(c -> c.copyFreeConcat = on));
    }

    public EngineOptions withStreamsMaxBatch(int batch) {
        return withGpu(gpu.with(c -> c.streamsMaxBatch = batch));
    }

    public EngineOptions withCudnnEngines(int tried) {
        return withGpu(gpu.with(c -> c.cudnnEngines = tried));
    }

    public EngineOptions withBiasReluKernel(boolean on) {
        return withGpu(gpu.with(c -> c.biasReluKernel = on));
    }

    public EngineOptions withGemm1x1(boolean on) {
        return withGpu(gpu.with(c -> c.gemm1x1 = on));
    }

    public EngineOptions withGpuResize(boolean on) {
        return withGpu(gpu.with(c -> c.gpuResize = on));
    }

    public EngineOptions withCudnnPooling(boolean on) {
        return withGpu(gpu.with(c -> c.cudnnPooling = on));
    }
}
