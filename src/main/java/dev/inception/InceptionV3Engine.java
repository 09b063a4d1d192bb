package dev.inception;

import dev.inception.cpu.CpuExecutor;
import dev.inception.onednn.OneDnnExecutor;
import dev.inception.gpu.GpuBackend;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.plan.Plan;
import dev.inception.plan.ConcatPlacement;
import dev.inception.plan.Planner;
import dev.inception.weights.Weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The public API: an InceptionV3 with its weights, planned once and bound to one executor. Open once, reuse for
 * many batches, close to release native memory. Inputs are preprocessed NHWC float32 batches (see image.Preprocess).
 *
 * <pre>{@code
 * try (InceptionV3Engine engine = InceptionV3Engine.open(weights, EngineOptions.defaults())) {
 *     float[][] probabilities = engine.predict(batch);
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> An engine is safe to share: calls from several threads are serialised (each executor runs one
 * forward pass at a time; results do not depend on the interleaving). For parallel throughput open one engine per
 * thread or device. {@link #close()} waits for the call in flight; any call after it throws
 * {@code IllegalStateException("engine is closed")}.
 */
public final class InceptionV3Engine implements AutoCloseable {

    private final Graph graph;
    private final Plan plan;
    private final Executor executor;
    private final EngineOptions options;
    private final Map<String, String> taps;
    private volatile boolean closed;

    private InceptionV3Engine(Graph graph, Plan plan, Executor executor, EngineOptions options) {
        this.graph = graph;
        this.plan = plan;
        this.executor = executor;
        this.options = options;
        this.taps = Taps.of(graph);
    }

    public static InceptionV3Engine open(Weights weights, EngineOptions options) {
        return open(weights, options, System.err::println);
    }

    /**
     * @param notice receives the one-line reason when AUTO falls back to the CPU
     * @throws UnsupportedPrecisionException where the options ask for TF32, fp16 or bf16 of a backend that is not the
     *                                       GPU, or of AUTO where no GPU is usable
     */
    public static InceptionV3Engine open(Weights weights, EngineOptions options, Consumer<String> notice) {
        // an explicit CPU backend refuses another precision before any work; AUTO refuses it where no GPU is found
        options.gpu().precision().requireComputedBy(options.backend());
        Graph graph = InceptionV3.build(options.model());
        weights.checkFits(graph);
        List<String> keep = new ArrayList<>();
        if (options.taps()) {
            keep.addAll(Taps.of(graph).values());
        }
        if (graph.has("avg_pool")) {
            keep.add("avg_pool");     // features() of a model with top
        }
        // each backend lowers the graph as it runs it, and only the backend chosen does
        Chosen chosen = switch (options.backend()) {
            case REFERENCE -> reference(graph, keep, weights, options);
            case CPU -> oneDnn(graph, keep, weights, options);
            case GPU -> gpu(graph, keep, weights, options);
            case AUTO -> auto(graph, keep, weights, options, notice);
        };
        return new InceptionV3Engine(graph, chosen.plan(), chosen.executor(), options);
    }

    /** An executor and the plan it runs. */
    private record Chosen(Executor executor, Plan plan) {
    }

    private static Chosen reference(Graph graph, List<String> keep, Weights weights, EngineOptions options) {
        Plan plan = Planner.lower(graph, options.lowering(), keep);
        BatchMemory.check(plan, options.maxBatch(), BatchMemory.Arena.HEAP);
        return new Chosen(new CpuExecutor(plan, weights), plan);
    }

    /**
     * With branch streams, the plan keeps each block's branches apart in the arena, so they may run at once; with
     * copy-free concatenation, branch outputs are channel slices of their block's output.
     */
    private static Chosen gpu(Graph graph, List<String> keep, Weights weights, EngineOptions options) {
        Plan plan = Planner.lower(graph, options.lowering(), keep,
                options.gpu().copyFreeConcat() ? ConcatPlacement.IN_PLACE : ConcatPlacement.COPY,
                options.gpu().branchStreams());
        BatchMemory.check(plan, options.maxBatch(), BatchMemory.Arena.DEVICE);
        return new Chosen(GpuBackend.open(plan, weights, options), plan);
    }

    /** A build or bundle without the dnnl jars fails here with a LinkageError: that is "unavailable", not a crash. */
    private static Chosen oneDnn(Graph graph, List<String> keep, Weights weights, EngineOptions options) {
        // Copies, not in-place concatenation: oneDNN 3.11 runs a convolution whose destination is a channel slice
        // (strided NHWC) with its reference implementation on AVX2, 65x slower for the whole pass (measured
        // 8.8 s vs 0.13 s, 2026-11-30); the concat copies cost about 2% instead. ConcatPlacement.IN_PLACE stays
        // available to executors whose kernels take strided destinations.
        Plan plan = Planner.lower(graph, options.lowering(), keep, ConcatPlacement.COPY);
        BatchMemory.check(plan, options.maxBatch(), BatchMemory.Arena.NATIVE);
        try {
            return new Chosen(new OneDnnExecutor(plan, weights, options.maxBatch()), plan);
        } catch (LinkageError e) {
            throw new BackendUnavailableException("oneDNN is not part of this build (" + e.getMessage() + "); the"
                    + " reference executor needs no native library: --backend reference", e);
        }
    }

    /**
     * The GPU, else oneDNN, else the reference; each step down is said in one line. A precision other than fp32
     * takes no step down: only the GPU computes it.
     */
    private static Chosen auto(Graph graph, List<String> keep, Weights weights, EngineOptions options,
                               Consumer<String> notice) {
        try {
            return gpu(graph, keep, weights, options);
        } catch (BackendUnavailableException gpu) {
            if (options.gpu().precision() != Precision.FP32) {
                throw new UnsupportedPrecisionException("--precision " + options.gpu().precision().cliName()
                        + " applies to the GPU only, and none is usable here: " + gpu.getMessage(), gpu);
            }
            try {
                Chosen cpu = oneDnn(graph, keep, weights, options);
                notice.accept("note: running on the CPU (oneDNN): " + gpu.getMessage());
                return cpu;
            } catch (BackendUnavailableException onednn) {
                notice.accept("note: running on the CPU reference executor: " + gpu.getMessage() + "; "
                        + onednn.getMessage());
                return reference(graph, keep, weights, options);
            }
        }
    }

    public Graph graph() {
        return graph;
    }

    public Plan plan() {
        return plan;
    }

    /** "gpu", "cpu" (oneDNN) or "reference": the backend actually in use. */
    public String backend() {
        return executor.backend();
    }

    /** What the executor chose: device, memory, convolution algorithms (for --verbose). */
    public List<String> describe() {
        return executor.describe();
    }

    /** One forward pass timed step by step (see {@link Executor#profile}). */
    public List<StepTime> profile(Tensor batch) {
        checkBatch(batch.batch());
        return executor.profile(batch);
    }

    /** Where the executor took a slower path than planned (see {@link Executor#fallbacks()}). */
    public List<String> fallbacks() {
        return executor.fallbacks();
    }

    public EngineOptions options() {
        return options;
    }

    /** Tap name -> Keras layer, in network order. */
    public Map<String, String> tapNames() {
        return taps;
    }

    /** The graph's output for a batch: class probabilities with top, pooled features (or mixed10) without. */
    public Tensor forward(Tensor batch) {
        String out = graph.output().name();
        return run(batch, List.of(out)).get(out);
    }

    /** Class probabilities, one row per image. Needs a model with its top. */
    public float[][] predict(Tensor batch) {
        requireTop();
        return rows(forward(batch));
    }

    /**
     * Class probabilities for decoded images: resized on the CPU (PIL's mapping; on the GPU instead, for batches of
     * one size, with {@link EngineOptions#withGpuResize}), preprocessed by the executor (on the GPU for the GPU
     * backend). Needs a model with its top.
     */
    public float[][] predict(List<dev.inception.image.RgbImage> images, dev.inception.image.Interpolation how) {
        return predictLater(images, how).get();
    }

    /**
     * {@link #predict(List, dev.inception.image.Interpolation)} started now and collected later: resizes and
     * submits the batch, and returns while the executor works, so that a stream of batches keeps the GPU busy (the
     * next batch is resized and uploaded while this one computes, the previous one downloaded). Collect results in
     * the order submitted; the supplier waits for its pass.
     */
    public java.util.function.Supplier<float[][]> predictLater(List<dev.inception.image.RgbImage> images,
                                                                dev.inception.image.Interpolation how) {
        requireTop();
        return rowsLater(images, how, graph.output().name());
    }

    /**
     * {@link #predict(Tensor)} started now and collected later: on the GPU the float32 batch goes up through an
     * overlapped pipeline, so a stream of batches (the server's clients' tensors) keeps the GPU busy as
     * {@link #predictLater(List, dev.inception.image.Interpolation)} does for images. The supplier waits for its pass.
     */
    public java.util.function.Supplier<float[][]> predictLater(Tensor batch) {
        requireTop();
        return rowsLater(batch, graph.output().name());
    }

    /** {@link #features(Tensor)} started now and collected later, as {@link #predictLater(Tensor)}. */
    public java.util.function.Supplier<float[][]> featuresLater(Tensor batch) {
        return rowsLater(batch, featureLayer());
    }

    /** Class probabilities need the classifier top. */
    private void requireTop() {
        if (!graph.has("predictions")) {
            throw new IllegalStateException("this engine was opened without the classifier top (includeTop=false)");
        }
    }

    /** The 2048-d bottleneck features (global average pool of mixed10), one row per image. */
    public float[][] features(Tensor batch) {
        String layer = featureLayer();
        return rows(run(batch, List.of(layer)).get(layer));
    }

    /**
     * {@link #features(Tensor)} for decoded images, which take the executor's uint8 path as {@link #predictLater}'s
     * do (on the GPU: a quarter of the float upload, preprocessed there), started now and collected later.
     */
    public java.util.function.Supplier<float[][]> featuresLater(List<dev.inception.image.RgbImage> images,
                                                                 dev.inception.image.Interpolation how) {
        return rowsLater(images, how, featureLayer());
    }

    /** avg_pool where the model has it, else its output; refused where that is not one vector per image. */
    private String featureLayer() {
        String layer = graph.has("avg_pool") ? "avg_pool" : graph.output().name();
        if (!graph.node(layer).shape().flat()) {
            throw new IllegalStateException("this model has no pooled features (pooling=none): its output is "
                    + graph.node(layer).shape());
        }
        return layer;
    }

    /** Submits a float32 batch, fetching one layer; the supplier waits for its rows. */
    private java.util.function.Supplier<float[][]> rowsLater(Tensor batch, String layer) {
        checkInput(batch);
        Executor.Pending pending = executor.submit(batch, List.of(layer));
        return () -> rows(finite(pending.await()).get(layer));
    }

    /** Resizes and submits a batch of images, fetching one layer; the supplier waits for its rows. */
    private java.util.function.Supplier<float[][]> rowsLater(List<dev.inception.image.RgbImage> images,
                                                            dev.inception.image.Interpolation how, String layer) {
        checkBatch(images.size());
        Executor.Pending pending = executor.submitImages(images, how, graph.input().shape(), List.of(layer));
        return () -> rows(finite(pending.await()).get(layer));
    }

    /** This network, frozen, with a newly trained softmax head on its bottleneck features. */
    public dev.inception.transfer.HeadClassifier withHead(dev.inception.transfer.SoftmaxHead head) {
        return new dev.inception.transfer.HeadClassifier(this, head);
    }

    /** Every tap (stem, mixed0..10, avg_pool, predictions) for a batch. Needs an engine opened with taps. */
    public Map<String, Tensor> taps(Tensor batch) {
        if (!options.taps()) {
            throw new IllegalStateException("open the engine with EngineOptions.withTaps(true) to read taps");
        }
        Map<String, Tensor> byLayer = run(batch, List.copyOf(taps.values()));
        Map<String, Tensor> byTap = new java.util.LinkedHashMap<>();
        taps.forEach((tap, layer) -> byTap.put(tap, byLayer.get(layer)));
        return byTap;
    }

    /** One forward pass timed by the executor (CUDA events on the GPU): for benchmarks. */
    public double timeForward(Tensor batch) {
        checkBatch(batch.batch());
        return executor.timeForward(batch);
    }

    /** Every call checks first that the engine is open; see {@link #close()}. */
    private void checkBatch(int n) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        if (n > options.maxBatch()) {
            throw new IllegalArgumentException("a batch of " + n + " is larger than this engine's maximum of "
                    + options.maxBatch() + "; split it, or open the engine with a larger maxBatch");
        }
    }

    private Map<String, Tensor> run(Tensor batch, List<String> fetch) {
        checkInput(batch);
        return finite(executor.forward(batch, fetch));
    }

    /** An open engine, a batch it takes, and only finite values in it. */
    private void checkInput(Tensor batch) {
        checkBatch(batch.batch());
        float[] x = batch.data();
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                int perImage = x.length / batch.batch();
                throw new IllegalArgumentException("input image " + i / perImage + " has " + x[i] + " at element "
                        + i % perImage + ": preprocessed inputs must be finite (pixels / 127.5 - 1)");
            }
        }
    }

    /** Never hands out a NaN as an answer: finite weights and inputs give finite outputs, so one is a fault. */
    private Map<String, Tensor> finite(Map<String, Tensor> out) {
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
            float[] v = e.getValue().data();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new IllegalStateException(e.getKey() + " of image " + i / e.getValue().shape().elements()
                            + " is " + v[i] + " (" + executor.backend() + " executor): the network produced a non-finite"
                            + " value; 'inception verify --candidate " + executor.backend() + "' shows the first layer"
                            + " where it appears");
                }
            }
        }
        return out;
    }

    private static float[][] rows(Tensor t) {
        float[][] rows = new float[t.batch()][];
        for (int i = 0; i < t.batch(); i++) {
            rows[i] = t.image(i);
        }
        return rows;
    }

    /**
     * Releases the executor's memory (native and device memory included). A call in flight on another thread
     * finishes first (each executor runs one call at a time and closes under the same lock); every call after
     * close throws {@code IllegalStateException("engine is closed")}. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        executor.close();
    }
}
