package dev.inception;

/** Arithmetic precision of the GPU backend. The CPU backend is always float32. */
public enum Precision {
    /** float32 with tensor cores off (cuDNN FMA math, cuBLAS default math): comparable to the CPU within 1e-4. */
    FP32,
    /** float32 storage, TF32 tensor-core products (10-bit mantissa): faster on Ampere and later, ~1e-3 per layer. */
    TF32
}
