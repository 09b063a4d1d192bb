package dev.inception.gpu;

import dev.inception.Precision;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import static jcuda.jcublas.cublasComputeType.CUBLAS_COMPUTE_32F;
import static jcuda.jcublas.cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32;
import static jcuda.jcublas.cublasGemmAlgo.CUBLAS_GEMM_DEFAULT;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

/**
 * A 1x1, stride-1 convolution over NHWC tensors run as one cuBLAS GEMM (--gemm-1x1): each pixel's channels are a
 * column, so the convolution of a whole batch is one matrix product, y = W x over its N*H*W pixels
 * ({@link CudnnGeometry#oneByOne(CudnnGeometry.Conv, int, int)}), followed for a fused step by kernels/bias_relu.cu
 * over y. The GEMM accumulates in float32 (CUBLAS_COMPUTE_32F; TF32 products for --precision tf32 only) and rounds
 * once to the output's type, as cuDNN's convolutions do.
 *
 * <p>Why: on the first H200 run the fp16 1x1 convolutions at batch 256 ran at a tenth of their memory-bandwidth
 * bound with the algorithm cudnnFind chose, and 40 of InceptionV3's 94 convolutions are 1x1. cuBLAS's GEMMs are
 * NVIDIA's most tuned kernels, and PyTorch's max-autotune mode turns 1x1 convolutions into matrix products too.
 * A GEMM's leading dimension also writes a channel slice of a block output at no cost, where cuDNN's strided
 * outputs were slow on that GPU (copy-free concatenation).
 *
 * <p>Chosen per geometry by measurement, as {@link ConvEngines} chooses its plans: the GEMM and its kernel are
 * timed with CUDA events on the step's own tensors ({@link #fasterOf}), and replace the step only where they beat
 * its time (cudnnFind's for the legacy convolution alone, so the GEMM must win with its bias and ReLU included; or
 * the backend plan's). Decisions are remembered per process. Where cuBLAS refuses the GEMM at run time, the step it
 * replaced runs from then on, reported once as a fallback.
 */
final class GemmConvolution implements ConvStep {

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    /** Per geometry key, the GEMM's measured milliseconds, or {@link #KEPT} where the replaced step was faster. */
    private static final Map<String, Float> DECIDED = new ConcurrentHashMap<>();
    private static final float KEPT = -1f;

    /** What one program's choices came to, for --verbose: "1x1 convolutions as cuBLAS GEMMs: 30 of 40 (...)". */
    static final class Tally {
        private int ones;
        private int won;
        private int refused;

        String summary() {
            return "1x1 convolutions as cuBLAS GEMMs: " + won + " of " + ones + " (" + (ones - won - refused)
                    + " kept cuDNN's, faster; " + refused + " refused by cuBLAS)";
        }
    }

    private final String step;
    private final int batch;
    private final cublasHandle h;
    private final CudnnGeometry.Gemm g;
    private final int dataType;
    private final int computeType;
    private final CUdeviceptr w;
    private final CUdeviceptr x;
    private final CUdeviceptr y;
    private final Runnable epilogue;
    private final ConvStep replaced;
    private final Consumer<Fallback> report;
    private float milliseconds = -1f;
    private boolean refused;

    /**
     * @param g        the GEMM's dimensions ({@link CudnnGeometry#oneByOne(CudnnGeometry.Conv, int, int)})
     * @param type     the storage type of x, w and y
     * @param w        the KRSC filter
     * @param y        the output's first channel (a channel slice's, inside its block output)
     * @param epilogue y = ReLU(y + b) by kernels/bias_relu.cu on the same stream, for a fused step; else null
     * @param replaced the step this one replaces where it is faster, and falls back to where cuBLAS refuses it
     */
    GemmConvolution(String step, int batch, cublasHandle h, CudnnGeometry.Gemm g, StorageType type,
                    Precision precision, CUdeviceptr w, CUdeviceptr x, CUdeviceptr y, Runnable epilogue,
                    ConvStep replaced, Consumer<Fallback> report) {
        this.step = step;
        this.batch = batch;
        this.h = h;
        this.g = g;
        this.dataType = type.cuda;
        this.computeType = precision == Precision.TF32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
        this.w = w;
        this.x = x;
        this.y = y;
        this.epilogue = epilogue;
        this.replaced = replaced;
        this.report = report;
    }

    /**
     * The faster of the GEMM and the step it would replace, for this geometry: decided once per process (the key
     * says everything the answer depends on), by timing the GEMM with its kernel on the step's own tensors against
     * the replaced step's measured time. A replaced step without a measured time is kept: the GEMM must be shown
     * faster, not assumed so.
     */
    static ConvStep fasterOf(String key, GemmConvolution gemm, CUstream stream, Tally tally) {
        tally.ones++;
        boolean always = Boolean.getBoolean(GpuProperties.GEMM_1X1_ALWAYS);
        float toBeat = always ? Float.POSITIVE_INFINITY : gemm.replaced.choice().milliseconds();
        key += always ? ", always" : "";
        Float decided = DECIDED.get(key);
        if (decided == null) {
            Float measured = toBeat < 0 ? Float.valueOf(KEPT) : gemm.time(stream);
            if (measured == null) {
                tally.refused++;
                return gemm.replaced;   // not remembered: this cuBLAS refused it here, another context may not
            }
            decided = measured >= 0 && measured < toBeat ? measured : KEPT;
            DECIDED.put(key, decided);
        }
        if (decided < 0) {
            return gemm.replaced;
        }
        tally.won++;
        gemm.milliseconds = decided;
        return gemm;
    }

    /** Milliseconds per GEMM and kernel on this step's tensors, or null where cuBLAS refuses the GEMM. */
    private Float time(CUstream stream) {
        // the GEMM writes y, which a pass in flight at another batch size may still use (the arena is shared)
        JCudaDriver.cuCtxSynchronize();
        try (EventTimer timer = new EventTimer()) {
            float each = timer.each(stream, ConvEngines.RUNS, this::enqueue);
            return each < 0 ? null : each;
        }
    }

    /** The GEMM, then the kernel where it ran; cuBLAS's status. */
    private int enqueue() {
        int status = JCublas2.cublasGemmEx_new(h, CUBLAS_OP_T, CUBLAS_OP_N, g.m(), g.n(), g.k(), ONE, w, dataType,
                g.lda(), x, dataType, g.ldb(), ZERO, y, dataType, g.ldc(), computeType, CUBLAS_GEMM_DEFAULT);
        if (status == 0 && epilogue != null) {
            epilogue.run();
        }
        return status;
    }

    @Override
    public void run() {
        if (refused) {
            replaced.run();
            return;
        }
        int status = enqueue();
        if (status != 0) {
            refused = true;
            report.accept(new Fallback(step, batch, "cublasGemmEx (1x1 convolution as a GEMM)",
                    replaced.choice().describe(), CudaCalls.cublasStatus(status)));
            replaced.run();
        }
    }

    /**
     * The GEMM, with the replaced step's workspace: cuBLAS needs none of the program's, but the workspace is sized
     * from the choices when the engine opens, and a GEMM refused at run time falls back to the replaced step.
     */
    @Override
    public ConvChoice choice() {
        ConvChoice r = replaced.choice();
        return refused ? r : new ConvChoice(step, batch, r.algo(), r.mathType(), r.workspaceBytes(), milliseconds,
                "cublasGemmEx " + g.m() + "x" + g.n() + "x" + g.k() + " (1x1 as GEMM"
                        + (epilogue != null ? ") + kernel bias_relu" : ")"));
    }

    @Override
    public String implementation() {
        return refused ? replaced.implementation() : "cublas " + choice().describe();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (batch %d): %s", step, batch, choice().describe());
    }
}
