package dev.inception.onednn;

import dev.inception.model.InceptionV3;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Plan;
import dev.inception.plan.Step;
import dev.inception.plan.TensorSpec;
import dev.inception.plan.Window;
import dev.inception.weights.BnFolding;
import dev.inception.weights.Weights;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.concat;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.memory_desc_vector;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.softmax_forward;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;
import static org.bytedeco.dnnl.global.dnnl.prop_kind;
import static org.bytedeco.dnnl.global.dnnl.scratchpad_mode;

/**
 * A plan bound to one batch size: every step a oneDNN primitive, created once, with its memories over the arena at
 * the plan's offsets (NHWC, like the other executors, so a tap is the same bytes everywhere) and its weights
 * reordered once into the layout the primitive prefers ({@code format_tag::any}). Running it only executes the
 * primitives in plan order; one user-managed scratchpad serves them all.
 */
final class OneDnnProgram {

    /** One primitive with its arguments. */
    record Call(String step, primitive primitive, IntMemoryMap args, String implementation) {
    }

    private final Plan plan;
    private final int n;
    private final engine engine;
    private final stream stream;
    private final FloatPointer arena;
    private final Weights weights;
    private final List<Call> calls = new ArrayList<>();
    private final List<IntMemoryMap> needScratchpad = new ArrayList<>();
    private long scratchpadBytes;

    OneDnnProgram(Plan plan, int n, engine engine, stream stream, FloatPointer arena, Weights weights) {
        this.plan = plan;
        this.n = n;
        this.engine = engine;
        this.stream = stream;
        this.arena = arena;
        this.weights = weights;
        for (Step s : plan.steps()) {
            compile(s);
        }
        // one scratchpad, as large as the largest any primitive asked for, shared: they run one after another
        memory scratchpad = new memory(new memory.desc(new long[] {Math.max(scratchpadBytes, 1)},
                memory.data_type.u8, memory.format_tag.x), engine);
        for (IntMemoryMap args : needScratchpad) {
            args.put(DNNL_ARG_SCRATCHPAD, scratchpad);
        }
        stream._wait();   // the weight reorders
    }

    void run() {
        for (Call c : calls) {
            c.primitive().execute(stream, c.args());
        }
        stream._wait();
    }

    /** One call, waited for (profiling). */
    void run(Call c) {
        c.primitive().execute(stream, c.args());
        stream._wait();
    }

    List<Call> calls() {
        return calls;
    }

    long offset(TensorSpec t) {
        return t.offset() * n;
    }

    /**
     * An NHWC activation: dims in oneDNN's logical order (n, c, h, w). A slice of a concatenation's output
     * (in-place concatenation) keeps its parent's pixel strides: its own channels, every pixel parent-channels apart.
     */
    private memory.desc nhwc(int tensor) {
        TensorSpec t = plan.tensor(tensor);
        if (!t.isSlice()) {
            return nhwc(t.shape());
        }
        Shape s = t.shape();
        long parentChannels = plan.tensor(t.slice().parent()).shape().channels();
        return new memory.desc(new long[] {n, s.channels(), s.height(), s.width()}, memory.data_type.f32,
                new long[] {s.height() * s.width() * parentChannels, 1, s.width() * parentChannels, parentChannels});
    }

    private memory.desc nhwc(Shape s) {
        return new memory.desc(new long[] {n, s.channels(), s.height(), s.width()}, memory.data_type.f32,
                memory.format_tag.nhwc);
    }

    private memory.desc nc(Shape s) {
        return new memory.desc(new long[] {n, s.channels()}, memory.data_type.f32, memory.format_tag.nc);
    }

    /** The tensor's memory in the arena, described by d; a slice starts at its channel offset in its parent. */
    private memory at(memory.desc d, int tensor) {
        TensorSpec t = plan.tensor(tensor);
        long channelOffset = t.isSlice() ? t.slice().channelOffset() : 0;
        return new memory(d, engine, arena.getPointer(offset(t) + channelOffset));
    }

    private memory constant(float[] values, long[] dims, memory.format_tag tag) {
        memory m = new memory(new memory.desc(dims, memory.data_type.f32, tag), engine);
        new FloatPointer(m.get_data_handle()).put(values);
        return m;
    }

    /** Keras-layout values reordered into what the primitive wants. */
    private memory reordered(float[] values, long[] dims, memory.format_tag kerasTag, memory.desc wanted) {
        memory user = constant(values, dims, kerasTag);
        memory m = new memory(wanted, engine);
        new reorder(new reorder.primitive_desc(engine, user.get_desc(), engine, wanted))
                .execute(stream, new IntMemoryMap().put(DNNL_ARG_FROM, user).put(DNNL_ARG_TO, m));
        return m;
    }

    private primitive_attr attr(boolean relu) {
        primitive_attr a = new primitive_attr();
        a.set_scratchpad_mode(scratchpad_mode.user);
        if (relu) {
            post_ops ops = new post_ops();
            ops.append_eltwise(algorithm.eltwise_relu, 0f, 0f);
            a.set_post_ops(ops);
        }
        return a;
    }

    private void add(String step, primitive p, primitive_desc_base pd, IntMemoryMap args) {
        scratchpadBytes = Math.max(scratchpadBytes, pd.scratchpad_desc().get_size());
        needScratchpad.add(args);
        calls.add(new Call(step, p, args, pd.impl_info_str().getString()));
    }

    private Shape shape(int tensor) {
        return plan.tensor(tensor).shape();
    }

    private void compile(Step s) {
        if (s instanceof Step.Conv c) {
            conv(c);
        } else if (s instanceof Step.BatchNorm b) {
            batchNorm(b);
        } else if (s instanceof Step.Relu r) {
            memory.desc src = nhwc(r.input());
            memory.desc dst = nhwc(r.output());
            eltwise_forward.primitive_desc pd = new eltwise_forward.primitive_desc(engine, prop_kind.forward_inference,
                    algorithm.eltwise_relu, src, dst, 0f, attr(false), false);
            add(r.name(), new eltwise_forward(pd), pd, new IntMemoryMap().put(DNNL_ARG_SRC, at(src, r.input()))
                    .put(DNNL_ARG_DST, at(dst, r.output())));
        } else if (s instanceof Step.Pool p) {
            pool(p.name(), p.mode(), p.input(), p.output(), p.window());
        } else if (s instanceof Step.GlobalPool g) {
            Shape in = shape(g.input());
            pool(g.name(), g.mode(), g.input(), g.output(),
                    new Window(in.height(), in.width(), in.height(), in.width(), 0, 0, 0, 0));
        } else if (s instanceof Step.Concat c) {
            if (!plan.inPlace(c)) {      // in place: the branches already wrote their slices
                concat(c);
            }
        } else if (s instanceof Step.Dense d) {
            dense(d);
        } else if (s instanceof Step.Softmax sm) {
            memory.desc d = nc(shape(sm.input()));
            softmax_forward.primitive_desc pd = new softmax_forward.primitive_desc(engine, prop_kind.forward_inference,
                    algorithm.softmax_accurate, d, d, 1, attr(false), false);
            add(sm.name(), new softmax_forward(pd), pd, new IntMemoryMap().put(DNNL_ARG_SRC, at(d, sm.input()))
                    .put(DNNL_ARG_DST, at(d, sm.output())));
        } else {
            throw new IllegalStateException("the oneDNN executor has no implementation of " + s);
        }
    }

    /**
     * Convolution; fused steps carry the folded BN as bias and ReLU as a post-op. TensorFlow's asymmetric 'same'
     * padding is oneDNN's padding_l / padding_r.
     */
    private void conv(Step.Conv c) {
        Shape in = shape(c.input());
        Window w = c.window();
        long[] wdims = {c.filters(), in.channels(), w.rows(), w.cols()};
        float[] kernel = weights.values(c.kernelKey());
        float[] bias = null;
        if (c.foldedBn() != null) {
            String bn = c.foldedBn();
            BnFolding.Folded f = BnFolding.fold(kernel, c.filters(), weights.values(bn + "/beta:0"),
                    weights.values(bn + "/moving_mean:0"), weights.values(bn + "/moving_variance:0"),
                    InceptionV3.BN_EPSILON);
            kernel = f.kernel();
            bias = f.bias();
        }
        memory.desc src = nhwc(c.input());
        memory.desc dst = nhwc(c.output());
        memory.desc anyWeights = new memory.desc(wdims, memory.data_type.f32, memory.format_tag.any);
        memory.desc biasDesc = bias == null ? new memory.desc()
                : new memory.desc(new long[] {c.filters()}, memory.data_type.f32, memory.format_tag.x);
        convolution_forward.primitive_desc pd = new convolution_forward.primitive_desc(engine,
                prop_kind.forward_inference, algorithm.convolution_direct, src, anyWeights, biasDesc, dst,
                new long[] {w.strideRows(), w.strideCols()}, new long[] {w.padTop(), w.padLeft()},
                new long[] {w.padBottom(), w.padRight()}, attr(c.relu()), false);
        // Keras's kernel (kh, kw, cin, cout) is oneDNN's hwio
        IntMemoryMap args = new IntMemoryMap().put(DNNL_ARG_SRC, at(src, c.input()))
                .put(DNNL_ARG_WEIGHTS, reordered(kernel, wdims, memory.format_tag.hwio, pd.weights_desc()))
                .put(DNNL_ARG_DST, at(dst, c.output()));
        if (bias != null) {
            args.put(DNNL_ARG_BIAS, constant(bias, new long[] {c.filters()}, memory.format_tag.x));
        }
        add(c.name(), new convolution_forward(pd), pd, args);
    }

    /** Inference batch norm with Keras's scale=False: global statistics and a shift (beta), no scale. */
    private void batchNorm(Step.BatchNorm b) {
        memory.desc d = nhwc(shape(b.input()));
        batch_normalization_forward.primitive_desc pd = new batch_normalization_forward.primitive_desc(engine,
                prop_kind.forward_inference.value, d, d, b.epsilon(), dnnl_use_global_stats | dnnl_use_shift,
                attr(false), false);
        long[] c = {shape(b.input()).channels()};
        add(b.name(), new batch_normalization_forward(pd), pd, new IntMemoryMap()
                .put(DNNL_ARG_SRC, at(d, b.input()))
                .put(DNNL_ARG_MEAN, constant(weights.values(b.layer() + "/moving_mean:0"), c, memory.format_tag.x))
                .put(DNNL_ARG_VARIANCE, constant(weights.values(b.layer() + "/moving_variance:0"), c,
                        memory.format_tag.x))
                .put(DNNL_ARG_SHIFT, constant(weights.values(b.layer() + "/beta:0"), c, memory.format_tag.x))
                .put(DNNL_ARG_DST, at(d, b.output())));
    }

    /** Max, or average over in-bounds cells only (Keras's rule: oneDNN's pooling_avg_exclude_padding). */
    private void pool(String name, PoolMode mode, int input, int output, Window w) {
        memory.desc src = nhwc(input);
        memory.desc dst = nhwc(output);
        pooling_forward.primitive_desc pd = new pooling_forward.primitive_desc(engine, prop_kind.forward_inference,
                mode == PoolMode.MAX ? algorithm.pooling_max : algorithm.pooling_avg_exclude_padding, src, dst,
                new long[] {w.strideRows(), w.strideCols()}, new long[] {w.rows(), w.cols()}, new long[] {0, 0},
                new long[] {w.padTop(), w.padLeft()}, new long[] {w.padBottom(), w.padRight()}, attr(false), false);
        add(name, new pooling_forward(pd), pd, new IntMemoryMap().put(DNNL_ARG_SRC, at(src, input))
                .put(DNNL_ARG_DST, at(dst, output)));
    }

    private void concat(Step.Concat c) {
        memory_desc_vector parts = new memory_desc_vector();
        IntMemoryMap args = new IntMemoryMap();
        for (int i = 0; i < c.inputs().size(); i++) {
            memory.desc d = nhwc(c.inputs().get(i));
            parts.push_back(d);
            args.put(DNNL_ARG_MULTIPLE_SRC + i, at(d, c.inputs().get(i)));
        }
        memory.desc dst = nhwc(c.output());
        concat.primitive_desc pd = new concat.primitive_desc(engine, dst, 1, parts, attr(false), false);
        args.put(DNNL_ARG_DST, at(dst, c.output()));
        add(c.name(), new concat(pd), pd, args);
    }

    /** y = x W + b: Keras's kernel (in, units) is oneDNN's io for weights of dims (units, in). */
    private void dense(Step.Dense d) {
        Shape in = shape(d.input());
        long[] wdims = {d.units(), in.channels()};
        memory.desc src = nc(in);
        memory.desc dst = nc(shape(d.output()));
        memory.desc biasDesc = new memory.desc(new long[] {d.units()}, memory.data_type.f32, memory.format_tag.x);
        inner_product_forward.primitive_desc pd = new inner_product_forward.primitive_desc(engine,
                prop_kind.forward_inference, src, new memory.desc(wdims, memory.data_type.f32, memory.format_tag.any),
                biasDesc, dst, attr(false), false);
        add(d.name(), new inner_product_forward(pd), pd, new IntMemoryMap()
                .put(DNNL_ARG_SRC, at(src, d.input()))
                .put(DNNL_ARG_WEIGHTS, reordered(weights.values(d.layer() + "/kernel:0"), wdims, memory.format_tag.io,
                        pd.weights_desc()))
                .put(DNNL_ARG_BIAS, constant(weights.values(d.layer() + "/bias:0"), new long[] {d.units()},
                        memory.format_tag.x))
                .put(DNNL_ARG_DST, at(dst, d.output())));
    }
}
