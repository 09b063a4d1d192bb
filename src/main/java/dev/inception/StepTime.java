package dev.inception;

/**
 * One plan step's time in a profiled forward pass, and what ran it: oneDNN's implementation (e.g.
 * "brg_conv_fwd:avx2"), cuDNN's algorithm, or "java" for the reference.
 */
public record StepTime(String step, double milliseconds, String implementation) {
}
