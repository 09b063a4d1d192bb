package dev.inception.gpu;

import dev.inception.EngineOptions;
import dev.inception.Executor;
import dev.inception.StepTime;
import dev.inception.Tensor;
import dev.inception.plan.Plan;
import dev.inception.plan.TensorSpec;
import dev.inception.weights.Weights;
import jcuda.Sizeof;
import jcuda.driver.CUevent;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a plan on one GPU with cuDNN, cuBLAS and this project's kernels, in NHWC like the CPU executor, with the
 * same arena layout (offsets and sizes times the batch), in float32 or, for FP16 and BF16, with 16-bit activations
 * and weights (TensorTypes). What comes back to the host is always float32.
 *
 * <p>Everything is allocated when the executor opens, sized for the engine's maximum batch: weights (once, in the
 * GPU's layouts), the activation arena, one cuDNN workspace (what the maximum batch's algorithms need, raised
 * to the limit where memory allows: {@link Workspace#sliceBytes}), pinned staging buffers. A forward pass only
 * copies, enqueues and synchronises once at the end; from the second pass at a batch
 * size on, the enqueue is one CUDA graph launch ({@link EngineOptions.Gpu#cudaGraphs()}), and with branch streams the
 * branches of each mixed block run side by side ({@link BranchLanes}). Convolution algorithms are chosen by
 * measurement (cudnnFindConvolutionForwardAlgorithm) for each batch size on its first use, once per geometry,
 * precision and batch in the process, always within the workspace as allocated. Calls are
 * synchronized: one pass is enqueued at a time, and {@link #submitImages} keeps two in flight.
 */
public final class GpuExecutor implements Executor {

    /** Upper bound for the convolution workspace: generous on a data-centre GPU, and the choice is logged. */
    static final long WORKSPACE_LIMIT = 512L << 20;
    /** Replays of a step's own graph per profiled step (see {@link #profile}). */
    static final int STEP_REPEATS = 5;

    private final Plan plan;
    private final int maxBatch;
    private final boolean graphs;
    private final int streamsMaxBatch;
    private final CudaContext cx;
    private final Resources owned = new Resources();
    private final DeviceWeights weights;
    private final DeviceBuffer arena;
    private final KernelModule kernels;
    private final TensorTypes types;
    private final Workspace workspace;
    private final BranchLanes lanes;
    private final GpuProgram.Shared shared;
    /** Per batch size: the programs passes run (with branch lanes where on), and the stepwise ones profiles run. */
    private final Map<Integer, GpuProgram> programs = new HashMap<>();
    private final Map<Integer, GpuProgram> stepwise = new HashMap<>();
    private final Staging stagingIn;
    private final Staging stagingOut;
    private final List<Fallback> fallbacks = new ArrayList<>();
    /** {@code --gpu-resize}: decoded images resized on the GPU; null where off. */
    private final GpuResize resize;
    /** Made on the first batch of images ({@link #submitImages}): engines never given images pay nothing for it. */
    private TransferPipeline pipeline;
    /** The same for float32 batches ({@link #submit(Tensor, List)}), with slots four times as large. */
    private TransferPipeline floatPipeline;
    /** Made on the first float32 batch of a 16-bit executor ({@link #upload}); image-only engines pay nothing. */
    private DeviceBuffer floatInputs;
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();
    private boolean closed;

    public GpuExecutor(Plan plan, Weights w, EngineOptions options) {
        this.plan = plan;
        this.maxBatch = options.maxBatch();
        this.graphs = options.gpu().cudaGraphs();
        this.streamsMaxBatch = options.gpu().streamsMaxBatch();
        this.resize = options.gpu().gpuResize() ? new GpuResize(plan.inputTensor().name(), fallbacks::add) : null;
        this.cx = new CudaContext(options.device(), options.precision());
        owned.own(cx);
        try {
            types = new TensorTypes(plan, options.precision());
            weights = own(new DeviceWeights(plan, w, types.activations()));
            arena = own(new DeviceBuffer(plan.arenaElements() * maxBatch * Sizeof.FLOAT,
                    "the activation arena for a batch of " + maxBatch));
            kernels = own(new KernelModule());
            // branch lanes only where the plan's arena lets branches run at the same time
            lanes = options.gpu().branchStreams() && plan.concurrentBranches() ? own(new BranchLanes(cx)) : null;
            workspace = own(new Workspace(WORKSPACE_LIMIT, BranchLanes.count(lanes)));
            shared = new GpuProgram.Shared(plan, cx, arena, weights, kernels, types, workspace,
                    scratch(plan, BranchLanes.count(lanes)), options.gpu().cudnnPooling(), engines(options),
                    options.gpu().biasReluKernel(), options.gpu().gemm1x1(), fallbacks::add);
            GpuProgram full = own(new GpuProgram(shared, maxBatch, lanesAt(maxBatch), graphs));
            programs.put(maxBatch, full);
            workspace.allocate(full.workspaceNeeded(), cx.memoryInfo()[0]);
            // one staging buffer each way, bounded (Staging.LIMIT): taps at a large batch pass 2 GiB
            stagingIn = own(new Staging(plan.inputTensor().elements() * maxBatch * Sizeof.FLOAT));
            long keptElements = plan.kept().stream().mapToLong(t -> plan.tensor(t).elements()).sum();
            stagingOut = own(new Staging(keptElements * maxBatch * Sizeof.FLOAT));
            JCudaDriver.cuEventCreate(start, 0);
            JCudaDriver.cuEventCreate(stop, 0);
            owned.own(() -> {
                JCudaDriver.cuEventDestroy(start);
                JCudaDriver.cuEventDestroy(stop);
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * With copy-free concatenation: room for the largest channel slice at the maximum batch, per lane, for
     * convolutions whose strided output cuDNN refuses (ConvolutionCall.Detour); null without slices.
     */
    private GpuProgram.Scratch scratch(Plan plan, int laneCount) {
        long largest = plan.tensors().stream().filter(TensorSpec::isSlice).mapToLong(TensorSpec::elements).max()
                .orElse(0);
        if (largest == 0) {
            return null;
        }
        long laneBytes = largest * maxBatch * Sizeof.FLOAT;
        return new GpuProgram.Scratch(own(new DeviceBuffer(laneBytes * laneCount, "copy-free concatenation's scratch")),
                laneBytes);
    }

    /**
     * How many backend plans to time per fused convolution: as asked for fp16 and bf16, none for fp32 and tf32 (whose
     * math the legacy math types pin down: FMA only for fp32; the backend's engines would need filtering by their
     * numerical notes to keep TF32 out).
     */
    private static int engines(EngineOptions options) {
        return options.precision().sixteenBit() ? options.gpu().cudnnEngines() : 0;
    }

    /** The branch lanes for a batch size: none above the largest batch that uses them (EngineOptions.Gpu). */
    private BranchLanes lanesAt(int batch) {
        return batch <= streamsMaxBatch ? lanes : null;
    }

    private <T extends AutoCloseable> T own(T resource) {
        return owned.own(resource);
    }

    @Override
    public String backend() {
        return "gpu";
    }

    /** The device, memory use and the convolution algorithms chosen so far, one line each (shown with --verbose). */
    @Override
    public synchronized List<String> describe() {
        List<String> lines = new ArrayList<>();
        // each replayed batch size with the operations one launch of its graph runs
        List<String> replayed = new java.util.TreeMap<>(programs).entrySet().stream()
                .filter(e -> e.getValue().replaysGraph())
                .map(e -> e.getKey() + nodes(e.getValue().graphNodes())).toList();
        lines.add("gpu: " + cx.deviceName() + ", " + cx.precision() + ", CUDA graphs "
                + (!graphs ? "off" : replayed.isEmpty() ? "on (none captured yet)" : "on (replaying batch "
                + String.join(", ", replayed) + ")")
                + ", weights " + (weights.bytes() >> 20)
                + " MiB, arena " + (arena.bytes() >> 20) + " MiB (batch " + maxBatch + "), workspace "
                + (workspace.bytes() >> 20) + " MiB"
                + (lanes == null ? "" : ", branch streams " + BranchLanes.count(lanes) + " (batches up to "
                + streamsMaxBatch + ")")
                + (shared.cudnnEngines() == 0 ? "" : ", cuDNN backend plans (" + shared.cudnnEngines()
                + " timed per convolution)")
                + (shared.biasReluKernel() ? ", bias + ReLU by kernel" : "")
                + (shared.gemm1x1() ? ", 1x1 convolutions as GEMMs where faster" : "")
                + (resize == null ? "" : ", images resized on the GPU where the batch allows"));
        programs.forEach((batch, p) -> {
            if (p.enginesSummary() != null) {
                lines.add("  batch " + batch + ": " + p.enginesSummary());
            }
            if (p.gemmSummary() != null) {
                lines.add("  batch " + batch + ": " + p.gemmSummary());
            }
        });
        programs.values().forEach(p -> p.choices().forEach(c -> lines.add("  " + c)));
        fallbacks.forEach(f -> lines.add("  fallback: " + f));
        return lines;
    }

    @Override
    public synchronized List<String> fallbacks() {
        return fallbacks.stream().map(Fallback::toString).toList();
    }

    public String deviceName() {
        return cx.deviceName();
    }

    @Override
    public synchronized Map<String, Tensor> forward(Tensor input, List<String> fetch) {
        GpuProgram program = prepare(input, fetch);
        program.enqueue();
        return download(input.batch(), fetch);
    }

    /** Uploads uint8 images and preprocesses them on the GPU with kernels/preprocess.cu: a submission, awaited. */
    @Override
    public synchronized Map<String, Tensor> forwardImages(byte[] rgb, int batch, dev.inception.model.Shape shape,
                                                         List<String> fetch) {
        return submitImages(rgb, batch, shape, fetch).await();
    }

    /**
     * Enqueues a batch through the {@link TransferPipeline} (its upload and download overlap the neighbouring batches'
     * compute) and returns at once. Outputs too large for a pipeline slot (taps at large batches) come back
     * through the bounded staging buffers before this returns.
     */
    @Override
    public synchronized Pending submitImages(byte[] rgb, int batch, dev.inception.model.Shape shape,
                                             List<String> fetch) {
        if (rgb.length != batch * shape.elements()) {
            throw new IllegalArgumentException(rgb.length + " bytes are not " + batch + " images of " + shape);
        }
        return submitBytes(batch, shape, fetch, pinned -> PinnedBuffer.copyInPieces(rgb, pinned, PinnedBuffer.PIECE));
    }

    /**
     * Decoded images resized straight into the pipeline slot's pinned buffer, in parallel, while the GPU computes
     * the batch before (the slot's previous batch has been collected by then); with --gpu-resize, copied into it at
     * their own size and resized on the GPU, where the batch allows ({@link GpuResize}).
     */
    @Override
    public synchronized Pending submitImages(List<dev.inception.image.RgbImage> images,
                                             dev.inception.image.Interpolation how, dev.inception.model.Shape shape,
                                             List<String> fetch) {
        GpuResize.Sources sources = resize == null ? null
                : resize.take(images, how, shape, imagePipeline(), cx.memoryInfo()[0]);
        if (sources != null) {
            GpuProgram program = prepare(images.size(), shape, fetch);
            return submit(imagePipeline(), program, images.size(), fetch, sources.bytes(), sources::fill,
                    slot -> sources.enqueue(kernels, cx.stream(), types.of(plan.input()), program.at(plan.input()),
                            slot));
        }
        return submitBytes(images.size(), shape, fetch,
                pinned -> dev.inception.image.Preprocess.packInto(images, shape.height(), shape.width(), how, pinned));
    }

    /**
     * A float32 batch (the server's clients' tensors) through a pipeline of its own: written into a slot's pinned
     * buffer, uploaded on the copy stream while the batch before computes, then copied into the input tensor, or
     * narrowed into it by kernels/preprocess.cu where the input is 16-bit.
     */
    @Override
    public synchronized Pending submit(Tensor input, List<String> fetch) {
        GpuProgram program = prepare(input.batch(), input.shape(), fetch);
        if (floatPipeline == null) {
            floatPipeline = own(new TransferPipeline(cx, plan.inputTensor().elements() * maxBatch * Sizeof.FLOAT,
                    outputBytes()));
        }
        StorageType type = types.of(plan.input());
        float[] x = input.data();
        long bytes = (long) x.length * Sizeof.FLOAT;
        return submit(floatPipeline, program, input.batch(), fetch, bytes, pinned -> pinned.asFloatBuffer().put(x),
                floats -> {
                    if (type == StorageType.FLOAT) {
                        JCudaDriver.cuMemcpyDtoDAsync(program.at(plan.input()), floats, bytes, cx.stream());
                    } else {
                        kernels.narrow(cx.stream(), type, program.at(plan.input()), floats, x.length);
                    }
                });
    }

    /** @param fill writes the batch's bytes (batch x shape, uint8 NHWC) from the start of the slot's pinned buffer */
    private Pending submitBytes(int batch, dev.inception.model.Shape shape, List<String> fetch,
                                java.util.function.Consumer<java.nio.ByteBuffer> fill) {
        GpuProgram program = prepare(batch, shape, fetch);
        long bytes = batch * shape.elements();
        return submit(imagePipeline(), program, batch, fetch, bytes, fill,
                images -> kernels.preprocess(cx.stream(), types.of(plan.input()), program.at(plan.input()), images,
                        bytes));
    }

    /** The uint8 images' pipeline, made on first use, its slots sized for the maximum batch at the input size. */
    private TransferPipeline imagePipeline() {
        if (pipeline == null) {
            pipeline = own(new TransferPipeline(cx, plan.inputTensor().elements() * maxBatch, outputBytes()));
        }
        return pipeline;
    }

    /**
     * Enqueues one batch through a pipeline and returns at once. Outputs too large for a pipeline slot (taps at
     * large batches) come back through the bounded staging buffers before this returns.
     *
     * @param load enqueues on the compute stream what makes the program's input from the slot's device copy of the
     *             batch (which the next batch through that slot overwrites)
     */
    private Pending submit(TransferPipeline through, GpuProgram program, int batch, List<String> fetch, long bytes,
                           java.util.function.Consumer<java.nio.ByteBuffer> fill,
                           java.util.function.Consumer<jcuda.driver.CUdeviceptr> load) {
        List<TransferPipeline.Output> outputs = new ArrayList<>();
        for (String layer : fetch) {
            TensorSpec t = plan.tensorOf(layer);
            outputs.add(new TransferPipeline.Output(layer, program.at(t.id()), batch, t.shape(), types.of(t.id())));
        }
        java.util.function.Consumer<jcuda.driver.CUdeviceptr> compute = slot -> {
            load.accept(slot);
            program.enqueue();
        };
        if (through.fits(outputs)) {
            return through.submit(bytes, fill, outputs, compute, this);
        }
        through.submit(bytes, fill, List.of(), compute, this);
        Map<String, Tensor> out = download(batch, fetch);   // on the compute stream, after the pass
        return () -> out;
    }

    /** The most a pass can fetch at the largest batch: every kept tensor but the input, as float32. */
    private long outputBytes() {
        return plan.kept().stream().filter(t -> t != plan.input())
                .mapToLong(t -> plan.tensor(t).elements() * maxBatch * Sizeof.FLOAT).sum();
    }

    @Override
    public synchronized double timeForward(Tensor input) {
        GpuProgram program = prepare(input, List.of());
        JCudaDriver.cuEventRecord(start, cx.stream());
        program.enqueue();
        JCudaDriver.cuEventRecord(stop, cx.stream());
        JCudaDriver.cuEventSynchronize(stop);
        float[] ms = new float[1];
        JCudaDriver.cuEventElapsedTime(ms, start, stop);
        return ms[0];
    }

    /**
     * Step by step with CUDA events around each, waiting for each before the next, every step on the context's
     * stream (a stepwise program, without branch lanes), so each time is that step's alone: on a batch size's first
     * profile each step runs eagerly; on later ones (graphs on) each step is replayed from a graph of its own.
     */
    @Override
    public synchronized List<StepTime> profile(Tensor input) {
        check(input.batch(), input.shape(), List.of());
        GpuProgram program = stepwise.computeIfAbsent(input.batch(), b -> own(new GpuProgram(shared, b, null, graphs)));
        upload(input, program);
        List<StepTime> times = new ArrayList<>();
        float[] ms = new float[1];
        for (int i = 0; i < program.size(); i++) {
            // Events around one eager call also time the host's work of making it (JNI, cuDNN's checks), which at
            // batch 1 exceeds many steps' GPU time. With graphs on, a step's later profiles replay a graph of that
            // step alone STEP_REPEATS times between the events instead: GPU time, plus graph launches only.
            CudaGraph alone = program.stepGraph(i);
            JCudaDriver.cuEventRecord(start, cx.stream());
            if (alone == null) {
                program.run(i);
            } else {
                for (int r = 0; r < STEP_REPEATS; r++) {
                    alone.launch(cx.stream());
                }
            }
            JCudaDriver.cuEventRecord(stop, cx.stream());
            JCudaDriver.cuEventSynchronize(stop);
            JCudaDriver.cuEventElapsedTime(ms, start, stop);
            times.add(new StepTime(program.stepName(i), alone == null ? ms[0] : ms[0] / (double) STEP_REPEATS,
                    program.implementation(i) + (alone == null ? "" : nodes(alone.nodes()))));
        }
        return times;
    }

    /** " (N graph nodes)" for a captured graph: its kernels and copies; nothing where the driver did not say. */
    private static String nodes(int n) {
        return n < 0 ? "" : " (" + n + (n == 1 ? " graph node)" : " graph nodes)");
    }

    /**
     * Checks, makes the context current, uploads the input (narrowed on the device where the input is 16-bit);
     * returns the program for this batch size.
     */
    private GpuProgram prepare(Tensor input, List<String> fetch) {
        GpuProgram program = prepare(input.batch(), input.shape(), fetch);
        upload(input, program);
        return program;
    }

    /**
     * Float32 inputs go up as they are; for 16-bit activations they land in {@link #floatInputs} and
     * kernels/preprocess.cu narrows them into the input tensor (rounding as HalfFloats does): converting on the host
     * cost a loop over every value and a second array per batch, in the path of every server request.
     */
    private void upload(Tensor input, GpuProgram program) {
        StorageType type = types.of(plan.input());
        if (type == StorageType.FLOAT) {
            stagingIn.upload(input.data(), program.at(plan.input()), cx.stream());
            return;
        }
        if (floatInputs == null) {
            floatInputs = own(new DeviceBuffer(plan.inputTensor().elements() * maxBatch * Sizeof.FLOAT,
                    "float32 inputs for a batch of " + maxBatch + ", before their conversion to 16 bits"));
        }
        stagingIn.upload(input.data(), floatInputs.ptr(), cx.stream());
        kernels.narrow(cx.stream(), type, program.at(plan.input()), floatInputs.ptr(), input.data().length);
    }

    /** Checks the batch and the fetch list, makes the context current; returns the program for this batch size. */
    private GpuProgram prepare(int n, dev.inception.model.Shape shape, List<String> fetch) {
        check(n, shape, fetch);
        // algorithms measured at every batch size, once per process (PyTorch's cudnn.benchmark does the same): the
        // heuristic's choice at small batches can be several times slower than the best, and batch 1 is the latency
        // case; a server's first batch of each size pays the measurement once
        return programs.computeIfAbsent(n, b -> own(new GpuProgram(shared, b, lanesAt(b), graphs)));
    }

    private void check(int n, dev.inception.model.Shape shape, List<String> fetch) {
        if (closed) {
            throw new IllegalStateException("this GPU executor is closed");
        }
        plan.checkRequest(shape, fetch);
        if (n > maxBatch) {
            throw new IllegalArgumentException("a batch of " + n + " is larger than this executor's maximum of " + maxBatch);
        }
        cx.makeCurrent();
    }

    private Map<String, Tensor> download(int n, List<String> fetch) {
        GpuProgram program = programs.get(n);
        List<Staging.Download> ranges = new ArrayList<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String layer : fetch) {
            TensorSpec t = plan.tensorOf(layer);
            long elements = t.elements() * n;
            if (elements > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(layer + " at batch " + n + " has " + elements
                        + " values, more than one Java array holds; fetch it with a smaller batch");
            }
            Tensor host = new Tensor(n, t.shape(), new float[(int) elements]);
            ranges.add(new Staging.Download(program.at(t.id()), host.data(), types.of(t.id())));
            out.put(layer, host);
        }
        stagingOut.download(ranges, cx.stream());
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cx.makeCurrentIfOpen();
        owned.close();
    }
}
