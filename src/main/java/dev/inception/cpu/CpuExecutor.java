package dev.inception.cpu;

import dev.inception.Executor;
import dev.inception.StepTime;
import dev.inception.Tensor;
import dev.inception.model.Shape;
import dev.inception.plan.Plan;
import dev.inception.plan.Step;
import dev.inception.plan.TensorSpec;
import dev.inception.weights.BnFolding;
import dev.inception.weights.Weights;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trusted reference: runs a {@link Plan} step by step with {@link CpuOps}, in one float[] arena laid out exactly
 * as the plan says (offsets and sizes scaled by the batch). Needs no native library.
 */
public final class CpuExecutor implements Executor {

    private final Plan plan;
    private final Weights weights;
    /** BN-folded kernels and biases of fused conv steps, computed once. */
    private final Map<String, BnFolding.Folded> folded = new HashMap<>();
    private float[] arena = new float[0];
    private boolean closed;

    public CpuExecutor(Plan plan, Weights weights) {
        plan.requireDense("reference");
        this.plan = plan;
        this.weights = weights;
        for (Step s : plan.steps()) {
            if (s instanceof Step.Conv c && c.foldedBn() != null) {
                String bn = c.foldedBn();
                folded.put(c.name(), BnFolding.fold(weights.values(c.kernelKey()), c.filters(),
                        weights.values(bn + "/beta:0"), weights.values(bn + "/moving_mean:0"),
                        weights.values(bn + "/moving_variance:0"), dev.inception.model.InceptionV3.BN_EPSILON));
            }
        }
    }

    @Override
    public String backend() {
        return "reference";
    }

    @Override
    public synchronized Map<String, Tensor> forward(Tensor input, List<String> fetch) {
        int n = load(input, fetch);
        for (Step s : plan.steps()) {
            run(s, n);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String layer : fetch) {
            TensorSpec t = plan.tensorOf(layer);
            float[] values = new float[Math.toIntExact(t.elements() * n)];
            System.arraycopy(arena, offset(t, n), values, 0, values.length);
            out.put(layer, new Tensor(n, t.shape(), values));
        }
        return out;
    }

    @Override
    public synchronized List<StepTime> profile(Tensor input) {
        int n = load(input, List.of());
        List<StepTime> times = new java.util.ArrayList<>();
        for (Step s : plan.steps()) {
            long start = System.nanoTime();
            run(s, n);
            times.add(new StepTime(s.name(), (System.nanoTime() - start) / 1e6, "java"));
        }
        return times;
    }

    /** Checks the request, sizes the arena for the batch and copies the input in; returns the batch size. */
    private int load(Tensor input, List<String> fetch) {
        if (closed) {
            throw new IllegalStateException("this reference executor is closed");
        }
        plan.checkRequest(input.shape(), fetch);
        TensorSpec inSpec = plan.inputTensor();
        int n = input.batch();
        long need = plan.arenaElements() * n;
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + n + " needs " + need * 4 / (1 << 20)
                    + " MiB of activations, more than one Java array holds; use a batch of at most "
                    + (Integer.MAX_VALUE - 8) / plan.arenaElements());
        }
        if (arena.length < need) {
            arena = new float[(int) need];
        }
        System.arraycopy(input.data(), 0, arena, offset(inSpec, n), input.data().length);
        return n;
    }

    @Override
    public synchronized double timeForward(Tensor input) {
        long start = System.nanoTime();
        forward(input, List.of());
        return (System.nanoTime() - start) / 1e6;
    }

    private void run(Step step, int n) {
        float[] a = arena;
        if (step instanceof Step.Conv c) {
            BnFolding.Folded f = folded.get(c.name());
            float[] kernel = f != null ? f.kernel() : weights.values(c.kernelKey());
            float[] bias = f != null ? f.bias() : null;
            CpuOps.conv2d(a, in(c.input(), n), dims(c.input(), n), kernel, bias, c.window(), c.filters(), c.relu(),
                    a, out(c, n));
        } else if (step instanceof Step.BatchNorm b) {
            CpuOps.batchNorm(a, in(b.input(), n), dims(b.input(), n), weights.values(b.layer() + "/beta:0"),
                    weights.values(b.layer() + "/moving_mean:0"), weights.values(b.layer() + "/moving_variance:0"),
                    b.epsilon(), a, out(b, n));
        } else if (step instanceof Step.Relu r) {
            CpuOps.relu(a, in(r.input(), n), plan.tensor(r.input()).elements() * n, a, out(r, n));
        } else if (step instanceof Step.Pool p) {
            CpuOps.pool(p.mode(), a, in(p.input(), n), dims(p.input(), n), p.window(), a, out(p, n));
        } else if (step instanceof Step.Concat c) {
            int[] ins = c.inputs().stream().mapToInt(t -> in(t, n)).toArray();
            int[] channels = c.inputs().stream().mapToInt(t -> plan.tensor(t).shape().channels()).toArray();
            Shape s = plan.tensor(c.output()).shape();
            CpuOps.concat(a, ins, channels, n * s.height() * s.width(), a, out(c, n));
        } else if (step instanceof Step.GlobalPool g) {
            CpuOps.globalPool(g.mode(), a, in(g.input(), n), dims(g.input(), n), a, out(g, n));
        } else if (step instanceof Step.Dense d) {
            int inputs = plan.tensor(d.input()).shape().channels();
            CpuOps.dense(a, in(d.input(), n), n, inputs, weights.values(d.layer() + "/kernel:0"),
                    weights.values(d.layer() + "/bias:0"), d.units(), a, out(d, n));
        } else if (step instanceof Step.Softmax s) {
            CpuOps.softmax(a, in(s.input(), n), n, plan.tensor(s.input()).shape().channels(), a, out(s, n));
        } else {
            throw new IllegalStateException("the CPU executor has no implementation of " + step);
        }
    }

    private int in(int tensor, int n) {
        return offset(plan.tensor(tensor), n);
    }

    private int out(Step s, int n) {
        return offset(plan.tensor(s.output()), n);
    }

    private CpuOps.Dims dims(int tensor, int n) {
        Shape s = plan.tensor(tensor).shape();
        return new CpuOps.Dims(n, s.height(), s.width(), s.channels());
    }

    private static int offset(TensorSpec t, int n) {
        return Math.toIntExact(t.offset() * n);
    }

    /** Waits for a call in flight (same lock), then frees the arena; later calls are refused. */
    @Override
    public synchronized void close() {
        closed = true;
        arena = new float[0];
    }
}
