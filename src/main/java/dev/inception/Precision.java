package dev.inception;

/** Arithmetic precision of the GPU backend. The CPU backend is always float32. */
public enum Precision {
    /** float32 with tensor cores off (cuDNN FMA math, cuBLAS default math): comparable to the CPU within 1e-4. */
    FP32,
    /** float32 storage, TF32 tensor-core products (10-bit mantissa): faster on Ampere and later, ~1e-3 per layer. */
    TF32,
    /**
     * IEEE half activations and weights (11-bit significand, range +-65504), tensor-core products accumulated in
     * float32; the Dense layer accumulates and the softmax runs in float32.
     */
    FP16,
    /** bfloat16 activations and weights (8-bit significand, float32's range), float32 accumulation as FP16. */
    BF16;

    /**
     * The one rule for every entry point (command line, serve, Spark, the Java API): only the GPU computes in another
     * precision than fp32, so a CPU backend refuses one instead of quietly running fp32. AUTO is judged when it has
     * chosen: it does not step down to the CPU with such a precision.
     */
    public void requireComputedBy(Backend backend) {
        if (this != FP32 && (backend == Backend.CPU || backend == Backend.REFERENCE)) {
            String name = backend.name().toLowerCase(java.util.Locale.ROOT);
            throw new UnsupportedPrecisionException("--precision " + cliName() + " applies to the GPU only; the "
                    + name + " backend computes in fp32 (use --backend gpu, or drop --precision)");
        }
    }

    /** FP16 and BF16: 16-bit activations and weights on the GPU, tensor-core convolutions. */
    public boolean sixteenBit() {
        return this == FP16 || this == BF16;
    }

    /** Bytes of one activation or weight element where the GPU stores it: 2 for FP16 and BF16, else 4. */
    public int storageBytes() {
        return sixteenBit() ? 2 : 4;
    }

    /** As the command line spells it: "fp16". */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
