package dev.inception.gpu;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBackendDescriptor;
import jcuda.jcudnn.cudnnHandle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.inception.gpu.CudnnBackend.*;

/**
 * A fused convolution step, y = ReLU(conv(x, w) + b), searched among cuDNN's backend-API execution plans in two
 * forms: one operation graph of convolution, bias add and ReLU (the two intermediates virtual float32 tensors), and
 * the convolution alone followed by kernels/bias_relu.cu (the form PyTorch's convolutions take, whose engines are
 * precompiled); for each form, the plans cuDNN's heuristic (mode A) ranks first.
 *
 * <p>Why: the legacy cudnnFindConvolutionForwardAlgorithm chooses among eight algorithm families, and on the H200
 * it picked IMPLICIT_PRECOMP_GEMM for every fp16 convolution at batch 256, several of them at under a tenth of the
 * memory bandwidth they need. The backend API reaches the engines PyTorch uses (it benchmarks them, with
 * cudnn.benchmark on). The choice is measured the same way: each of the first {@code tried} plans that cuDNN
 * finalizes and that fits the workspace runs once to warm up and {@link #RUNS} times between CUDA events, and the
 * fastest wins only if it beats the legacy algorithm's time as cudnnFind measured it (for the convolution alone,
 * without the bias and ReLU the plan includes): otherwise the step keeps the legacy call.
 *
 * <p>The measurement runs on the program's own tensors before any pass (programs are built before their input is
 * uploaded), after waiting for work in flight, since a plan writes y. Decisions are remembered per process like
 * {@link ConvAlgorithms}'s, so a second program with the same geometry builds only the plan that won.
 */
final class ConvEngines {

    /** The tensors' unique ids in the graph and the variant pack. */
    static final long X = 1;
    static final long W = 2;
    static final long B = 3;
    static final long Y = 4;
    private static final long CONV_OUT = 5;
    private static final long BIASED = 6;

    /** Timed runs per plan, after one warm-up run. */
    static final int RUNS = 3;

    /**
     * How long one program's search may take, in seconds, unless {@link GpuProperties#ENGINE_SEARCH_SECONDS} says
     * otherwise: finalizing a plan may compile its kernels at run time (cuDNN's runtime-fusion engines use NVRTC), and a search that
     * outlasted a benchmark's budget would leave nothing measured. Once it is spent, the convolutions not yet decided
     * keep their legacy algorithms, and {@link #summary()} says how many.
     */
    static final int SEARCH_SECONDS = 60;

    /** The two forms of a fused convolution's graph. */
    enum Form {
        /** conv -> bias add -> ReLU in one graph */
        FUSED,
        /** the convolution alone, then kernels/bias_relu.cu */
        CONV_THEN_KERNEL
    }

    /** A decision: the form and rank (heuristic order) of the plan that won and its time, or {@link #LEGACY}. */
    private record Decided(Form form, int rank, float milliseconds) {
    }

    private static final Decided LEGACY = new Decided(Form.FUSED, -1, -1f);
    private static final Map<String, Decided> DECIDED = new ConcurrentHashMap<>();

    /**
     * One fused convolution's operands and layout.
     *
     * @param xPixelStride elements from one pixel of x to the next: its channels, or its parent's for a slice
     * @param yPixelStride the same for y (a channel slice of the block output with copy-free concatenation)
     * @param kernel       y = ReLU(y + b) in place by kernels/bias_relu.cu, on the step's stream: what follows a
     *                     {@link Form#CONV_THEN_KERNEL} plan; null searches the fused form only
     */
    record Operands(CudnnGeometry.Conv g, StorageType type, CUdeviceptr x, int xPixelStride, CUdeviceptr w,
                    CUdeviceptr b, CUdeviceptr y, int yPixelStride, Runnable kernel) {
    }

    /**
     * A plan cuDNN finalized: its form, its rank in the heuristic's list for that form (of how many), its engine's
     * global index, its workspace.
     */
    record Candidate(Form form, int rank, int ranked, long engine, long workspaceBytes, cudnnBackendDescriptor plan) {
        String describe() {
            return "engine " + engine + " (heuristic rank " + rank + " of " + ranked + ")"
                    + (form == Form.CONV_THEN_KERNEL ? " + kernel bias_relu" : "");
        }
    }

    /** The plan chosen for a step, with the time measured for it when it was chosen. */
    record Choice(Candidate candidate, float milliseconds) {
    }

    private final CudnnBackend api;
    private final int tried;
    /** What the searches of this object's program found, for --verbose: see {@link #summary()}. */
    private int steps;
    private int won;
    private int wonWithKernel;
    private int graphsRefused;
    private String firstRefusal;
    private int slower;
    private int refusedPlans;
    private int unsearched;
    private long searchNanos;
    private final long budgetNanos;

    /** @param tried how many of the heuristic's plans to build and time (at least 1) */
    ConvEngines(CudnnBackend api, int tried) {
        if (tried < 1) {
            throw new IllegalArgumentException("at least one engine configuration must be tried, got " + tried);
        }
        this.api = api;
        this.tried = tried;
        this.budgetNanos = (long) (Double.parseDouble(System.getProperty(GpuProperties.ENGINE_SEARCH_SECONDS,
                String.valueOf(SEARCH_SECONDS))) * 1e9);
    }

    int tried() {
        return tried;
    }

    /**
     * "backend plans for 80 of 94 fused convolutions (50 of them the convolution alone + kernel bias_relu; 14 kept the
     * legacy algorithm, faster; 0 had no plan that runs; 6 plans refused to finalize), search 12.3 s": where the plans
     * won, and why the rest did not (a refused plan is often an engine that compiles at run time and found no NVRTC;
     * a refused graph, a form cuDNN does not take here, is named with its first refusal).
     */
    String summary() {
        return "backend plans for " + won + " of " + steps + " fused convolutions (" + wonWithKernel
                + " of them the convolution alone + kernel bias_relu; " + slower
                + " kept the legacy algorithm, faster; " + (steps - won - slower - unsearched)
                + " had no plan that runs; " + refusedPlans + " plans refused to finalize"
                + (graphsRefused == 0 ? "" : "; " + graphsRefused + " graphs refused, the first: " + firstRefusal)
                + (unsearched == 0 ? "" : "; " + unsearched + " not searched, the search's "
                + budgetNanos / 1_000_000_000 + " s being spent") + "), search "
                + String.format(java.util.Locale.ROOT, "%.1f", searchNanos / 1e9) + " s";
    }

    /**
     * The plan to run the step with, or null to keep the legacy call.
     *
     * @param key      device, precision, geometry and layout: everything the answer depends on
     * @param legacyMs cudnnFind's time for the legacy algorithm the step runs otherwise (negative: unmeasured)
     * @param limit    the most workspace a plan may use
     */
    Choice choose(String key, String step, cudnnHandle h, CUstream stream, Operands o, float legacyMs, long limit) {
        steps++;
        Decided decided = DECIDED.get(key);
        if (LEGACY.equals(decided)) {
            slower++;
            return null;
        }
        if (decided == null && searchNanos >= budgetNanos) {
            unsearched++;   // not remembered: another program, with its own budget, may search it
            return null;
        }
        long start = System.nanoTime();
        try {
            return search(key, step, h, stream, o, legacyMs, limit, decided);
        } finally {
            searchNanos += System.nanoTime() - start;
        }
    }

    private Choice search(String key, String step, cudnnHandle h, CUstream stream, Operands o, float legacyMs,
                          long limit, Decided decided) {
        List<Candidate> plans = new ArrayList<>();
        List<Form> forms = o.kernel() == null ? List.of(Form.FUSED) : List.of(Form.values());
        GpuException refusedHere = null;
        for (Form form : forms) {
            if (decided != null && decided.form() != form) {
                continue;
            }
            List<cudnnBackendDescriptor> configs;
            try {
                configs = configs(graph(h, o, step, form), step);
            } catch (GpuException e) {
                // a form this cuDNN does not take (a fusion it has no engine for): the other form may still run
                graphsRefused++;
                firstRefusal = firstRefusal != null ? firstRefusal : form + " " + e.getMessage();
                if (refusedHere != null || forms.size() == 1 || decided != null) {
                    throw e;   // no form at all: the caller turns the search off, reported as a fallback
                }
                refusedHere = e;
                continue;
            }
            int found = 0;
            for (int rank = 0; rank < configs.size() && found < tried; rank++) {
                if (decided != null && decided.rank() != rank) {
                    continue;
                }
                Candidate c = plan(h, configs.get(rank), form, rank, configs.size());
                if (c == null) {
                    refusedPlans++;
                } else if (c.workspaceBytes() <= limit) {
                    plans.add(c);
                    found++;
                }
            }
        }
        if (decided != null) {
            count(plans.isEmpty() ? null : plans.get(0));
            return plans.isEmpty() ? null : new Choice(plans.get(0), decided.milliseconds());
        }
        Choice best = fastest(plans, h, stream, o);
        boolean wins = best != null && (legacyMs < 0 || best.milliseconds() < legacyMs);
        DECIDED.put(key, wins ? new Decided(best.candidate().form(), best.candidate().rank(), best.milliseconds())
                : LEGACY);
        count(wins ? best.candidate() : null);
        slower += best != null && !wins ? 1 : 0;
        return wins ? best : null;
    }

    private void count(Candidate winner) {
        won += winner == null ? 0 : 1;
        wonWithKernel += winner != null && winner.form() == Form.CONV_THEN_KERNEL ? 1 : 0;
    }

    /** The form's graph, finalized: x, w, b -> conv -> + b -> ReLU -> y, or x, w -> conv -> y. */
    private cudnnBackendDescriptor graph(cudnnHandle h, Operands o, String step, Form form) {
        cudnnBackendDescriptor graph = api.create(OPERATIONGRAPH_DESCRIPTOR, step + " graph");
        api.addresses(graph, OPERATIONGRAPH_HANDLE, TYPE_HANDLE, h);
        api.addresses(graph, OPERATIONGRAPH_OPS, TYPE_BACKEND_DESCRIPTOR,
                operations(o, step, form).toArray(new cudnnBackendDescriptor[0]));
        api.mustFinalize(graph, step + " operation graph");
        return graph;
    }

    /**
     * The form's operations, each finalized: host-side work that needs no handle, so that real cuDNN checks every
     * attribute's encoding on a machine without a GPU (RealCudnnGraphProbe). The convolution writes y itself in the
     * form without the bias and ReLU.
     */
    List<cudnnBackendDescriptor> operations(Operands o, String step, Form form) {
        CudnnGeometry.Conv g = o.g();
        CudnnGeometry.Dims in = g.input();
        CudnnGeometry.Dims out = g.output();
        int data = o.type().cudnn;
        int f32 = StorageType.FLOAT.cudnn;
        cudnnBackendDescriptor x = tensor(X, data, nchwOf(in), nhwcStrides(in, o.xPixelStride()), alignment(o.x()));
        cudnnBackendDescriptor w = tensor(W, data, new long[] {g.k(), in.c(), g.r(), g.s()},
                new long[] {(long) g.r() * g.s() * in.c(), 1, (long) g.s() * in.c(), in.c()}, alignment(o.w()));
        cudnnBackendDescriptor y = tensor(Y, data, nchwOf(out), nhwcStrides(out, o.yPixelStride()), alignment(o.y()));
        boolean fused = form == Form.FUSED;
        cudnnBackendDescriptor convOut = fused
                ? tensor(CONV_OUT, f32, nchwOf(out), nhwcStrides(out, out.c()), VIRTUAL) : y;

        cudnnBackendDescriptor conv = api.create(CONVOLUTION_DESCRIPTOR, step + " convolution");
        api.enumValue(conv, CONVOLUTION_COMP_TYPE, TYPE_DATA_TYPE, f32);
        api.enumValue(conv, CONVOLUTION_CONV_MODE, TYPE_CONVOLUTION_MODE, CROSS_CORRELATION);
        api.longs(conv, CONVOLUTION_SPATIAL_DIMS, 2);
        api.longs(conv, CONVOLUTION_DILATIONS, 1, 1);
        api.longs(conv, CONVOLUTION_FILTER_STRIDES, g.strideH(), g.strideW());
        api.longs(conv, CONVOLUTION_PRE_PADDINGS, g.padH(), g.padW());
        api.longs(conv, CONVOLUTION_POST_PADDINGS, g.padH(), g.padW());
        api.mustFinalize(conv, step + " convolution");

        cudnnBackendDescriptor convOp = api.create(OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR, step + " conv op");
        api.addresses(convOp, OPERATION_CONVOLUTION_FORWARD_X, TYPE_BACKEND_DESCRIPTOR, x);
        api.addresses(convOp, OPERATION_CONVOLUTION_FORWARD_W, TYPE_BACKEND_DESCRIPTOR, w);
        api.addresses(convOp, OPERATION_CONVOLUTION_FORWARD_Y, TYPE_BACKEND_DESCRIPTOR, convOut);
        api.addresses(convOp, OPERATION_CONVOLUTION_FORWARD_CONV_DESC, TYPE_BACKEND_DESCRIPTOR, conv);
        api.floatValue(convOp, OPERATION_CONVOLUTION_FORWARD_ALPHA, 1f);
        api.floatValue(convOp, OPERATION_CONVOLUTION_FORWARD_BETA, 0f);
        api.mustFinalize(convOp, step + " conv op");

        if (!fused) {
            return List.of(convOp);
        }
        cudnnBackendDescriptor b = tensor(B, data, new long[] {1, g.k(), 1, 1}, new long[] {g.k(), 1, g.k(), g.k()},
                alignment(o.b()));
        cudnnBackendDescriptor biased = tensor(BIASED, f32, nchwOf(out), nhwcStrides(out, out.c()), VIRTUAL);
        cudnnBackendDescriptor addOp = pointwise(POINTWISE_ADD, convOut, b, biased, step + " bias add");
        cudnnBackendDescriptor reluOp = pointwise(POINTWISE_RELU_FWD, biased, null, y, step + " relu");
        return List.of(convOp, addOp, reluOp);
    }

    /** NCHW dimension order, as the backend API's 4-d tensors are described whatever their layout. */
    static long[] nchwOf(CudnnGeometry.Dims d) {
        return new long[] {d.n(), d.c(), d.h(), d.w()};
    }

    /** The NCHW-ordered strides of an NHWC tensor whose pixels are pixelStride elements apart. */
    static long[] nhwcStrides(CudnnGeometry.Dims d, int pixelStride) {
        long w = pixelStride;
        return new long[] {(long) d.h() * d.w() * w, 1, d.w() * w, w};
    }

    /** The alignment a virtual tensor declares (it has no address; cuDNN places it). */
    private static final long VIRTUAL = 0;

    /**
     * What a tensor's start address is aligned to, up to the 16 bytes of the widest vector loads: declared, not
     * assumed, since a channel slice starts wherever its channel offset puts it.
     */
    static long alignment(CUdeviceptr p) {
        return Long.lowestOneBit(CudnnBackend.address(p) | 16);
    }

    /** @param alignment the start address's alignment in bytes, or {@link #VIRTUAL} for a virtual tensor */
    private cudnnBackendDescriptor tensor(long uid, int dataType, long[] dims, long[] strides, long alignment) {
        cudnnBackendDescriptor t = api.create(TENSOR_DESCRIPTOR, "tensor " + uid);
        api.enumValue(t, TENSOR_DATA_TYPE, TYPE_DATA_TYPE, dataType);
        api.longs(t, TENSOR_DIMENSIONS, dims);
        api.longs(t, TENSOR_STRIDES, strides);
        api.longs(t, TENSOR_UNIQUE_ID, uid);
        api.longs(t, TENSOR_BYTE_ALIGNMENT, alignment == VIRTUAL ? 16 : alignment);
        if (alignment == VIRTUAL) {
            api.bool(t, TENSOR_IS_VIRTUAL, true);
        }
        api.mustFinalize(t, "tensor " + uid);
        return t;
    }

    /** A pointwise operation in float32: y = x + b (b broadcast over pixels), or y = ReLU(x) where b is null. */
    private cudnnBackendDescriptor pointwise(int mode, cudnnBackendDescriptor x, cudnnBackendDescriptor b,
                                             cudnnBackendDescriptor y, String what) {
        cudnnBackendDescriptor pw = api.create(POINTWISE_DESCRIPTOR, what);
        api.enumValue(pw, POINTWISE_MODE, TYPE_POINTWISE_MODE, mode);
        api.enumValue(pw, POINTWISE_MATH_PREC, TYPE_DATA_TYPE, StorageType.FLOAT.cudnn);
        api.mustFinalize(pw, what);
        cudnnBackendDescriptor op = api.create(OPERATION_POINTWISE_DESCRIPTOR, what + " op");
        api.addresses(op, OPERATION_POINTWISE_PW_DESCRIPTOR, TYPE_BACKEND_DESCRIPTOR, pw);
        api.addresses(op, OPERATION_POINTWISE_XDESC, TYPE_BACKEND_DESCRIPTOR, x);
        if (b != null) {
            api.addresses(op, OPERATION_POINTWISE_BDESC, TYPE_BACKEND_DESCRIPTOR, b);
        }
        api.addresses(op, OPERATION_POINTWISE_YDESC, TYPE_BACKEND_DESCRIPTOR, y);
        api.mustFinalize(op, what + " op");
        return op;
    }

    /** The heuristic's engine configurations for the graph, best first (at most {@code tried} of them plus margin). */
    private List<cudnnBackendDescriptor> configs(cudnnBackendDescriptor graph, String step) {
        cudnnBackendDescriptor heur = api.create(ENGINEHEUR_DESCRIPTOR, step + " heuristic");
        api.addresses(heur, ENGINEHEUR_OPERATION_GRAPH, TYPE_BACKEND_DESCRIPTOR, graph);
        api.enumValue(heur, ENGINEHEUR_MODE, TYPE_HEUR_MODE, HEUR_MODE_A);
        api.mustFinalize(heur, step + " heuristic");
        long count = api.count(heur, ENGINEHEUR_RESULTS, TYPE_BACKEND_DESCRIPTOR);
        // a few more than tried: some configurations do not finalize into a plan on every GPU
        int wanted = (int) Math.min(count, Math.min(2L * tried + 2, 64));
        return wanted == 0 ? List.of()
                : api.descriptors(heur, ENGINEHEUR_RESULTS, ENGINECFG_DESCRIPTOR, wanted, step + " engine configs");
    }

    /** The execution plan of one configuration, or null where cuDNN refuses to finalize it. */
    private Candidate plan(cudnnHandle h, cudnnBackendDescriptor config, Form form, int rank, int ranked) {
        cudnnBackendDescriptor plan = api.create(EXECUTION_PLAN_DESCRIPTOR, "plan " + rank);
        api.addresses(plan, EXECUTION_PLAN_HANDLE, TYPE_HANDLE, h);
        api.addresses(plan, EXECUTION_PLAN_ENGINE_CONFIG, TYPE_BACKEND_DESCRIPTOR, config);
        if (api.tryFinalize(plan) != 0) {
            return null;
        }
        return new Candidate(form, rank, ranked, engineIndex(config), api.getLong(plan, EXECUTION_PLAN_WORKSPACE_SIZE),
                plan);
    }

    /** The global index of a configuration's engine (the number cuDNN's logs and PyTorch's tags use); -1 if unknown. */
    private long engineIndex(cudnnBackendDescriptor config) {
        try {
            List<cudnnBackendDescriptor> engine = api.descriptors(config, ENGINECFG_ENGINE, ENGINE_DESCRIPTOR, 1,
                    "engine");
            return engine.isEmpty() ? -1 : api.getLong(engine.get(0), ENGINE_GLOBAL_INDEX);
        } catch (GpuException e) {
            return -1;   // only a name: the plan itself finalized
        }
    }

    /** The variant pack that binds a plan's tensors to memory: x, w, (b,) y and the workspace. */
    cudnnBackendDescriptor variantPack(Operands o, Form form, jcuda.Pointer workspace) {
        cudnnBackendDescriptor pack = api.create(VARIANT_PACK_DESCRIPTOR, "variant pack");
        if (form == Form.FUSED) {
            api.longs(pack, VARIANT_PACK_UNIQUE_IDS, X, W, B, Y);
            api.addresses(pack, VARIANT_PACK_DATA_POINTERS, TYPE_VOID_PTR, o.x(), o.w(), o.b(), o.y());
        } else {
            api.longs(pack, VARIANT_PACK_UNIQUE_IDS, X, W, Y);
            api.addresses(pack, VARIANT_PACK_DATA_POINTERS, TYPE_VOID_PTR, o.x(), o.w(), o.y());
        }
        api.addresses(pack, VARIANT_PACK_WORKSPACE, TYPE_VOID_PTR, workspace);
        api.mustFinalize(pack, "variant pack");
        return pack;
    }

    /**
     * Runs one plan: cudnnBackendExecute, then, for a convolution-alone plan that ran, the bias + ReLU kernel after
     * it. The status of the execute.
     */
    static int execute(cudnnHandle h, Candidate c, cudnnBackendDescriptor pack, Operands o) {
        int status = JCudnn.cudnnBackendExecute(h, c.plan(), pack);
        if (status == 0 && c.form() == Form.CONV_THEN_KERNEL) {
            o.kernel().run();
        }
        return status;
    }

    /**
     * Times every plan on the step's own tensors (a convolution-alone plan with the kernel after it); the fastest,
     * or null where none runs.
     */
    private Choice fastest(List<Candidate> plans, cudnnHandle h, CUstream stream, Operands o) {
        if (plans.isEmpty()) {
            return null;
        }
        // a plan writes y, which may be memory a pass still in flight uses (the arena is shared by batch sizes)
        JCudaDriver.cuCtxSynchronize();
        long most = plans.stream().mapToLong(Candidate::workspaceBytes).max().orElse(0);
        try (EventTimer timer = new EventTimer();
             DeviceBuffer scratch = new DeviceBuffer(most, "workspace for timing cuDNN engines")) {
            Choice best = null;
            for (Candidate c : plans) {
                cudnnBackendDescriptor pack = variantPack(o, c.form(), scratch.ptr());
                float each = timer.each(stream, RUNS, () -> execute(h, c, pack, o));
                if (each < 0) {
                    continue;   // warm-up refused: this plan does not run here
                }
                if (best == null || each < best.milliseconds()) {
                    best = new Choice(c, each);
                }
            }
            return best;
        }
    }
}
