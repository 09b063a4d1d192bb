package dev.inception;

/** Where the network runs; listed in the order AUTO tries them. */
public enum Backend {
    /** The GPU when one is usable, else oneDNN on the CPU, else the reference (with one line saying why). */
    AUTO,
    /** JCuda + cuDNN + cuBLAS + this project's kernels. Fails with an explanation when no GPU is usable. */
    GPU,
    /** The fast CPU executor: oneDNN (natives in the org.bytedeco:dnnl jar for Linux x86_64). */
    CPU,
    /** The plain Java reference executor that everything is verified against. Needs no native library. */
    REFERENCE
}
