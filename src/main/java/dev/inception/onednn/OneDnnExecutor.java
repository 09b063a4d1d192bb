package dev.inception.onednn;

import dev.inception.Executor;
import dev.inception.StepTime;
import dev.inception.Tensor;
import dev.inception.model.Shape;
import dev.inception.plan.Plan;
import dev.inception.plan.TensorSpec;
import dev.inception.weights.Weights;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast CPU executor: the same plan as the reference and the GPU, run by oneDNN primitives (Intel's CPU
 * deep-learning library, which PyTorch and TensorFlow use too) in NHWC float32 over one native arena laid out as
 * the plan says. Primitives and reordered weights are built once per batch size ({@link OneDnnProgram}); a forward
 * pass copies the input in, executes, and copies the fetched layers out.
 *
 * <p>Native memory: everything is built inside a temporary {@link PointerScope}, which frees the temporaries (descs,
 * primitive descriptors, Keras-layout weight copies) when the build ends; what the executor keeps (engine, stream,
 * arena, each primitive and its argument map, which holds the weight and scratchpad memories) is retained once and
 * released in {@link #close()}, in reverse order. Nothing is left to the garbage collector.
 */
public final class OneDnnExecutor implements Executor {

    private final Plan plan;
    private final Weights weights;
    private final int maxBatch;
    private final List<org.bytedeco.javacpp.Pointer> kept = new ArrayList<>();
    private final engine engine;
    private final stream stream;
    private final FloatPointer arena;
    private final Map<Integer, OneDnnProgram> programs = new HashMap<>();
    private final String version;
    private boolean closed;

    @SuppressWarnings("try")   // the scope is used for its side effect: it collects the native temporaries
    public OneDnnExecutor(Plan plan, Weights weights, int maxBatch) {
        this.version = OneDnn.load();
        this.plan = plan;
        this.weights = weights;
        this.maxBatch = maxBatch;
        long elements = plan.arenaElements() * maxBatch;
        try (PointerScope build = new PointerScope()) {
            engine = keep(new engine(org.bytedeco.dnnl.engine.kind.cpu, 0));
            stream = keep(new stream(engine));
            arena = keep(new FloatPointer(elements));
        } catch (OutOfMemoryError e) {
            close();
            throw new IllegalArgumentException("cannot allocate " + (elements * 4 >> 20) + " MiB of activations for a"
                    + " batch of " + maxBatch + "; use a smaller batch", e);
        }
    }

    /** Survives the build scope; released by close(). */
    private <P extends org.bytedeco.javacpp.Pointer> P keep(P p) {
        p.retainReference();
        kept.add(p);
        return p;
    }

    @Override
    public String backend() {
        return "cpu";
    }

    /** oneDNN's version and each convolution's implementation (jit:avx2, brgconv, ...), for --verbose. */
    @Override
    public synchronized List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("cpu: oneDNN " + version + ", arena " + (plan.arenaElements() * maxBatch * 4 >> 20) + " MiB (batch "
                + maxBatch + ")");
        programs.forEach((n, p) -> p.calls().forEach(c -> lines.add("  " + c.step() + " (batch " + n + "): "
                + c.implementation())));
        return lines;
    }

    /** Per step of the program for this batch size: the implementation oneDNN chose. */
    public synchronized Map<String, String> implementations(int batch) {
        Map<String, String> m = new LinkedHashMap<>();
        program(batch).calls().forEach(c -> m.put(c.step(), c.implementation()));
        return m;
    }

    @Override
    public synchronized Map<String, Tensor> forward(Tensor input, List<String> fetch) {
        OneDnnProgram p = load(input, fetch);
        p.run();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String layer : fetch) {
            TensorSpec t = plan.tensorOf(layer);
            float[] values = new float[Math.toIntExact(t.elements() * input.batch())];
            arena.position(p.offset(t)).get(values).position(0);
            out.put(layer, new Tensor(input.batch(), t.shape(), values));
        }
        return out;
    }

    @Override
    public synchronized double timeForward(Tensor input) {
        OneDnnProgram p = load(input, List.of());
        long start = System.nanoTime();
        p.run();
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public synchronized List<StepTime> profile(Tensor input) {
        OneDnnProgram p = load(input, List.of());
        List<StepTime> times = new ArrayList<>();
        for (OneDnnProgram.Call c : p.calls()) {
            long start = System.nanoTime();
            p.run(c);
            times.add(new StepTime(c.step(), (System.nanoTime() - start) / 1e6, c.implementation()));
        }
        return times;
    }

    /** Checks the request and copies the input into the arena; returns the program for its batch size. */
    private OneDnnProgram load(Tensor input, List<String> fetch) {
        OneDnnProgram p = prepare(input.batch(), input.shape(), fetch);
        arena.position(p.offset(plan.inputTensor())).put(input.data()).position(0);
        return p;
    }

    private OneDnnProgram prepare(int n, Shape shape, List<String> fetch) {
        if (closed) {
            throw new IllegalStateException("this oneDNN executor is closed");
        }
        plan.checkRequest(shape, fetch);
        if (n > maxBatch) {
            throw new IllegalArgumentException("a batch of " + n + " is larger than this executor's maximum of "
                    + maxBatch);
        }
        return program(n);
    }

    @SuppressWarnings("try")   // as in the constructor
    private OneDnnProgram program(int n) {
        OneDnnProgram p = programs.get(n);
        if (p == null) {
            try (PointerScope build = new PointerScope()) {
                p = new OneDnnProgram(plan, n, engine, stream, arena, weights);
                p.calls().forEach(c -> {
                    keep(c.primitive());
                    keep(c.args());
                });
            }
            programs.put(n, p);
        }
        return p;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            programs.clear();
            for (int i = kept.size() - 1; i >= 0; i--) {
                kept.get(i).releaseReference();
            }
            kept.clear();
        }
    }
}
