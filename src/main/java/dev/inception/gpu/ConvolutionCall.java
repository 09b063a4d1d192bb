package dev.inception.gpu;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.List;
import java.util.function.Consumer;

/**
 * One convolution step of a program: cudnnConvolutionForward, or for a fused step
 * cudnnConvolutionBiasActivationForward (y = ReLU(conv(x) + bias)), or with --bias-relu-kernel
 * cudnnConvolutionForward followed by kernels/bias_relu.cu, with fallbacks for what cuDNN refuses at run
 * time. cudnnFind measures the plain call only, and the fused call supports fewer algorithms than the plain one, so
 * a refusal is expected on some GPU and cuDNN version:
 * <ol>
 *   <li>a fused call that fails is replaced, for this step from then on, by convolution + cudnnAddTensor (bias) +
 *       cudnnActivationForward (ReLU, in place): the same arithmetic in three calls;</li>
 *   <li>a convolution whose algorithm fails moves on to the next candidate that fits the workspace, ending with
 *       IMPLICIT_GEMM, which needs none;</li>
 *   <li>a convolution writing a channel slice (copy-free concatenation) whose strided output no algorithm takes
 *       writes a dense scratch output instead, copied into the slice by the concat kernel.</li>
 * </ol>
 * Each change is reported once to the executor's fallback list. Only when every candidate fails is it an error.
 */
final class ConvolutionCall implements ConvStep {

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    /**
     * The bias and ReLU of a fused step; null for a plain convolution.
     *
     * @param kernel with --bias-relu-kernel, kernels/bias_relu.cu over the output, run after a plain convolution
     *               instead of the fused call; null otherwise
     */
    record Epilogue(cudnnTensorDescriptor biasDesc, CUdeviceptr bias, cudnnActivationDescriptor relu,
                    Runnable kernel) {
    }

    /**
     * For a convolution that writes a channel slice of its block's output (copy-free concatenation): a dense scratch
     * output and the concat-kernel copy from it into the slice, taken when cuDNN refuses the strided output with
     * every algorithm. Null for a dense output.
     */
    record Detour(cudnnTensorDescriptor denseDesc, CUdeviceptr scratch, Runnable copy, Runnable kernel) {
    }

    private final String step;
    private final int batch;
    private final cudnnHandle h;
    private final cudnnTensorDescriptor xd;
    private final CUdeviceptr x;
    private final cudnnFilterDescriptor fd;
    private final CUdeviceptr filter;
    private final cudnnConvolutionDescriptor cd;
    private cudnnTensorDescriptor yd;
    private CUdeviceptr y;
    private final Workspace.Lane workspace;
    private final List<ConvChoice> candidates;
    private final Epilogue epilogue;
    private final Detour detour;
    private final Consumer<Fallback> report;
    private int current;
    /** The candidate whose math type the descriptor holds; -1 before the first call. */
    private int applied = -1;
    private boolean fusedRefused;
    private boolean detoured;

    ConvolutionCall(String step, int batch, cudnnHandle h, cudnnTensorDescriptor xd, CUdeviceptr x,
                    cudnnFilterDescriptor fd, CUdeviceptr filter, cudnnConvolutionDescriptor cd,
                    cudnnTensorDescriptor yd, CUdeviceptr y, Workspace.Lane workspace, List<ConvChoice> candidates,
                    Epilogue epilogue, Detour detour, Consumer<Fallback> report) {
        this.step = step;
        this.batch = batch;
        this.h = h;
        this.xd = xd;
        this.x = x;
        this.fd = fd;
        this.filter = filter;
        this.cd = cd;
        this.yd = yd;
        this.y = y;
        this.workspace = workspace;
        this.candidates = candidates;
        this.epilogue = epilogue;
        this.detour = detour;
        this.report = report;
    }

    /** With --bias-relu-kernel, the kernel that runs the bias and ReLU after the plain convolution, named too. */
    @Override
    public String implementation() {
        return ConvStep.super.implementation() + (epilogue != null && epilogue.kernel() != null
                ? " + kernel bias_relu" : "");
    }

    /** The algorithm in use now (the first candidate until a fallback). */
    @Override
    public ConvChoice choice() {
        return candidates.get(current);
    }

    @Override
    public void run() {
        while (true) {
            ConvChoice c = candidates.get(current);
            if (applied != current) {
                // cuDNN picks the kernel from algorithm and math type together: run the pair that was measured
                CudaCalls.cudnn(JCudnn.cudnnSetConvolutionMathType(cd, c.mathType()),
                        step + ": cudnnSetConvolutionMathType");
                applied = current;
            }
            boolean fused = epilogue != null && !fusedRefused && epilogue.kernel() == null;
            int status = fused ? fused(c) : plain(c);
            if (status == 0) {
                if (epilogue != null && epilogue.kernel() != null) {
                    (detoured ? detour.kernel() : epilogue.kernel()).run();
                } else if (epilogue != null && !fused) {
                    CudaCalls.cudnn(JCudnn.cudnnAddTensor(h, ONE, epilogue.biasDesc(), epilogue.bias(), ONE, yd, y),
                            step + ": cudnnAddTensor (bias, after a fused-call fallback)");
                    CudaCalls.cudnn(JCudnn.cudnnActivationForward(h, epilogue.relu(), ONE, yd, y, ZERO, yd, y),
                            step + ": cudnnActivationForward (ReLU, after a fused-call fallback)");
                }
                if (detoured) {
                    detour.copy().run();
                }
                return;
            }
            String why = CudaCalls.cudnnStatus(status);
            if (fused) {
                fusedRefused = true;
                report.accept(new Fallback(step, batch, "cudnnConvolutionBiasActivationForward " + c.describe(),
                        "cudnnConvolutionForward + cudnnAddTensor + cudnnActivationForward", why));
                continue;
            }
            int next = nextFitting(current + 1);
            if (next < 0 && detour != null && !detoured) {
                // no algorithm writes this strided output: write a dense one and copy it into the slice
                detoured = true;
                yd = detour.denseDesc();
                y = detour.scratch();
                fusedRefused = false;
                current = nextFitting(0);
                report.accept(new Fallback(step, batch, "output straight into the block's channel slice",
                        "dense output + concat kernel copy", why));
                continue;
            }
            if (next < 0) {
                throw new GpuException(step + ": cudnnConvolutionForward failed with every algorithm that fits the "
                        + (workspace.bytes() >> 20) + " MiB workspace at batch " + batch + "; the last, "
                        + c.describe() + ", with " + why);
            }
            report.accept(new Fallback(step, batch, c.describe(), candidates.get(next).describe(), why));
            current = next;
        }
    }

    private int nextFitting(int from) {
        for (int i = from; i < candidates.size(); i++) {
            if (candidates.get(i).workspaceBytes() <= workspace.bytes()) {
                return i;
            }
        }
        return -1;
    }

    private int plain(ConvChoice c) {
        return JCudnn.cudnnConvolutionForward(h, ONE, xd, x, fd, filter, cd, c.algo(), workspace.ptr(),
                c.workspaceBytes(), ZERO, yd, y);
    }

    /** y = ReLU(conv(x) + 0 * z + bias) with z = y: alpha2 = 0, so z's content does not matter. */
    private int fused(ConvChoice c) {
        return JCudnn.cudnnConvolutionBiasActivationForward(h, ONE, xd, x, fd, filter, cd, c.algo(), workspace.ptr(),
                c.workspaceBytes(), ZERO, yd, y, epilogue.biasDesc(), epilogue.bias(), epilogue.relu(), yd, y);
    }
}
