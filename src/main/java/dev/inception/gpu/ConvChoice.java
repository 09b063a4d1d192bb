package dev.inception.gpu;

import java.util.Locale;

/**
 * The cuDNN forward algorithm chosen for one convolution at one batch size, with its workspace and the time
 * cudnnFindConvolutionForwardAlgorithm measured for it (negative for IMPLICIT_GEMM added as the last resort).
 */
public record ConvChoice(String step, int batch, int algo, long workspaceBytes, float milliseconds) {

    private static final String[] NAMES = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT",
        "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};

    public static String algoName(int algo) {
        return algo >= 0 && algo < NAMES.length ? NAMES[algo] : "ALGO_" + algo;
    }

    public String algoName() {
        return algoName(algo);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (batch %d): %s, workspace %.1f MiB%s", step, batch, algoName(algo),
                workspaceBytes / 1048576.0, milliseconds < 0 ? ", last resort"
                        : String.format(Locale.ROOT, ", %.3f ms measured", milliseconds));
    }
}
