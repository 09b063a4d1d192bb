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

    /** As the command line spells it: "fp16". */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
