package dev.inception;

/**
 * A precision other than fp32 was asked of an engine that is not on the GPU. Only the GPU executor computes in TF32,
 * fp16 or bf16; the CPU executors would run fp32 and the caller would believe otherwise, so the engine refuses.
 */
public class UnsupportedPrecisionException extends RuntimeException {
    public UnsupportedPrecisionException(String message) {
        super(message);
    }

    public UnsupportedPrecisionException(String message, Throwable cause) {
        super(message, cause);
    }
}
