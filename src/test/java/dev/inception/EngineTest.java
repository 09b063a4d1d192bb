package dev.inception;

import dev.inception.image.Interpolation;
import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.transfer.HeadClassifier;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole network on the CPU with seeded weights: invariants that do not need reference numbers. */
class EngineTest {

    static Weights weights;
    static Tensor twoImages;

    @BeforeAll
    static void setUp() {
        Graph g = InceptionV3.build();
        weights = SeededWeights.forGraph(g, 1);
        Random r = new Random(42);
        float[] x = new float[2 * 299 * 299 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        twoImages = new Tensor(2, Shape.of(299, 299, 3), x);
    }

    static EngineOptions cpu() {
        return EngineOptions.defaults().withBackend(Backend.REFERENCE);
    }

    static double relativeError(float[] a, float[] b) {
        return dev.inception.verify.Verification.relativeError(a, b);
    }

    @Test
    void fusedAndFaithfulPlansAgreeOnEveryTap() {
        Map<String, Tensor> faithful;
        Map<String, Tensor> fused;
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu().withLowering(Lowering.FAITHFUL).withTaps(true))) {
            faithful = e.taps(twoImages);
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu().withLowering(Lowering.FUSED).withTaps(true))) {
            fused = e.taps(twoImages);
        }
        assertEquals(faithful.keySet(), fused.keySet());
        assertEquals(14, fused.size());
        for (String tap : faithful.keySet()) {
            double err = relativeError(faithful.get(tap).data(), fused.get(tap).data());
            assertTrue(err < 1e-4, tap + ": relative error " + err);
        }
    }

    @Test
    void seededWeightsGiveMeaningfulActivations() {
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu().withTaps(true))) {
            Map<String, Tensor> taps = e.taps(twoImages);
            for (String tap : new String[] {"stem", "mixed3", "mixed7", "mixed10"}) {
                float[] d = taps.get(tap).data();
                double sq = 0;
                for (float v : d) {
                    sq += v * v;
                }
                double rms = Math.sqrt(sq / d.length);
                assertTrue(rms > 0.1 && rms < 10, tap + " rms " + rms);
            }
            float[] p = taps.get("predictions").image(0);
            double sum = 0;
            float max = 0;
            for (float v : p) {
                sum += v;
                max = Math.max(max, v);
            }
            assertEquals(1.0, sum, 1e-4);
            assertTrue(max > 0.01 && max < 0.99, "softmax is neither uniform nor one-hot: max " + max);
        }
    }

    @Test
    void aBatchGivesTheSameResultAsItsImagesOneByOne() {
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu())) {
            float[][] both = e.predict(twoImages);
            for (int i = 0; i < 2; i++) {
                Tensor one = new Tensor(1, twoImages.shape(), twoImages.image(i));
                float[] alone = e.predict(one)[0];
                assertTrue(relativeError(alone, both[i]) < 1e-6, "image " + i);
            }
            assertTrue(relativeError(both[0], both[1]) > 1e-3, "different images give different outputs");
        }
    }

    @Test
    void featuresAreTheAveragePoolOfMixed10() {
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu().withTaps(true))) {
            Tensor mixed10 = e.taps(twoImages).get("mixed10");
            float[][] features = e.features(twoImages);
            assertEquals(2048, features[1].length);
            for (int c = 0; c < 2048; c += 97) {
                double sum = 0;
                for (int p = 0; p < 64; p++) {
                    sum += mixed10.data()[(64 + p) * 2048 + c];
                }
                assertEquals(sum / 64, features[1][c], 1e-5 * (1 + Math.abs(sum / 64)));
            }
        }
    }

    /**
     * Decoded images take the executor's uint8 path (packed as bytes, preprocessed by the executor: on the GPU, after
     * an upload a quarter of the floats'), which the server, the Spark job, features and predict --head use: bit for
     * bit the features, and the head's probabilities, that their preprocessed floats give through the float path.
     */
    @Test
    void decodedImagesGiveTheFeaturesAndHeadProbabilitiesOfTheirFloats() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(8);
        List<RgbImage> images = new ArrayList<>();
        for (int[] size : new int[][] {{320, 240}, {299, 299}}) {
            byte[] px = new byte[size[0] * size[1] * 3];
            r.nextBytes(px);
            images.add(new RgbImage(size[0], size[1], px));
        }
        float[] kernel = new float[2048 * 3];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) r.nextDouble(-0.05, 0.05);
        }
        SoftmaxHead head = new SoftmaxHead(kernel, new float[] {0.1f, 0f, -0.1f}, 2048, List.of("a", "b", "c"),
                "299x299");
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, EngineOptions.defaults().withBackend(Backend.CPU)
                .withMaxBatch(2))) {
            Tensor floats = Preprocess.batch(images, 299, 299, Interpolation.NEAREST);
            float[][] expected = e.features(floats);
            float[][] features = e.featuresLater(images, Interpolation.NEAREST).get();
            HeadClassifier h = e.withHead(head);
            float[][] expectedProbabilities = h.predict(floats);
            float[][] probabilities = h.predictLater(images, Interpolation.NEAREST).get();
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(expected[i], features[i], "features of image " + i);
                assertArrayEquals(expectedProbabilities[i], probabilities[i], "head's probabilities of image " + i);
            }
            // the float batch submitted and collected later (the server's path for clients' tensors) answers alike,
            // and is checked as predict checks it (a NaN input is refused before anything runs)
            float[][] later = e.featuresLater(floats).get();
            float[][] headLater = h.predictLater(floats).get();
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(expected[i], later[i], "features submitted, image " + i);
                assertArrayEquals(expectedProbabilities[i], headLater[i], "head submitted, image " + i);
            }
            floats.data()[5] = Float.NaN;
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> e.featuresLater(floats));
            assertTrue(nan.getMessage().contains("must be finite"), nan.getMessage());
        }
    }

    @Test
    void batchLargerThanTheMaximumIsRefused() {
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu().withMaxBatch(1))) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> e.predict(twoImages));
            assertTrue(ex.getMessage().contains("maximum of 1"), ex.getMessage());
        }
    }

    @Test
    void wrongInputShapeIsRefused() {
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, cpu())) {
            Tensor wrong = Tensor.zeros(1, Shape.of(224, 224, 3));
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> e.predict(wrong));
            assertTrue(ex.getMessage().contains("299"), ex.getMessage());
        }
    }

    @Test
    void gpuBackendExplainsWhyItIsUnavailableAndAutoFallsBack() {
        StringBuilder notice = new StringBuilder();
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, EngineOptions.defaults(), notice::append)) {
            assertEquals("cpu", e.backend());
        }
        assertTrue(notice.toString().startsWith("note: running on the CPU"), notice.toString());
        assertThrows(BackendUnavailableException.class,
                () -> InceptionV3Engine.open(weights, EngineOptions.defaults().withBackend(Backend.GPU)));
    }

    /**
     * Only the GPU computes TF32, fp16 or bf16: an explicit CPU backend refuses them before any work (these weights
     * lack a layer, so a later refusal would name conv2d_94 instead), and AUTO, finding no GPU, refuses instead of
     * stepping down to an fp32 CPU engine.
     */
    @Test
    void aPrecisionOnlyTheGpuComputesIsRefusedByCpuEnginesAndByAutoWithoutAGpu() {
        Weights.Builder partial = Weights.builder().source("test weights");
        weights.keys().stream().filter(k -> !k.startsWith("conv2d_94/")).forEach(k -> partial.put(k, weights.get(k)));
        Weights lacking = partial.build();
        for (Precision p : new Precision[] {Precision.TF32, Precision.FP16, Precision.BF16}) {
            EngineOptions.Gpu gpu = new EngineOptions.Gpu(p, true, true, false, false, 16, 0, false, false, false);
            for (Backend b : new Backend[] {Backend.CPU, Backend.REFERENCE}) {
                UnsupportedPrecisionException e = assertThrows(UnsupportedPrecisionException.class,
                        () -> InceptionV3Engine.open(lacking, cpu().withBackend(b).withGpu(gpu), s -> { }));
                String name = b.name().toLowerCase(java.util.Locale.ROOT);
                assertEquals("--precision " + p.cliName() + " applies to the GPU only; the " + name + " backend"
                        + " computes in fp32 (use --backend gpu, or drop --precision)", e.getMessage());
            }
            StringBuilder notice = new StringBuilder();
            UnsupportedPrecisionException auto = assertThrows(UnsupportedPrecisionException.class,
                    () -> InceptionV3Engine.open(weights, EngineOptions.defaults().withGpu(gpu), notice::append));
            assertTrue(auto.getMessage().startsWith("--precision " + p.cliName() + " applies to the GPU only, and none"
                    + " is usable here: "), auto.getMessage());
            assertEquals(BackendUnavailableException.class, auto.getCause().getClass());
            assertEquals("", notice.toString(), "no step down to the CPU was announced");
        }
    }

    @Test
    void weightsMissingALayerAreRefusedByName() {
        Weights.Builder b = Weights.builder().source("test weights");
        weights.keys().stream().filter(k -> !k.startsWith("conv2d_94/")).forEach(k -> b.put(k, weights.get(k)));
        Exception e = assertThrows(IllegalArgumentException.class, () -> InceptionV3Engine.open(b.build(), cpu()));
        assertTrue(e.getMessage().contains("conv2d_94"), e.getMessage());
    }
}
