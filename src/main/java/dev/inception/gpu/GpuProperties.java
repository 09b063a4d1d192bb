package dev.inception.gpu;

/**
 * The system properties that tune the GPU executor's searches, for tests and for diagnosing a GPU run; options, not
 * these, are what a user sets ({@code EngineOptions.Gpu}, the command line's switches).
 */
public final class GpuProperties {

    /**
     * Seconds one program's cuDNN backend-plan search may take (default {@value ConvEngines#SEARCH_SECONDS}); once
     * spent, the convolutions not yet decided keep their legacy algorithms ({@link ConvEngines}).
     */
    public static final String ENGINE_SEARCH_SECONDS = "inception.cudnnEngines.searchSeconds";

    /**
     * "true": with --gemm-1x1, every 1x1 convolution a cuBLAS GEMM wherever cuBLAS runs it, whatever its time, so that
     * a GPU test checks every GEMM's arithmetic, not only the faster ones' ({@link GemmConvolution}).
     */
    public static final String GEMM_1X1_ALWAYS = "inception.gemm1x1.always";

    private GpuProperties() {
    }
}
