package dev.inception.cli;

import dev.inception.EngineOptions;
import dev.inception.Precision;
import picocli.CommandLine.Option;

/**
 * --precision, --[no-]cuda-graphs, --[no-]branch-streams, --branch-streams-max-batch, --copy-free-concat,
 * --cudnn-pooling, --cudnn-engines, --bias-relu-kernel, --gemm-1x1 and --gpu-resize: how the GPU executor computes,
 * for every command that runs the network.
 */
final class GpuOption {

    /** The most engine configurations --cudnn-engines may time per convolution (PyTorch's benchmark limit is 10). */
    static final int MAX_ENGINES = 16;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P",
            description = "GPU arithmetic: fp32 (default: tensor cores off, within 1e-4 of the reference) | tf32"
                    + " (float32 storage, TF32 tensor-core products) | fp16 | bf16 (16-bit activations and weights,"
                    + " tensor cores, float32 accumulation). The CPU backends compute in fp32 only.")
    String precision;

    @Option(names = "--cuda-graphs", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "GPU: from the second batch of a size on, replay the whole forward pass as one captured"
                    + " CUDA graph (default: on). --no-cuda-graphs launches every call, to measure what graphs save.")
    boolean cudaGraphs;

    @Option(names = "--branch-streams", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "GPU: run the branches of each mixed block on their own CUDA streams at the same time"
                    + " (default: on; the arena keeps their tensors apart). --no-branch-streams runs every step on"
                    + " one stream, to measure what the streams save.")
    boolean branchStreams;

    @Option(names = "--branch-streams-max-batch", defaultValue = "16", paramLabel = "N",
            description = "GPU: the largest batch that runs the branches on their own streams (default:"
                    + " ${DEFAULT-VALUE}); larger batches run one stream, since each convolution then fills the GPU"
                    + " alone (fp16 on an H200: streams faster at batches 1 and 8, 14%% slower at 32).")
    int streamsMaxBatch;

    @Option(names = "--copy-free-concat",
            description = "GPU, experimental: each branch's last convolution or pooling writes straight into its"
                    + " channel slice of the block output (strided cuDNN descriptors) and the concatenations copy"
                    + " nothing. Off by default until a GPU run has measured it.")
    boolean copyFreeConcat;

    @Option(names = "--cudnn-pooling",
            description = "GPU: pool with cuDNN's cudnnPoolingForward instead of this project's NHWC kernels"
                    + " (kernels/pooling.cu), to measure what the kernels save.")
    boolean cudnnPooling;

    @Option(names = "--cudnn-engines", defaultValue = "0", paramLabel = "N",
            description = "GPU, fp16/bf16, experimental: for each fused convolution, time the first N execution plans"
                    + " cuDNN's backend (graph) API ranks for conv + bias + ReLU as one graph, and for the"
                    + " convolution alone followed by this project's bias + ReLU kernel, and run the fastest where it"
                    + " beats the legacy algorithm (0, the default: legacy algorithms only). Costs up to 2N timed"
                    + " plans per convolution the first time each batch size runs.")
    int cudnnEngines;

    @Option(names = "--bias-relu-kernel",
            description = "GPU, experimental: run each fused convolution as cudnnConvolutionForward followed by this"
                    + " project's NHWC bias + ReLU kernel (kernels/bias_relu.cu) instead of cuDNN's"
                    + " cudnnConvolutionBiasActivationForward. Off by default until a GPU run has measured it.")
    boolean biasReluKernel;

    @Option(names = "--gemm-1x1",
            description = "GPU, experimental: time each 1x1 convolution also as one cuBLAS GEMM over the NHWC pixels"
                    + " (then this project's bias + ReLU kernel), and run it so where it beats cuDNN's choice; its"
                    + " output can be a channel slice at no cost. Off by default until a GPU run has measured it.")
    boolean gemm1x1;

    @Option(names = "--gpu-resize",
            description = "GPU, experimental: images in memory at another size than the input's (bench's end2end,"
                    + " the Java API's predictLater) go up at their own size and are resized on the GPU as PIL"
                    + " resizes them (kernels/resize.cu) instead of on the host; image files are decoded at the input"
                    + " size already. Off by default until a GPU run has measured it.")
    boolean gpuResize;

    Precision precision() {
        return Choice.of(Precision.class, precision, "--precision");
    }

    /**
     * Sets every switch. The engine refuses a precision its backend does not compute; an explicit CPU backend
     * is refused here too, before weights are read, so the usage error comes at once.
     */
    EngineOptions apply(EngineOptions o) {
        precision().requireComputedBy(o.backend());
        if (streamsMaxBatch < 1) {
            throw new UsageException("--branch-streams-max-batch must be at least 1, got " + streamsMaxBatch);
        }
        if (cudnnEngines < 0 || cudnnEngines > MAX_ENGINES) {
            throw new UsageException("--cudnn-engines must be between 0 and " + MAX_ENGINES + ", got " + cudnnEngines);
        }
        if (cudnnEngines > 0 && !precision().sixteenBit()) {
            throw new UsageException("--cudnn-engines applies to --precision fp16 and bf16 (fp32 and tf32 keep the"
                    + " legacy algorithms, whose math types pin TF32 on or off)");
        }
        return o.withGpu(new EngineOptions.Gpu(precision(), cudaGraphs, branchStreams, copyFreeConcat, cudnnPooling,
                streamsMaxBatch, cudnnEngines, biasReluKernel, gemm1x1, gpuResize));
    }
}
