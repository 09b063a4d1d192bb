package dev.inception.nativetests;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;
import dev.inception.cpu.CpuExecutor;
import dev.inception.gpu.GpuExecutor;
import dev.inception.model.Graph;
import dev.inception.model.GraphBuilder;
import dev.inception.model.InceptionV3;
import dev.inception.model.Node;
import dev.inception.model.Op;
import dev.inception.model.Padding;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.verify.Tolerances;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each op on the GPU against the CPU executor, on random tensors with InceptionV3's real shapes: every distinct
 * convolution geometry (conv + BN + ReLU, faithful and fused), both pooling types, concat, global pooling, dense
 * and softmax. Each case is a one-block graph run by both executors.
 */
class GpuOpsTest {

    static final double TOLERANCE = Tolerances.forPrecision(dev.inception.Precision.FP32);

    @BeforeAll
    static void needsAGpu() {
        Assumptions.assumeTrue(GpuTestSupport.available(), GpuTestSupport::whyUnavailable);
    }

    /** Runs a small graph on the CPU and on the GPU, batch 2, and compares the output. */
    static void compare(Graph g, Lowering lowering, String what) {
        compare(g, Planner.lower(g, lowering), EngineOptions.defaults(), TOLERANCE, what + " (" + lowering + ")");
    }

    /** The same with the GPU executor opened with these options, within this relative error (0: bit for bit). */
    static void compare(Graph g, Plan plan, EngineOptions options, double tolerance, String what) {
        Weights w = SeededWeights.forGraph(g, 3);
        Tensor x = GpuTestSupport.random(2, g.input().shape(), 11);
        String out = g.output().name();
        EngineOptions o = options.withMaxBatch(2);
        float[] cpu;
        float[] gpu;
        try (CpuExecutor c = new CpuExecutor(plan, w)) {
            cpu = c.forward(x, List.of(out)).get(out).data();
        }
        try (GpuExecutor e = new GpuExecutor(plan, w, o)) {
            gpu = e.forward(x, List.of(out)).get(out).data();
        }
        double err = dev.inception.verify.Verification.relativeError(cpu, gpu);
        assertTrue(tolerance == 0 ? java.util.Arrays.equals(cpu, gpu) : err < tolerance,
                what + ": relative error " + err + (tolerance == 0 ? " (must be bit for bit)" : ""));
    }

    @TestFactory
    List<DynamicTest> everyDistinctConvolutionGeometry() {
        List<DynamicTest> tests = new ArrayList<>();
        Blocks.distinctConvs(InceptionV3.build()).forEach((key, conv) -> {
            for (Lowering l : Lowering.values()) {
                tests.add(DynamicTest.dynamicTest(conv.name() + " " + key + " " + l,
                        () -> compare(Blocks.convBnRelu(conv), l, conv.name())));
            }
        });
        return tests;
    }

    /**
     * kernels/pooling.cu: bit for bit with the reference in float32 (same window order, IEEE division), with 4 and
     * with 1 channel per thread (288 and 3 channels); within the precision's tolerance in FP16 and BF16; and cuDNN's
     * pooling (--cudnn-pooling) within the float32 tolerance.
     */
    @Test
    void maxPool3x3Stride2AndAveragePool3x3SameExcludingPadding() {
        for (PoolMode mode : PoolMode.values()) {
            for (int channels : new int[] {288, 3}) {
                GraphBuilder b = new GraphBuilder();
                Node x = b.input(Shape.of(35, 35, channels));
                x = mode == PoolMode.MAX ? b.apply(null, new Op.Pooling2D(mode, 3, 3, 2, 2, Padding.VALID), x)
                        : b.apply(null, new Op.Pooling2D(mode, 3, 3, 1, 1, Padding.SAME), x);
                Graph g = b.build("pool", x);
                Plan plan = Planner.lower(g, Lowering.FAITHFUL);
                String what = mode + " pooling of " + channels + " channels";
                compare(g, plan, EngineOptions.defaults(), 0, what + ", kernel");
                compare(g, plan, EngineOptions.defaults().withCudnnPooling(true), TOLERANCE, what + ", cuDNN");
                for (dev.inception.Precision p : List.of(dev.inception.Precision.FP16, dev.inception.Precision.BF16)) {
                    compare(g, plan, EngineOptions.defaults().withPrecision(p), Tolerances.forPrecision(p),
                            what + ", kernel, " + p);
                }
            }
        }
    }

    /**
     * A pooling branch writing its channel slice of the block output (copy-free concatenation), like mixed3's:
     * the kernel's output pixels are 768 channels apart, at channel offset 480 (16-byte aligned) or, with a
     * 4-channel first part, at an offset where only one channel per thread fits.
     */
    @Test
    void aPoolingBranchWritesItsChannelSliceLikeMixed3() {
        for (int first : new int[] {384, 4}) {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input(Shape.of(35, 35, 288));
            Node a = b.apply(null, new Op.Conv2D(first, 3, 3, 2, 2, Padding.VALID), x);
            Node c = b.apply(null, new Op.Conv2D(96, 3, 3, 2, 2, Padding.VALID), x);
            Node p = b.apply(null, new Op.Pooling2D(PoolMode.MAX, 3, 3, 2, 2, Padding.VALID), x);
            Graph g = b.build("mixed3-like", b.apply("mixed", new Op.Concatenate(), a, c, p));
            Plan plan = Planner.lower(g, Lowering.FAITHFUL, List.of(), dev.inception.plan.ConcatPlacement.IN_PLACE,
                    false);
            compare(g, plan, EngineOptions.defaults().withCopyFreeConcat(true), TOLERANCE,
                    "copy-free concat with a pooling part after " + first + " channels");
        }
    }

    @Test
    void concatOfFourBranchesLikeMixed0() {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input(Shape.of(35, 35, 192));
        Node a = b.apply(null, new Op.Conv2D(64, 1, 1, 1, 1, Padding.SAME), x);
        Node c = b.apply(null, new Op.Conv2D(32, 1, 1, 1, 1, Padding.SAME), x);
        Node p = b.apply(null, new Op.Pooling2D(PoolMode.AVERAGE, 3, 3, 1, 1, Padding.SAME), x);
        Node d = b.apply(null, new Op.Conv2D(96, 3, 3, 1, 1, Padding.SAME), x);
        compare(b.build("concat", b.apply("mixed", new Op.Concatenate(), a, c, p, d)), Lowering.FAITHFUL, "concat");
    }

    @Test
    void globalPoolingDenseAndSoftmaxLikeTheTop() {
        for (PoolMode mode : PoolMode.values()) {
            GraphBuilder b = new GraphBuilder();
            Node x = b.input(Shape.of(8, 8, 2048));
            x = b.apply("avg_pool", new Op.GlobalPooling2D(mode), x);
            x = b.apply("predictions", new Op.Dense(1000, true), x);
            compare(b.build("top", x), Lowering.FAITHFUL, mode + " global pooling + dense + softmax");
        }
        Graph g = InceptionV3.build();
        assertTrue(Planner.lower(g, Lowering.FUSED).steps().stream().anyMatch(s -> s instanceof Step.Softmax));
    }

    @Test
    void preprocessKernelIsBitIdenticalToTheCpuTwin() {
        Graph g = InceptionV3.build();
        Weights w = SeededWeights.forGraph(g, 1);
        byte[] rgb = new byte[2 * 299 * 299 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 31);
        }
        EngineOptions o = EngineOptions.defaults().withMaxBatch(2).withTaps(true).withLowering(Lowering.FAITHFUL);
        Plan plan = Planner.lower(g, Lowering.FAITHFUL, List.of("input_1"));
        try (GpuExecutor gpu = new GpuExecutor(plan, w, o); CpuExecutor cpu = new CpuExecutor(plan, w)) {
            float[] a = cpu.forwardImages(rgb, 2, g.input().shape(), List.of("input_1")).get("input_1").data();
            float[] b = gpu.forwardImages(rgb, 2, g.input().shape(), List.of("input_1")).get("input_1").data();
            assertTrue(java.util.Arrays.equals(a, b), "preprocess differs");
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withBackend(Backend.GPU))) {
            assertTrue(e.backend().equals("gpu"));
        }
    }

    /**
     * Float32 inputs of a 16-bit engine go up as float32 and kernels/preprocess.cu's narrow_f32_* rounds them on the
     * device: bit for bit what HalfFloats gives on the host (which KernelElementsTest checks against CUDA's own
     * conversions and HalfFloatsTest against NumPy). Values: random bit patterns over every exponent, so ties,
     * subnormals, overflow to infinity and NaN all occur.
     */
    @Test
    void narrowKernelRoundsFloatInputsAsHalfFloatsDoes() {
        Graph g = InceptionV3.build();
        Weights w = SeededWeights.forGraph(g, 1);
        Tensor x = Tensor.zeros(2, g.input().shape());
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            // low mantissa bits often exactly at a tie for fp16 (13 dropped bits) and bf16 (16 dropped bits)
            int bits = r.nextInt();
            v[i] = Float.intBitsToFloat(i % 3 == 0 ? bits & 0xffffe000 | 0x1000 : i % 3 == 1 ? bits & 0xffff8000 : bits);
        }
        Plan plan = Planner.lower(g, Lowering.FUSED, List.of("input_1"));
        for (dev.inception.Precision p : List.of(dev.inception.Precision.FP16, dev.inception.Precision.BF16)) {
            try (GpuExecutor gpu = new GpuExecutor(plan, w, EngineOptions.defaults().withMaxBatch(2).withPrecision(p))) {
                float[] back = gpu.forward(x, List.of("input_1")).get("input_1").data();
                for (int i = 0; i < v.length; i++) {
                    float expected = p == dev.inception.Precision.FP16
                            ? dev.inception.gpu.HalfFloats.fromFp16(dev.inception.gpu.HalfFloats.toFp16(v[i]))
                            : dev.inception.gpu.HalfFloats.fromBf16(dev.inception.gpu.HalfFloats.toBf16(v[i]));
                    int at = i;
                    assertTrue(Float.compare(expected, back[i]) == 0, () -> p + " of " + Integer.toHexString(
                            Float.floatToRawIntBits(v[at])) + ": GPU " + back[at] + ", host " + expected);
                }
            }
        }
    }

    /**
     * --gpu-resize: kernels/resize.cu resizes same-sized images as PIL does (nearest and bilinear) and preprocesses
     * them, bit for bit in float32 what the CPU executor's input is after the host's resizing (Resize, Preprocess),
     * downscaling (640x480, the end2end scope's size) and upscaling (200x150), and a batch of two sizes still comes
     * out right (the host resizes it, reported once as a fallback).
     */
    @Test
    void resizeKernelMatchesTheHostsResizingBitForBit() {
        Graph g = InceptionV3.build();
        Weights w = SeededWeights.forGraph(g, 1);
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        java.util.function.BiFunction<Integer, Integer, dev.inception.image.RgbImage> random = (width, height) -> {
            byte[] px = new byte[width * height * 3];
            r.nextBytes(px);
            return new dev.inception.image.RgbImage(width, height, px);
        };
        Plan plan = Planner.lower(g, Lowering.FUSED, List.of("input_1"));
        EngineOptions o = EngineOptions.defaults().withMaxBatch(2).withGpuResize(true);
        try (GpuExecutor gpu = new GpuExecutor(plan, w, o); CpuExecutor cpu = new CpuExecutor(plan, w)) {
            for (dev.inception.image.Interpolation how : dev.inception.image.Interpolation.values()) {
                for (List<dev.inception.image.RgbImage> batch : List.of(
                        List.of(random.apply(640, 480), random.apply(640, 480)),
                        List.of(random.apply(200, 150), random.apply(200, 150)),
                        List.of(random.apply(640, 480), random.apply(200, 150)))) {
                    byte[] packed = dev.inception.image.Preprocess.packBytes(batch, 299, 299, how);
                    float[] a = cpu.forwardImages(packed, 2, g.input().shape(), List.of("input_1")).get("input_1")
                            .data();
                    float[] b = gpu.submitImages(batch, how, g.input().shape(), List.of("input_1")).await()
                            .get("input_1").data();
                    assertTrue(java.util.Arrays.equals(a, b), how + " resizing on the GPU differs, "
                            + batch.get(0).width() + "x" + batch.get(0).height());
                }
            }
            assertEquals(1, gpu.fallbacks().size(), gpu.fallbacks().toString());
        }
    }
}
