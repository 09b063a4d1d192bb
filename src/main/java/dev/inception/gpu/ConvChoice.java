package dev.inception.gpu;

import java.util.Locale;

/**
 * The cuDNN forward algorithm chosen for one convolution at one batch size, with the math type it runs with, its
 * workspace and the time cudnnFindConvolutionForwardAlgorithm measured for it (negative for IMPLICIT_GEMM added as
 * the last resort). cuDNN measures algorithm and math type as a pair, so the convolution descriptor is set to the
 * chosen pair's math type before the call ({@link ConvolutionCall}); the math type also tells whether tensor cores
 * may run the layer. Where something else runs the step instead, a cuDNN backend execution plan ({@link ConvEngines})
 * or a cuBLAS GEMM ({@link GemmConvolution}), {@code instead} names it ("backend engine 12 (heuristic rank 0 of
 * 9)"), the time is its own, and algo and math type are those of the legacy call it replaced.
 */
public record ConvChoice(String step, int batch, int algo, int mathType, long workspaceBytes, float milliseconds,
                         String instead) {

    /** A legacy algorithm's choice. */
    public ConvChoice(String step, int batch, int algo, int mathType, long workspaceBytes, float milliseconds) {
        this(step, batch, algo, mathType, workspaceBytes, milliseconds, null);
    }

    private static final String[] NAMES = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT",
        "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};

    /** cudnnMathType_t's names: DEFAULT (TF32 allowed on Ampere and later), TENSOR_OP, ..., FMA (no tensor cores). */
    private static final String[] MATH = {"DEFAULT_MATH", "TENSOR_OP_MATH", "TENSOR_OP_MATH_ALLOW_CONVERSION",
        "FMA_MATH"};

    public static String algoName(int algo) {
        return algo >= 0 && algo < NAMES.length ? NAMES[algo] : "ALGO_" + algo;
    }

    public static String mathName(int mathType) {
        return mathType >= 0 && mathType < MATH.length ? MATH[mathType] : "math type " + mathType;
    }

    public String algoName() {
        return algoName(algo);
    }

    /** The algorithm and its math type, "WINOGRAD (TENSOR_OP_MATH)", or what runs the step instead. */
    public String describe() {
        return instead != null ? instead : algoName() + " (" + mathName(mathType) + ")";
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (batch %d): %s, workspace %.1f MiB%s", step, batch, describe(),
                workspaceBytes / 1048576.0, milliseconds < 0 ? ", last resort"
                        : String.format(Locale.ROOT, ", %.3f ms measured", milliseconds));
    }
}
