package dev.inception;

import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;

/**
 * How to open an engine. Defaults: the ImageNet classifier, backend AUTO, fused plan, no taps, batches up to 32, FP32,
 * CUDA graphs and branch streams on.
 *
 * @param taps     keep the tap tensors (stem, mixed0..10, ...) readable after each forward pass: more arena memory,
 *                 needed by {@link InceptionV3Engine#taps}
 * @param maxBatch the largest batch one forward pass takes; the GPU sizes its arena from it
 * @param device   GPU ordinal, for the GPU backend
 * @param precision GPU arithmetic (the CPU is always float32)
 * @param cudaGraphs GPU: from the second forward pass at a batch size on, replay the pass as one captured CUDA
 *                   graph instead of launching its ~300 calls one by one
 * @param branchStreams GPU: run the branches of each mixed block on their own streams at the same time (the plan's
 *                   arena then keeps the branches' tensors apart)
 * @param copyFreeConcat GPU: each branch's last step writes straight into its channel slice of the block output
 *                   (strided descriptors), and the concatenation copies nothing; off by default until a GPU run
 *                   has shown cuDNN accepts the strided outputs at speed
 */
public record EngineOptions(InceptionV3.Options model, Backend backend, Lowering lowering, boolean taps,
                            int maxBatch, int device, Precision precision, boolean cudaGraphs,
                            boolean branchStreams, boolean copyFreeConcat) {

    public EngineOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(InceptionV3.Options.defaults(), Backend.AUTO, Lowering.FUSED, false, 32, 0, Precision.FP32,
                true, true, false);
    }

    public EngineOptions withModel(InceptionV3.Options m) {
        return new EngineOptions(m, backend, lowering, taps, maxBatch, device, precision, cudaGraphs, branchStreams, copyFreeConcat);
    }

    public EngineOptions withBackend(Backend b) {
        return new EngineOptions(model, b, lowering, taps, maxBatch, device, precision, cudaGraphs, branchStreams, copyFreeConcat);
    }

    public EngineOptions withLowering(Lowering l) {
        return new EngineOptions(model, backend, l, taps, maxBatch, device, precision, cudaGraphs, branchStreams, copyFreeConcat);
    }

    public EngineOptions withTaps(boolean t) {
        return new EngineOptions(model, backend, lowering, t, maxBatch, device, precision, cudaGraphs, branchStreams, copyFreeConcat);
    }

    public EngineOptions withMaxBatch(int m) {
        return new EngineOptions(model, backend, lowering, taps, m, device, precision, cudaGraphs, branchStreams, copyFreeConcat);
    }

    public EngineOptions withPrecision(Precision p) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, device, p, cudaGraphs, branchStreams, copyFreeConcat);
    }

    public EngineOptions withCudaGraphs(boolean on) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, device, precision, on, branchStreams, copyFreeConcat);
    }

    public EngineOptions withBranchStreams(boolean on) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, device, precision, cudaGraphs, on, copyFreeConcat);
    }

    public EngineOptions withCopyFreeConcat(boolean on) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, device, precision, cudaGraphs, branchStreams,
                on);
    }

    public EngineOptions withDevice(int d) {
        return new EngineOptions(model, backend, lowering, taps, maxBatch, d, precision, cudaGraphs, branchStreams, copyFreeConcat);
    }
}
