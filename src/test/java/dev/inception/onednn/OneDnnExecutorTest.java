package dev.inception.onednn;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Precision;
import dev.inception.Taps;
import dev.inception.Tensor;
import dev.inception.cpu.CpuExecutor;
import dev.inception.model.Graph;
import dev.inception.model.GraphBuilder;
import dev.inception.model.InceptionV3;
import dev.inception.model.Node;
import dev.inception.model.Op;
import dev.inception.model.Padding;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.nativetests.Blocks;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.verify.Verification;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN executor element-wise against the reference executor, the way llm.c pairs each CUDA kernel with its CPU
 * twin: every distinct InceptionV3 convolution geometry (conv + BN + ReLU, both plans), both poolings, concat, the
 * top, and the whole network at batch 1 and 3 with every tap. Tolerance: the fp32 one of docs/VERIFICATION.md.
 */
class OneDnnExecutorTest {

    static final double TOLERANCE = dev.inception.verify.Tolerances.forPrecision(Precision.FP32);

    /** Runs a small graph on the reference and on oneDNN, batch 2; returns the relative error of the output. */
    static double compare(Graph g, Lowering lowering) {
        Plan plan = Planner.lower(g, lowering);
        Weights w = SeededWeights.forGraph(g, 3);
        Tensor x = Tensor.uniform(2, g.input().shape(), 11);
        String out = g.output().name();
        float[] ref;
        float[] cand;
        try (CpuExecutor r = new CpuExecutor(plan, w)) {
            ref = r.forward(x, List.of(out)).get(out).data();
        }
        try (OneDnnExecutor o = new OneDnnExecutor(plan, w, 2)) {
            cand = o.forward(x, List.of(out)).get(out).data();
        }
        return Verification.relativeError(ref, cand);
    }

    @TestFactory
    List<DynamicTest> everyDistinctConvolutionGeometry() {
        List<DynamicTest> tests = new ArrayList<>();
        // 139x139: every kernel, stride and padding of 299x299 on smaller maps, at a quarter of the cost (the
        // 299x299 network itself runs in wholeNetworkEveryTapAndTop5)
        Blocks.distinctConvs(InceptionV3.build(InceptionV3.Options.features(139, 139))).forEach((key, conv) -> {
            for (Lowering l : Lowering.values()) {
                tests.add(DynamicTest.dynamicTest(conv.name() + " " + key + " " + l, () -> {
                    double e = compare(Blocks.convBnRelu(conv), l);
                    assertTrue(e < TOLERANCE, conv.name() + ": " + e);
                }));
            }
        });
        return tests;
    }

    @Test
    void poolingsConcatAndTheTop() {
        for (PoolMode mode : PoolMode.values()) {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input(Shape.of(17, 17, 24));
            x = mode == PoolMode.MAX ? b.apply(null, new Op.Pooling2D(mode, 3, 3, 2, 2, Padding.VALID), x)
                    : b.apply(null, new Op.Pooling2D(mode, 3, 3, 1, 1, Padding.SAME), x);
            assertTrue(compare(b.build("pool", x), Lowering.FAITHFUL) < 1e-6, mode + " pooling");
        }
        GraphBuilder b = new GraphBuilder();
        Node x = b.input(Shape.of(9, 9, 16));
        Node a = b.apply(null, new Op.Conv2D(8, 1, 1, 1, 1, Padding.SAME), x);
        Node p = b.apply(null, new Op.Pooling2D(PoolMode.AVERAGE, 3, 3, 1, 1, Padding.SAME), x);
        Node c = b.apply(null, new Op.Conv2D(12, 3, 3, 1, 1, Padding.SAME), x);
        assertTrue(compare(b.build("concat", b.apply("mixed", new Op.Concatenate(), a, p, c)), Lowering.FAITHFUL)
                < TOLERANCE, "concat");
        GraphBuilder t = new GraphBuilder();
        Node y = t.input(Shape.of(8, 8, 64));
        y = t.apply("avg_pool", new Op.GlobalPooling2D(PoolMode.AVERAGE), y);
        y = t.apply("predictions", new Op.Dense(10, true), y);
        assertTrue(compare(t.build("top", y), Lowering.FAITHFUL) < TOLERANCE, "global pooling + dense + softmax");
    }

    /**
     * In-place concatenation on oneDNN: each branch writes its channel slice of the block output directly, and the
     * result equals the reference's copying plan. (Correct, though not the engine's default: see
     * InceptionV3Engine.oneDnn for why.)
     */
    @Test
    void inPlaceConcatenationPutsEachBranchInItsChannelSlice() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input(Shape.of(9, 9, 16));
        Node a = b.apply(null, new Op.Conv2D(8, 1, 1, 1, 1, Padding.SAME), x);
        Node p = b.apply(null, new Op.Pooling2D(PoolMode.MAX, 3, 3, 1, 1, Padding.SAME), x);
        Node c = b.apply(null, new Op.Conv2D(12, 3, 3, 1, 1, Padding.SAME), x);
        Graph g = b.build("concat", b.apply("mixed", new Op.Concatenate(), a, p, c));
        Plan inPlace = Planner.lower(g, Lowering.FAITHFUL, List.of(), dev.inception.plan.ConcatPlacement.IN_PLACE);
        assertTrue(inPlace.tensors().stream().filter(dev.inception.plan.TensorSpec::isSlice).count() == 3,
                "three branches written in place");
        Weights w = SeededWeights.forGraph(g, 3);
        Tensor in = Tensor.uniform(2, g.input().shape(), 11);
        float[] ref;
        try (CpuExecutor r = new CpuExecutor(Planner.lower(g, Lowering.FAITHFUL), w)) {
            ref = r.forward(in, List.of("mixed")).get("mixed").data();
        }
        try (OneDnnExecutor o = new OneDnnExecutor(inPlace, w, 2)) {
            float[] cand = o.forward(in, List.of("mixed")).get("mixed").data();
            assertTrue(Verification.relativeError(ref, cand) < TOLERANCE);
            assertTrue(o.implementations(2).keySet().stream().noneMatch(s -> s.equals("mixed")),
                    "no concat primitive runs: " + o.implementations(2).keySet());
        }
    }

    /** The whole network, every tap, both plans, against the reference's faithful plan. */
    @ParameterizedTest(name = "batch {0}, {1} plan, {2}x{2}")
    @CsvSource({"1, FUSED, 299", "3, FUSED, 75", "3, FAITHFUL, 75"})
    void wholeNetworkEveryTapAndTop5(int batch, Lowering lowering, int size) {
        InceptionV3.Options model = size == 299 ? InceptionV3.Options.defaults() : InceptionV3.Options.features(size, size);
        Graph g = InceptionV3.build(model);
        Weights w = SeededWeights.forGraph(g, 1);
        Tensor x = Tensor.uniform(batch, g.input().shape(), 5);
        EngineOptions o = EngineOptions.defaults().withModel(model).withTaps(true).withMaxBatch(batch);
        Map<String, Tensor> ref;
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withBackend(Backend.REFERENCE)
                .withLowering(Lowering.FAITHFUL))) {
            ref = e.taps(x);
        }
        Map<String, Tensor> cand;
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withBackend(Backend.CPU).withLowering(lowering))) {
            assertEquals("cpu", e.backend());
            cand = e.taps(x);
        }
        assertEquals(Taps.of(g).size(), cand.size());
        Verification.Report r = Verification.compare(ref, cand, Precision.FP32);
        r.taps().forEach(t -> System.out.printf("[onednn] batch %d %s %-12s %.2e%n", batch, lowering, t.tap(),
                t.maxRelativeError()));
        assertTrue(r.pass(), r.toString());
    }

    @Test
    void aClosedExecutorRefusesClearlyAndOversizedBatchesAreRefused() {
        Graph g = InceptionV3.build(InceptionV3.Options.features(75, 75));
        Plan plan = Planner.lower(g, Lowering.FUSED);
        OneDnnExecutor o = new OneDnnExecutor(plan, SeededWeights.forGraph(g, 1), 2);
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> o.forward(Tensor.zeros(3, g.input().shape()), List.of(g.output().name())));
        assertTrue(big.getMessage().contains("maximum of 2"), big.getMessage());
        assertTrue(o.implementations(1).values().stream().anyMatch(i -> !i.isEmpty()));
        o.close();
        o.close();   // idempotent
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> o.forward(Tensor.zeros(1, g.input().shape()), List.of(g.output().name())));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }
}
