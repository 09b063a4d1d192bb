package dev.inception.gpu;

import dev.inception.plan.Step;
import dev.inception.plan.TensorSpec;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a program's convolution steps into what runs them: the legacy call with its measured algorithms
 * ({@link ConvolutionCall}), replaced where a search finds something faster: a cuDNN backend plan
 * ({@link ConvEngines}, --cudnn-engines N) for a fused step, then a cuBLAS GEMM ({@link GemmConvolution},
 * --gemm-1x1) for a 1x1 one. Keeps the steps it built, so that the program can say what each runs with.
 */
final class ConvBuilder implements AutoCloseable {

    private final ProgramTensors tensors;
    private final CudaContext cx;
    private final Descriptors d;
    private final DeviceWeights weights;
    private final KernelModule kernels;
    private final TensorTypes types;
    private final GpuProgram.Scratch scratch;
    private final boolean biasReluKernel;
    private final java.util.function.Consumer<Fallback> fallbacks;
    private final List<ConvStep> built = new ArrayList<>();
    /** The backend API's descriptors, and the engine search; null where off (then every convolution is legacy). */
    private final CudnnBackend backend;
    private ConvEngines engines;
    /** With --gemm-1x1, what the 1x1 convolutions' GEMM search chose; null where off. */
    private final GemmConvolution.Tally gemms;

    /** @param d where descriptors are created; the program that owns it destroys them */
    ConvBuilder(GpuProgram.Shared shared, ProgramTensors tensors, Descriptors d) {
        this.tensors = tensors;
        this.cx = shared.cx();
        this.d = d;
        this.weights = shared.weights();
        this.kernels = shared.kernels();
        this.types = shared.types();
        this.scratch = shared.scratch();
        this.biasReluKernel = shared.biasReluKernel();
        this.fallbacks = shared.fallbacks();
        this.backend = shared.cudnnEngines() > 0 ? new CudnnBackend() : null;
        this.engines = backend == null ? null : new ConvEngines(backend, shared.cudnnEngines());
        this.gemms = shared.gemm1x1() ? new GemmConvolution.Tally() : null;
    }

    /** The step for convolution c, on its lane's handles, stream and workspace slice. */
    ConvStep build(Step.Conv c, cudnnHandle h, Workspace.Lane lane, CUstream stream, cublasHandle blas) {
        int n = tensors.n();
        CudnnGeometry.Conv g = CudnnGeometry.conv(c, tensors.shape(c.input()), n);
        if (!g.output().equals(CudnnGeometry.Dims.of(n, tensors.shape(c.output())))) {
            throw new GpuException(c.name() + ": cuDNN would produce " + g.output() + ", the plan expects "
                    + tensors.shape(c.output()));
        }
        StorageType type = types.of(c.output());
        cudnnTensorDescriptor xd = tensors.desc(c.input(), g.input());
        cudnnTensorDescriptor yd = tensors.desc(c.output(), g.output());
        cudnnFilterDescriptor fd = d.filter(g, types.activations());
        cudnnConvolutionDescriptor cd = d.convolution(g, cx.precision());
        String key = geometryKey(g);
        long limit = lane.bytes();
        List<ConvChoice> fitting = ConvAlgorithms.candidates(key, h, xd, fd, cd, yd, c.name()).stream()
                .filter(a -> a.workspaceBytes() <= limit)
                .map(a -> new ConvChoice(c.name(), n, a.algo(), Descriptors.runMathType(cx.precision(), a.mathType()),
                        a.workspaceBytes(), a.milliseconds()))
                .toList();
        if (fitting.isEmpty()) {
            throw new GpuException(c.name() + ": no cuDNN algorithm fits a workspace of " + (limit >> 20)
                    + " MiB at batch " + n);
        }
        CUdeviceptr bias = c.foldedBn() == null ? null : weights.get(c.name() + "/bias");
        // kernels/bias_relu.cu over the output: the epilogue with --bias-relu-kernel, and after convolution-alone
        // plans and GEMMs
        Runnable kernel = bias == null ? null : biasRelu(c.output(), bias, type, stream);
        ConvolutionCall.Epilogue epilogue = bias == null ? null
                : new ConvolutionCall.Epilogue(d.channels(c.filters(), type), bias, d.relu(),
                        biasReluKernel ? kernel : null);
        ConvolutionCall call = new ConvolutionCall(c.name(), n, h, xd, tensors.at(c.input()), fd,
                weights.get(c.name() + "/filter"), cd, yd, tensors.at(c.output()), lane, fitting, epilogue,
                detour(c.output(), g.output(), lane.index(), stream, bias), fallbacks);
        ConvStep step = engines == null || epilogue == null ? call
                : engineOr(call, c, g, type, h, stream, lane, bias, kernel);
        if (gemms != null && CudnnGeometry.oneByOne(g)) {
            step = gemmOr(step, c, g, type, stream, blas, kernel);
        }
        built.add(step);
        return step;
    }

    /**
     * What every per-process decision about a convolution depends on: the device, the precision and the geometry
     * (batch included); each search adds what else its answer depends on.
     */
    private String geometryKey(CudnnGeometry.Conv g) {
        return cx.ordinal() + " " + cx.precision() + " " + g;
    }

    /** The algorithm, plan or GEMM each convolution uses now. */
    List<ConvChoice> choices() {
        return built.stream().map(ConvStep::choice).toList();
    }

    /** What the cuDNN backend plan search found ({@link ConvEngines#summary()}); null where off. */
    String enginesSummary() {
        return engines == null ? null : engines.summary();
    }

    /** What the 1x1 GEMM search chose ({@link GemmConvolution.Tally}); null where off. */
    String gemmSummary() {
        return gemms == null ? null : gemms.summary();
    }

    /**
     * The fused convolution as the cuDNN backend plan that beat its legacy call ({@link ConvEngines}), or the legacy
     * call. Where the backend API fails outright (a cuDNN that refuses the graph), the search is off for the rest of
     * the program, reported once, and every convolution keeps its legacy call.
     */
    private ConvStep engineOr(ConvolutionCall legacy, Step.Conv c, CudnnGeometry.Conv g, StorageType type,
                              cudnnHandle h, CUstream stream, Workspace.Lane lane, CUdeviceptr bias, Runnable kernel) {
        int yStride = tensors.pixelStride(c.output());
        ConvEngines.Operands o = new ConvEngines.Operands(g, type, tensors.at(c.input()),
                tensors.pixelStride(c.input()), weights.get(c.name() + "/filter"), bias, tensors.at(c.output()),
                yStride, kernel);
        String key = geometryKey(g) + " output pixels " + yStride + " apart, "
                + engines.tried() + " tried";
        try {
            ConvEngines.Choice chosen = engines.choose(key, c.name(), h, stream, o, legacy.choice().milliseconds(),
                    lane.bytes());
            return chosen == null ? legacy
                    : new EngineConvolution(c.name(), tensors.n(), h, engines, o, chosen, lane, legacy, fallbacks);
        } catch (GpuException e) {
            engines = null;
            fallbacks.accept(new Fallback(c.name(), tensors.n(), "cuDNN backend engine search",
                    "legacy algorithms for every convolution", e.getMessage()));
            return legacy;
        }
    }

    /**
     * A 1x1 convolution as a cuBLAS GEMM and, for a fused step, the bias + ReLU kernel, where that is measured
     * faster than the step built for it ({@link GemmConvolution}); else that step.
     */
    private ConvStep gemmOr(ConvStep replaced, Step.Conv c, CudnnGeometry.Conv g, StorageType type, CUstream stream,
                            cublasHandle blas, Runnable kernel) {
        int xStride = tensors.pixelStride(c.input());
        int yStride = tensors.pixelStride(c.output());
        GemmConvolution gemm = new GemmConvolution(c.name(), tensors.n(), blas,
                CudnnGeometry.oneByOne(g, xStride, yStride), type, cx.precision(), weights.get(c.name() + "/filter"),
                tensors.at(c.input()), tensors.at(c.output()), kernel, replaced, fallbacks);
        // the time to beat is the replaced step's: the legacy algorithm's, or a backend plan's
        String key = geometryKey(g) + " pixels " + xStride + " and " + yStride
                + " apart, against " + replaced.choice().describe();
        return GemmConvolution.fasterOf(key, gemm, stream, gemms);
    }

    /**
     * y = ReLU(y + bias) by kernels/bias_relu.cu over a convolution's output, in place, on its stream (a channel
     * slice's pixels as far apart as its block output's).
     */
    private Runnable biasRelu(int output, CUdeviceptr bias, StorageType type, CUstream stream) {
        int channels = tensors.shape(output).channels();
        int stride = tensors.pixelStride(output);
        int offset = tensors.channelOffset(output);
        long pixels = tensors.pixels(output);
        CUdeviceptr y = tensors.at(output);
        return () -> kernels.biasRelu(stream, type, y, bias, pixels, channels, stride, offset);
    }

    /**
     * For an output that is a channel slice: a dense scratch output and its copy into the slice (with
     * --bias-relu-kernel and a bias, the epilogue on the scratch first); else null.
     */
    private ConvolutionCall.Detour detour(int output, CudnnGeometry.Dims dims, int lane, CUstream stream,
                                          CUdeviceptr bias) {
        TensorSpec t = tensors.spec(output);
        if (!t.isSlice()) {
            return null;
        }
        CUdeviceptr dense = scratch.lane(lane);
        CUdeviceptr parent = tensors.at(t.slice().parent());
        StorageType type = types.of(output);
        long pixels = (long) dims.n() * dims.h() * dims.w();
        int total = tensors.pixelStride(output);
        int offset = t.slice().channelOffset();
        // with --bias-relu-kernel, the epilogue runs on the dense scratch before its copy
        Runnable biasRelu = !biasReluKernel || bias == null ? null
                : () -> kernels.biasRelu(stream, type, dense, bias, pixels, dims.c(), dims.c(), 0);
        return new ConvolutionCall.Detour(d.tensor(dims, type), dense,
                () -> kernels.concat(stream, type, parent, dense, pixels, dims.c(), total, offset), biasRelu);
    }

    /** Destroys the backend API's descriptors, where the engine search made any. */
    @Override
    public void close() {
        if (backend != null) {
            backend.close();
        }
    }
}
