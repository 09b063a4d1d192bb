package dev.inception;

/** Where the network runs. */
public enum Backend {
    /** The GPU when one is usable, else the CPU (with one line on stderr saying why). */
    AUTO,
    /** The plain Java reference executor. Needs no native library. */
    CPU,
    /** JCuda + cuDNN + cuBLAS + this project's kernels. Fails with an explanation when no GPU is usable. */
    GPU
}
