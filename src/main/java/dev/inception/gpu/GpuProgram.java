package dev.inception.gpu;

import dev.inception.model.Shape;
import dev.inception.plan.Branches;
import dev.inception.plan.Plan;
import dev.inception.plan.Step;
import dev.inception.plan.TensorSpec;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.ArrayList;
import java.util.List;

import static jcuda.jcublas.cublasComputeType.CUBLAS_COMPUTE_32F;
import static jcuda.jcublas.cublasGemmAlgo.CUBLAS_GEMM_DEFAULT;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcudnn.cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;
import static jcuda.jcudnn.cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE;
import static jcuda.jcudnn.cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_INSTANCE;

/**
 * A plan bound to one batch size: every step turned into a cuDNN / cuBLAS / kernel call with its descriptors and
 * arena pointers resolved, so running it only enqueues work on the stream (no allocation, no synchronisation).
 * Built once per batch size and reused.
 */
final class GpuProgram implements AutoCloseable {

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    /**
     * What every program of one executor shares: the plan and the device resources it runs on.
     *
     * @param cudnnPooling pool with cudnnPoolingForward instead of kernels/pooling.cu (to measure the difference)
     * @param cudnnEngines how many of cuDNN's backend plans to time for each fused convolution
     *                     ({@link ConvEngines}); 0 keeps the legacy API's algorithms only
     * @param biasReluKernel fused convolutions as cudnnConvolutionForward + kernels/bias_relu.cu
     * @param gemm1x1      1x1 convolutions as cuBLAS GEMMs where measured faster ({@link GemmConvolution})
     */
    record Shared(Plan plan, CudaContext cx, DeviceBuffer arena, DeviceWeights weights, KernelModule kernels,
                  TensorTypes types, Workspace workspace, Scratch scratch, boolean cudnnPooling, int cudnnEngines,
                  boolean biasReluKernel, boolean gemm1x1, java.util.function.Consumer<Fallback> fallbacks) {
    }

    /**
     * Dense stand-ins for channel slices, one per lane (null without copy-free concatenation): where a convolution
     * writes when cuDNN takes no strided output ({@link ConvolutionCall.Detour}).
     */
    record Scratch(DeviceBuffer buffer, long laneBytes) {
        CUdeviceptr lane(int lane) {
            return buffer.at(lane * laneBytes);
        }
    }

    private final Descriptors d = new Descriptors();
    /** Step i's call(s), on its lane's stream. */
    private final List<Runnable> ops = new ArrayList<>();
    /** Step i's call(s) with the lane ordering around them (fork before, join after): what a pass runs. */
    private final List<Runnable> sequence = new ArrayList<>();
    private final ProgramTensors tensors;
    /** The convolution steps, built with the searches the switches ask for. */
    private final ConvBuilder convs;
    private final Plan plan;
    private final int n;
    private final CudaContext cx;
    private final DeviceWeights weights;
    private final KernelModule kernels;
    private final TensorTypes types;
    private final Workspace workspace;
    private final boolean cudnnPooling;
    private final java.util.function.Consumer<Fallback> fallbacks;
    private final BranchLanes lanes;
    private final int[] laneOf;
    /** Concatenations whose parts are copied on their branches' lanes, each after the step that makes it. */
    private final java.util.Set<Integer> copiedEarly = new java.util.HashSet<>();
    private final boolean graphs;
    private int passes;
    private CudaGraph graph;
    /** Profiling: step i alone as a graph of its own, and whether it ran eagerly once / its capture was refused. */
    private CudaGraph[] stepGraphs;
    private boolean[] stepRan;
    private boolean[] stepRefused;

    /**
     * @param lanes   run the branches of each mixed block on these streams at the same time (the plan must allow
     *                it: {@link Plan#concurrentBranches()}); null runs every step on the context's stream
     * @param graphs  replay passes after the first as one CUDA graph ({@link #enqueue()})
     */
    GpuProgram(Shared shared, int n, BranchLanes lanes, boolean graphs) {
        this.plan = shared.plan();
        this.cx = shared.cx();
        this.weights = shared.weights();
        this.kernels = shared.kernels();
        this.types = shared.types();
        this.workspace = shared.workspace();
        this.cudnnPooling = shared.cudnnPooling();
        this.fallbacks = shared.fallbacks();
        this.n = n;
        this.tensors = new ProgramTensors(plan, n, shared.arena(), types, d);
        this.convs = new ConvBuilder(shared, tensors, d);
        this.lanes = lanes;
        this.graphs = graphs;
        if (lanes != null && !plan.concurrentBranches()) {
            throw new IllegalArgumentException("branch streams need a plan lowered for concurrent branches");
        }
        this.laneOf = new int[plan.steps().size()];
        try {
            List<Runnable[]> around = lanes == null ? null : order();
            for (int i = 0; i < plan.steps().size(); i++) {
                Runnable op = compile(i);
                ops.add(op);
                if (around == null) {
                    sequence.add(op);
                    continue;
                }
                // fork, the step, the copy of its output into its block's output, the lane's join
                List<Runnable> calls = new ArrayList<>();
                for (Runnable r : new Runnable[] {around.get(i)[0], op, around.get(i)[2], around.get(i)[1]}) {
                    if (r != null) {
                        calls.add(r);
                    }
                }
                sequence.add(calls.size() == 1 ? op : () -> calls.forEach(Runnable::run));
            }
        } catch (RuntimeException e) {
            closeDescriptors();
            throw e;
        }
    }

    /**
     * Assigns each outermost block's branch b to lane b (so branch 0 stays on the main stream) and returns, per
     * step, what to enqueue before it [0], after it [1] and between the two [2]: the fork before the block's first
     * step, each side lane's join after its last step in the block, and the main stream's wait for the joins before
     * the concatenation. A copying concatenation's parts are copied on their branches' lanes, each right after the
     * step that makes it [2], so that the copies overlap the other branches' work and nothing is left for the main
     * stream after the joins (at batch 1, three or four short launches per block off the critical path). The plan
     * allows it: lowered for concurrent branches, it keeps the block's output, like every tensor the branches
     * write, alive over the whole block, so they share no memory (PlannerTest checks).
     */
    private List<Runnable[]> order() {
        List<Runnable[]> around = new ArrayList<>();
        plan.steps().forEach(s -> around.add(new Runnable[3]));
        for (Branches.Block b : Branches.outermost(Branches.of(plan))) {
            int used = BranchLanes.lanesFor(b.branches().size());
            int first = Integer.MAX_VALUE;
            int[] lastOnLane = new int[used];
            java.util.Arrays.fill(lastOnLane, -1);
            for (int br = 0; br < b.branches().size(); br++) {
                int lane = br % used;
                for (int step : b.branches().get(br)) {
                    laneOf[step] = lane;
                    first = Math.min(first, step);
                    lastOnLane[lane] = Math.max(lastOnLane[lane], step);
                }
            }
            around.get(first)[0] = () -> lanes.fork(used);
            for (int lane = 1; lane < used; lane++) {
                int l = lane;
                around.get(lastOnLane[lane])[1] = () -> lanes.join(l);
            }
            around.get(b.concatStep())[0] = () -> lanes.await(used);
            copyEarly(b, used, around);
        }
        return around;
    }

    /** Puts block b's part copies after the steps that make the parts, on their lanes, where each part has one. */
    private void copyEarly(Branches.Block b, int used, List<Runnable[]> around) {
        Step.Concat c = (Step.Concat) plan.steps().get(b.concatStep());
        if (plan.inPlace(c)) {
            return;
        }
        List<ConcatPart> parts = concatParts(c);
        int[] producers = new int[parts.size()];
        for (int br = 0; br < parts.size(); br++) {
            int tensor = parts.get(br).tensor();
            producers[br] = b.branches().get(br).stream().filter(st -> plan.steps().get(st).output() == tensor)
                    .findFirst().orElse(-1);
            if (producers[br] < 0) {
                return;   // a part no branch step makes (the block input itself): the concatenation copies all
            }
        }
        Shape out = shape(c.output());
        long pixels = (long) n * out.height() * out.width();
        CUdeviceptr y = at(c.output());
        for (int br = 0; br < parts.size(); br++) {
            around.get(producers[br])[2] = copy(parts.get(br), y, pixels, lanes.stream(br % used));
        }
        copiedEarly.add(b.concatStep());
    }

    private CUstream stream(int step) {
        return lanes == null ? cx.stream() : lanes.stream(laneOf[step]);
    }

    private cudnnHandle cudnn(int step) {
        return lanes == null ? cx.cudnn() : lanes.cudnn(laneOf[step]);
    }

    /** Enqueues every step, call by call (each on its lane, ordered by events, with branch streams). */
    void run() {
        for (Runnable op : sequence) {
            op.run();
        }
    }

    /**
     * Enqueues one whole forward pass: the first call by call ({@link #run()}: algorithms and fallbacks settle,
     * cuDNN loads its kernels), the second captured into a CUDA graph and launched, every later one a launch of
     * that graph. Where capture fails, the pass runs call by call, this batch size stays eager, and the reason is
     * reported once as a fallback.
     */
    void enqueue() {
        passes++;
        if (graph != null) {
            graph.launch(cx.stream());
            return;
        }
        if (!graphs || passes != 2) {
            run();
            return;
        }
        try {
            graph = CudaGraph.capture(cx.stream(), this::run);
        } catch (GpuException e) {
            fallbacks.accept(new Fallback("forward pass", n, "one CUDA graph launch", "call-by-call launches",
                    "stream capture failed: " + e.getMessage()));
            run();
            return;
        }
        graph.launch(cx.stream());
    }

    /** Whether later passes at this batch size are graph launches. */
    boolean replaysGraph() {
        return graph != null;
    }

    /** The operations one replayed pass launches ({@link CudaGraph#nodes()}); -1 before capture or where unknown. */
    int graphNodes() {
        return graph == null ? -1 : graph.nodes();
    }

    /** The number of steps; step i is the plan's step i. */
    int size() {
        return ops.size();
    }

    /** Enqueues step i alone (profiling, which uses programs without lanes: all on the context's stream). */
    void run(int i) {
        if (lanes != null) {
            throw new IllegalStateException("a program with branch streams runs whole passes only");
        }
        ops.get(i).run();
    }

    /**
     * Step i alone as a CUDA graph of its own, for profiling: null on the step's first call (which must run
     * eagerly, settling its algorithm and fallbacks, as a whole pass does before capture), captured on the second,
     * then kept. Null too where graphs are off or the capture was refused: the step is then timed eagerly.
     */
    CudaGraph stepGraph(int i) {
        if (!graphs || lanes != null) {
            return null;
        }
        if (stepGraphs == null) {
            stepGraphs = new CudaGraph[size()];
            stepRan = new boolean[size()];
            stepRefused = new boolean[size()];
        }
        if (stepGraphs[i] == null && stepRan[i] && !stepRefused[i]) {
            try {
                stepGraphs[i] = CudaGraph.capture(cx.stream(), () -> run(i));
            } catch (GpuException e) {
                stepRefused[i] = true;
                fallbacks.accept(new Fallback(stepName(i), n, "timed as a graph of its own", "timed eagerly",
                        "stream capture failed: " + e.getMessage()));
            }
        }
        stepRan[i] = true;
        return stepGraphs[i];
    }

    String stepName(int i) {
        return plan.steps().get(i).name();
    }

    /** What runs step i: the convolution's cuDNN algorithm and math type, else the library or kernel that does it. */
    String implementation(int i) {
        Step s = plan.steps().get(i);
        if (ops.get(i) instanceof ConvStep c) {
            return c.implementation();
        }
        if (s instanceof Step.Concat c) {
            return plan.inPlace(c) ? "in place (no copy)" : "kernel " + String.join(" + ", concatParts(c).stream()
                    .map(part -> KernelModule.concatKernel(part.type(),
                            KernelModule.concatUnit(part.type(), part.channels(), part.total(), part.offset())))
                    .distinct().toList());
        }
        if (s instanceof Step.Pool p && !cudnnPooling) {
            PoolLaunch launch = poolLaunch(p);
            return "kernel " + KernelModule.poolKernel(launch.type(), launch.lanes());
        }
        return s instanceof Step.Dense d ? "cublas " + gemmName(d) : "cudnn";
    }

    /** What the cuDNN backend plan search found for this program ({@link ConvEngines#summary()}); null where off. */
    String enginesSummary() {
        return convs.enginesSummary();
    }

    /** What the 1x1 GEMM search chose in this program ({@link GemmConvolution.Tally}); null where off. */
    String gemmSummary() {
        return convs.gemmSummary();
    }

    /** The algorithm, plan or GEMM each convolution uses now. */
    List<ConvChoice> choices() {
        return convs.choices();
    }

    long workspaceNeeded() {
        return choices().stream().mapToLong(ConvChoice::workspaceBytes).max().orElse(0);
    }

    /** Where a tensor starts in the arena at this batch size ({@link ProgramTensors#at}). */
    CUdeviceptr at(int tensor) {
        return tensors.at(tensor);
    }

    private Shape shape(int tensor) {
        return tensors.shape(tensor);
    }

    private cudnnTensorDescriptor desc(int tensor) {
        return tensors.desc(tensor);
    }

    private Runnable compile(int i) {
        Step s = plan.steps().get(i);
        cudnnHandle h = cudnn(i);
        if (s instanceof Step.Conv c) {
            return convs.build(c, h, workspace.lane(lanes == null ? 0 : laneOf[i]), stream(i),
                    lanes == null ? cx.cublas() : lanes.cublas(laneOf[i]));
        }
        CUdeviceptr x = at(s.inputs().get(0));
        CUdeviceptr y = at(s.output());
        if (s instanceof Step.BatchNorm b) {
            cudnnTensorDescriptor xd = desc(b.input());
            // float32 parameters whatever x's type: cuDNN's rule for 16-bit batch norm
            cudnnTensorDescriptor bn = d.channels(shape(b.input()).channels(), StorageType.FLOAT);
            CUdeviceptr scale = weights.get(b.name() + "/scale");
            CUdeviceptr bias = weights.get(b.name() + "/bias");
            CUdeviceptr mean = weights.get(b.name() + "/mean");
            CUdeviceptr var = weights.get(b.name() + "/variance");
            return () -> CudaCalls.cudnn(JCudnn.cudnnBatchNormalizationForwardInference(h, CUDNN_BATCHNORM_SPATIAL, ONE,
                    ZERO, xd, x, xd, y, bn, scale, bias, mean, var, b.epsilon()), b.name() + ": cudnnBatchNormalizationForwardInference");
        }
        if (s instanceof Step.Relu r) {
            cudnnTensorDescriptor xd = desc(r.input());
            cudnnActivationDescriptor relu = d.relu();
            return () -> CudaCalls.cudnn(JCudnn.cudnnActivationForward(h, relu, ONE, xd, x, ZERO, xd, y),
                    r.name() + ": cudnnActivationForward");
        }
        if (s instanceof Step.Pool p && !cudnnPooling) {
            PoolLaunch launch = poolLaunch(p);
            CUstream stream = stream(i);
            int mode = PoolGeometry.mode(p.mode());
            return () -> kernels.pool(stream, launch.type(), launch.lanes(), y, x, launch.geometry(), mode, n);
        }
        if (s instanceof Step.Pool p) {
            CudnnGeometry.Pool g = CudnnGeometry.pool(p, shape(p.input()), n);
            return pooling(p.name(), g, desc(p.input()), p.output(), x, y, h);
        }
        if (s instanceof Step.GlobalPool gp) {
            CudnnGeometry.Pool g = CudnnGeometry.globalPool(gp.mode(), shape(gp.input()), n);
            return pooling(gp.name(), g, desc(gp.input()), gp.output(), x, y, h);
        }
        if (s instanceof Step.Concat c) {
            return concat(c, i, stream(i));
        }
        if (s instanceof Step.Dense dense) {
            return dense(dense, x, y);
        }
        if (s instanceof Step.Softmax sm) {
            cudnnTensorDescriptor xd = desc(sm.input());
            return () -> CudaCalls.cudnn(JCudnn.cudnnSoftmaxForward(h, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE,
                    ONE, xd, x, ZERO, xd, y), sm.name() + ": cudnnSoftmaxForward");
        }
        throw new GpuException("the GPU executor has no implementation of " + s);
    }

    /** A pooling step as kernels/pooling.cu runs it: its geometry, element type and channels per thread. */
    private record PoolLaunch(PoolGeometry geometry, StorageType type, int lanes) {
    }

    private PoolLaunch poolLaunch(Step.Pool p) {
        int stride = tensors.pixelStride(p.output());
        int offset = tensors.channelOffset(p.output());
        PoolGeometry g = PoolGeometry.of(p, shape(p.input()), stride);
        Shape expected = shape(p.output());
        if (g.outHeight() != expected.height() || g.outWidth() != expected.width()) {
            throw new GpuException(p.name() + ": the pooling kernel would produce " + g.outHeight() + "x"
                    + g.outWidth() + ", the plan expects " + expected);
        }
        StorageType type = types.of(p.output());
        return new PoolLaunch(g, type, KernelModule.poolLanes(type, g.channels(), stride, offset));
    }

    private Runnable pooling(String name, CudnnGeometry.Pool g, cudnnTensorDescriptor xd, int output, Pointer x,
                             Pointer y, cudnnHandle h) {
        cudnnPoolingDescriptor pd = d.pooling(g);
        cudnnTensorDescriptor yd = tensors.desc(output, g.output());
        return () -> CudaCalls.cudnn(JCudnn.cudnnPoolingForward(h, pd, ONE, xd, x, ZERO, yd, y),
                name + ": cudnnPoolingForward");
    }

    /** One part of a concatenation: its tensor, type, channels, and where they go in the output's channels. */
    private record ConcatPart(int tensor, StorageType type, int channels, int total, int offset) {
    }

    private List<ConcatPart> concatParts(Step.Concat c) {
        List<ConcatPart> parts = new ArrayList<>();
        int total = shape(c.output()).channels();
        int offset = 0;
        for (int part : c.inputs()) {
            int channels = shape(part).channels();
            parts.add(new ConcatPart(part, types.of(c.output()), channels, total, offset));
            offset += channels;
        }
        return parts;
    }

    private Runnable concat(Step.Concat c, int step, CUstream stream) {
        if (plan.inPlace(c)) {
            return () -> { };   // every part was written into its channel slice already
        }
        if (copiedEarly.contains(step)) {
            return () -> { };   // every part was copied on its branch's lane (order())
        }
        Shape out = shape(c.output());
        long pixels = (long) n * out.height() * out.width();
        CUdeviceptr y = at(c.output());
        List<Runnable> copies = new ArrayList<>();
        for (ConcatPart part : concatParts(c)) {
            copies.add(copy(part, y, pixels, stream));
        }
        return () -> copies.forEach(Runnable::run);
    }

    /** Copies one part into its channel slice of the concatenation's output y. */
    private Runnable copy(ConcatPart part, CUdeviceptr y, long pixels, CUstream stream) {
        CUdeviceptr x = at(part.tensor());
        return () -> kernels.concat(stream, part.type(), y, x, pixels, part.channels(), part.total(), part.offset());
    }

    private String gemmName(Step.Dense s) {
        return types.of(s.input()) == StorageType.FLOAT ? "sgemm" : "gemmEx";
    }

    /**
     * y = x W + b. float32 inputs: cublasSgemm. 16-bit inputs: cublasGemmEx with 16-bit A and B, float32 C and
     * float32 accumulation (CUBLAS_COMPUTE_32F), so the logits are never rounded to 16 bits. The bias is float32.
     */
    private Runnable dense(Step.Dense s, CUdeviceptr x, CUdeviceptr y) {
        int inputs = shape(s.input()).channels();
        CudnnGeometry.Gemm g = CudnnGeometry.dense(n, inputs, s.units());
        CUdeviceptr kernel = weights.get(s.name() + "/kernel");
        CUdeviceptr bias = weights.get(s.name() + "/bias");
        cudnnTensorDescriptor bd = d.channels(s.units(), StorageType.FLOAT);
        cudnnTensorDescriptor yd = desc(s.output());
        StorageType in = types.of(s.input());
        String call = s.name() + ": cublas" + (in == StorageType.FLOAT ? "Sgemm" : "GemmEx");
        Runnable gemm = in == StorageType.FLOAT
                ? () -> CudaCalls.cublas(JCublas2.cublasSgemm(cx.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, g.m(), g.n(), g.k(),
                        ONE, kernel, g.lda(), x, g.ldb(), ZERO, y, g.ldc()), call)
                // cublasGemmEx_new passes cuBLAS 11+'s cublasComputeType_t through; JCublas's cublasGemmEx takes
                // the pre-11 cudaDataType there and refuses CUBLAS_COMPUTE_32F as NOT_SUPPORTED
                : () -> CudaCalls.cublas(JCublas2.cublasGemmEx_new(cx.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, g.m(), g.n(),
                        g.k(), ONE, kernel, in.cuda, g.lda(), x, in.cuda, g.ldb(), ZERO, y, StorageType.FLOAT.cuda,
                        g.ldc(), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), call);
        return () -> {
            gemm.run();
            CudaCalls.cudnn(JCudnn.cudnnAddTensor(cx.cudnn(), ONE, bd, bias, ONE, yd, y), s.name() + ": cudnnAddTensor");
        };
    }

    TensorSpec tensor(int id) {
        return plan.tensor(id);
    }

    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
        if (stepGraphs != null) {
            for (CudaGraph g : stepGraphs) {
                if (g != null) {
                    g.close();
                }
            }
            stepGraphs = null;
        }
        closeDescriptors();
    }

    private void closeDescriptors() {
        convs.close();
        d.close();
    }
}
