package dev.inception.nativetests;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Precision;
import dev.inception.Tensor;
import dev.inception.gpu.GpuDevices;
import dev.inception.gpu.GpuProperties;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;
import dev.inception.verify.Verification;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole network on the GPU against the CPU reference, and the engine's lifecycle on the device. */
class GpuNetworkTest {

    static Graph graph;
    static Weights weights;

    @BeforeAll
    static void needsAGpu() {
        Assumptions.assumeTrue(GpuTestSupport.available(), GpuTestSupport::whyUnavailable);
        graph = InceptionV3.build();
        weights = SeededWeights.forGraph(graph, 1);
    }

    @ParameterizedTest(name = "batch {0}, {1} plan")
    @CsvSource({"1, FAITHFUL", "1, FUSED", "8, FAITHFUL", "8, FUSED"})
    void everyTapWithinToleranceAndTop5Identical(int batch, Lowering lowering) {
        assertMatchesTheReference(GpuTestSupport.random(batch, graph.input().shape(), 5), lowering, Precision.FP32);
    }

    /** Every tap of the GPU's pass within the precision's tolerance of the reference's (faithful plan, float32). */
    static void assertMatchesTheReference(Tensor x, Lowering lowering, Precision precision) {
        assertMatchesTheReference(x, lowering, precision, java.util.function.UnaryOperator.identity());
    }

    /** The same with other GPU switches (--cudnn-engines N, --bias-relu-kernel). */
    static void assertMatchesTheReference(Tensor x, Lowering lowering, Precision precision,
                                          java.util.function.UnaryOperator<EngineOptions> switches) {
        EngineOptions o = switches.apply(EngineOptions.defaults().withTaps(true).withMaxBatch(x.batch()));
        Map<String, Tensor> cpu;
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, o.withBackend(Backend.REFERENCE).withLowering(Lowering.FAITHFUL))) {
            cpu = e.taps(x);
        }
        Map<String, Tensor> gpu;
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, o.withBackend(Backend.GPU).withLowering(lowering)
                .withPrecision(precision))) {
            gpu = e.taps(x);
            gpu = e.taps(x);   // the second pass is the captured one, which later passes replay
            long planned = e.describe().stream().filter(l -> l.contains("backend engine")).count();
            long gemms = e.describe().stream().filter(l -> l.contains("(1x1 as GEMM")).count();
            System.out.printf("[native-tests] batch %d %s %s: %d convolutions on cuDNN backend plans, %d as cuBLAS"
                    + " GEMMs, fallbacks %s%n", x.batch(), lowering, precision, planned, gemms, e.fallbacks());
            if (o.gpu().gemm1x1() && Boolean.getBoolean(GpuProperties.GEMM_1X1_ALWAYS)) {
                assertTrue(gemms == 40, "every 1x1 convolution a GEMM: " + gemms + "; " + e.fallbacks());
            }
        }
        Verification.Report r = Verification.compare(cpu, gpu, precision);
        for (Verification.TapResult t : r.taps()) {
            System.out.printf("[native-tests] batch %d %s %s %-12s rel %.3e%n", x.batch(), lowering, precision, t.tap(),
                    t.maxRelativeError());
        }
        assertTrue(r.pass(), r.toString());
    }

    /** FP16 and BF16 against the float32 reference, within the tolerances of docs/VERIFICATION.md. */
    @ParameterizedTest(name = "{0}, fused plan, batch 2")
    @CsvSource({"FP16", "BF16"})
    void sixteenBitNetworksWithinTheirTolerance(Precision precision) {
        assertMatchesTheReference(GpuTestSupport.random(2, graph.input().shape(), 6), Lowering.FUSED, precision);
    }

    /**
     * --bias-relu-kernel: every fused convolution as cudnnConvolutionForward + kernels/bias_relu.cu, within the
     * precision's tolerance of the reference (fp32's 1e-4 included: the kernel adds and clamps in float32).
     */
    @ParameterizedTest(name = "{0}, fused plan, batch 2, bias + ReLU kernel")
    @CsvSource({"FP32", "FP16"})
    void biasReluKernelWithinTheTolerance(Precision precision) {
        assertMatchesTheReference(GpuTestSupport.random(2, graph.input().shape(), 10), Lowering.FUSED, precision,
                o -> o.withBiasReluKernel(true));
    }

    /**
     * --gemm-1x1 with every 1x1 convolution a cuBLAS GEMM (the property that skips the timing: otherwise only the
     * faster ones would run) and the bias + ReLU kernel after it, within the precision's tolerance of the reference.
     */
    @ParameterizedTest(name = "{0}, fused plan, batch 2, every 1x1 convolution a GEMM")
    @CsvSource({"FP32", "FP16"})
    void oneByOneGemmsWithinTheTolerance(Precision precision) {
        System.setProperty(GpuProperties.GEMM_1X1_ALWAYS, "true");
        try {
            assertMatchesTheReference(GpuTestSupport.random(2, graph.input().shape(), 11), Lowering.FUSED, precision,
                    o -> o.withGemm1x1(true));
        } finally {
            System.clearProperty(GpuProperties.GEMM_1X1_ALWAYS);
        }
    }

    /**
     * The second pass at a batch size is captured into a CUDA graph, the third replays it: both give exactly the
     * first (eager) pass's values, since the same kernels run on the same data in the same order.
     */
    @Test
    void graphReplayGivesTheEagerPassBitForBit() {
        Tensor x = GpuTestSupport.random(2, graph.input().shape(), 7);
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, EngineOptions.defaults().withBackend(Backend.GPU)
                .withMaxBatch(2).withTaps(true))) {
            Map<String, Tensor> eager = e.taps(x);
            Map<String, Tensor> captured = e.taps(x);
            Map<String, Tensor> replayed = e.taps(x);
            assertTrue(e.describe().get(0).contains("replaying batch 2"), e.describe().get(0));
            for (String tap : eager.keySet()) {
                assertTrue(java.util.Arrays.equals(eager.get(tap).data(), captured.get(tap).data()), tap);
                assertTrue(java.util.Arrays.equals(eager.get(tap).data(), replayed.get(tap).data()), tap);
            }
        }
    }

    /**
     * At the largest batch the benchmarks run, as they run it (FP16, graphs and branch streams on), the replayed pass
     * computes every image: each of 256 images (two distinct ones, repeated) gets the probabilities a batch of two
     * gets, within FP16's tolerance (other batch sizes may choose other algorithms). A pass that skipped work, or
     * read another image's slot, would not.
     */
    @Test
    void aReplayedBatchOf256ComputesEveryImage() {
        Tensor two = GpuTestSupport.random(2, graph.input().shape(), 8);
        List<float[]> images = new java.util.ArrayList<>();
        for (int i = 0; i < 256; i++) {
            images.add(two.image(i % 2));
        }
        Tensor big = Tensor.stack(graph.input().shape(), images);
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withPrecision(Precision.FP16);
        float[][] small;
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, o.withMaxBatch(2))) {
            small = e.predict(two);
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, o.withMaxBatch(256))) {
            e.predict(big);
            e.predict(big);
            float[][] replayed = e.predict(big);
            assertTrue(e.describe().get(0).contains("replaying batch 256"), e.describe().get(0));
            double tolerance = dev.inception.verify.Tolerances.forPrecision(Precision.FP16);
            for (int i = 0; i < 256; i++) {
                double err = Verification.relativeError(small[i % 2], replayed[i]);
                assertTrue(err < tolerance, "image " + i + ": relative error " + err);
            }
        }
    }

    /**
     * Batches streamed through predictLater (each submitted before the one before is collected, so uploads and
     * downloads overlap compute on the copy stream) give exactly what predict gives one batch at a time.
     */
    @Test
    void streamedBatchesGiveWhatOneAtATimeGives() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        List<List<dev.inception.image.RgbImage>> batches = new java.util.ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<dev.inception.image.RgbImage> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] px = new byte[299 * 299 * 3];
                for (int j = 0; j < px.length; j++) {
                    px[j] = (byte) r.nextInt(256);
                }
                batch.add(new dev.inception.image.RgbImage(299, 299, px));
            }
            batches.add(batch);
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, EngineOptions.defaults().withBackend(Backend.GPU)
                .withMaxBatch(2))) {
            List<float[][]> oneByOne = new java.util.ArrayList<>();
            for (List<dev.inception.image.RgbImage> b : batches) {
                oneByOne.add(e.predict(b, dev.inception.image.Interpolation.NEAREST));
            }
            var first = e.predictLater(batches.get(0), dev.inception.image.Interpolation.NEAREST);
            var second = e.predictLater(batches.get(1), dev.inception.image.Interpolation.NEAREST);
            float[][] p0 = first.get();
            var third = e.predictLater(batches.get(2), dev.inception.image.Interpolation.NEAREST);
            List<float[][]> streamed = List.of(p0, second.get(), third.get());
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < 2; i++) {
                    assertTrue(java.util.Arrays.equals(oneByOne.get(b)[i], streamed.get(b)[i]), "batch " + b);
                }
            }
        }
    }

    /**
     * Open/close cycles: -Dinception.leakCycles (default 5, as in the runbook; 100 for a soak). Cheap per cycle
     * because convolution algorithms are measured once per geometry and process, not once per engine.
     */
    @Test
    void openAndCloseRepeatedlyLeaksNoDeviceMemory() {
        int cycles = Integer.getInteger("inception.leakCycles", 5);
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(4);
        try (InceptionV3Engine warm = InceptionV3Engine.open(weights, o)) {
            warm.forward(GpuTestSupport.random(1, graph.input().shape(), 1));
        }
        long before = freeMemory();
        for (int i = 0; i < cycles; i++) {
            try (InceptionV3Engine e = InceptionV3Engine.open(weights, o)) {
                assertEquals("gpu", e.backend());
            }
        }
        long after = freeMemory();
        assertTrue(before - after < 16L << 20, "free device memory fell by " + ((before - after) >> 20) + " MiB over "
                + cycles + " cycles");
    }

    @Test
    void aBatchLargerThanTheMaximumIsRefused() {
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, EngineOptions.defaults().withBackend(Backend.GPU)
                .withMaxBatch(2))) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.predict(GpuTestSupport.random(3, graph.input().shape(), 2)));
            assertTrue(ex.getMessage().contains("maximum of 2"), ex.getMessage());
        }
    }

    /** Free memory of device 0, read under a context of our own (the primary context). */
    static long freeMemory() {
        try (dev.inception.gpu.CudaContext cx = new dev.inception.gpu.CudaContext(0, Precision.FP32)) {
            return cx.memoryInfo()[0];
        }
    }

    @Test
    void deviceReportNamesTheGpu() {
        GpuDevices.Report r = GpuDevices.query();
        assertTrue(r.devices().get(0).name().length() > 0);
        int[] v = new int[1];
        JCudaDriver.cuDriverGetVersion(v);
        assertTrue(v[0] >= 12000, "driver " + v[0]);
    }
}
