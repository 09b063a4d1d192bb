package dev.inception;

import dev.inception.imagenet.Labels;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.weights.KerasH5Writer;
import dev.inception.weights.KerasWeights;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference executor (and the oneDNN executor) against an implementation that is not this project's code: a float64 NumPy
 * InceptionV3 written from Keras's inception_v3.py (src/test/python/keras_reference.py), run on the project's seeded
 * weights exported as a Keras .h5 file. Its taps are in src/test/resources/golden/inception_v3_golden.h5 (every
 * value of small taps, 4096 evenly spaced values of large ones). Both sides read the same file: here the seeded
 * weights are written to .h5 and loaded back through KerasWeights, whose digest must be the fixture's.
 */
class GoldenReferenceTest {

    /**
     * max |ours - golden| / max |golden| per tap. Ours is float32 throughout, the golden float64; observed errors are
     * 2e-7 to 4e-6 (2026-11-30, both plans), and the tolerance sits a decade above the worst, so that a failure
     * means a bug: a BN epsilon of 1e-5 instead of 1e-3 alone moves the taps by more.
     */
    static final double TOLERANCE = 3e-5;

    static final Path GOLDEN = Path.of("src/test/resources/golden/inception_v3_golden.h5");

    @TempDir
    static Path tmp;

    static Weights weights;

    @BeforeAll
    static void sameFileAsTheGenerator() throws Exception {
        Graph top = InceptionV3.build();
        Path file = tmp.resolve("seeded.h5");
        KerasH5Writer.write(file, SeededWeights.forGraph(top, 1));
        weights = KerasWeights.load(file, top, s -> { });
        try (HdfFile golden = new HdfFile(GOLDEN)) {
            assertEquals(golden.getAttribute("weights_sha256").getData(), digest(weights),
                    "the golden fixture was made for other weights: regenerate it (src/test/python/keras_reference.py)");
        }
    }

    /** sha256 over every weight, keys sorted: utf-8 of the key, then float32 little-endian (as the generator). */
    static String digest(Weights w) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String key : new TreeSet<>(w.keys())) {
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            float[] v = w.values(key);
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            sha.update(b.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The generator's input: uint8 pixels from a formula, preprocessed as Keras's 'tf' mode. */
    static Tensor patternInput(int height, int width) {
        float[] x = new float[height * width * 3];
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                for (int c = 0; c < 3; c++) {
                    int pixel = (h * 7 + w * 13 + c * 29 + (h * w) % 17) % 256;
                    x[(h * width + w) * 3 + c] = pixel / 127.5f - 1f;
                }
            }
        }
        return new Tensor(1, Shape.of(height, width, 3), x);
    }

    record TapError(String tap, double error) {
    }

    static List<TapError> compare(String group, InceptionV3.Options model, Backend backend, Lowering lowering) {
        Map<String, Tensor> ours;
        try (InceptionV3Engine e = InceptionV3Engine.open(weights, EngineOptions.defaults().withModel(model)
                .withBackend(backend).withLowering(lowering).withTaps(true), s -> { })) {
            ours = e.taps(patternInput(model.height(), model.width()));
        }
        List<TapError> errors = new ArrayList<>();
        try (HdfFile golden = new HdfFile(GOLDEN)) {
            Group g = (Group) golden.getChild(group);
            assertEquals(new TreeSet<>(g.getChildren().keySet()), new TreeSet<>(ours.keySet()), "taps of " + group);
            for (Map.Entry<String, Node> tap : g.getChildren().entrySet()) {
                Group t = (Group) tap.getValue();
                long[] shape = (long[]) t.getAttribute("shape").getData();
                Tensor mine = ours.get(tap.getKey());
                long[] myShape = mine.shape().height() == 1 && shape.length == 1 ? new long[] {mine.shape().channels()}
                        : new long[] {mine.shape().height(), mine.shape().width(), mine.shape().channels()};
                assertArrayEquals(shape, myShape, tap.getKey() + " shape");
                int[] index = (int[]) t.getDatasetByPath("index").getData();
                float[] values = (float[]) t.getDatasetByPath("values").getData();
                double scale = (Double) t.getAttribute("abs_max").getData();
                double worst = 0;
                for (int i = 0; i < index.length; i++) {
                    worst = Math.max(worst, Math.abs(mine.data()[index[i]] - (double) values[i]));
                }
                errors.add(new TapError(tap.getKey(), worst / scale));
            }
            if (g.getChildren().containsKey("predictions")) {
                float[] p = (float[]) ((Group) g.getChild("predictions")).getDatasetByPath("values").getData();
                assertArrayEquals(Labels.topIndices(p, 5), Labels.topIndices(ours.get("predictions").data(), 5),
                        "top-5 of the independent implementation");
            }
        }
        return errors;
    }

    static void assertWithinTolerance(String what, List<TapError> errors) {
        for (TapError e : errors) {
            System.out.printf("[golden] %s %-12s %.2e%n", what, e.tap(), e.error());
        }
        List<TapError> bad = errors.stream().filter(e -> !(e.error() <= TOLERANCE)).toList();
        assertTrue(bad.isEmpty(), what + ": taps beyond " + TOLERANCE + ": " + bad);
    }

    /** The reference executor (both plans) and the oneDNN executor. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"REFERENCE, FAITHFUL", "REFERENCE, FUSED", "CPU, FUSED"})
    void classifierAt299MatchesTheIndependentFloat64Implementation(Backend backend, Lowering lowering) {
        assertWithinTolerance("299x299 " + backend + " " + lowering,
                compare("299x299_top", InceptionV3.Options.defaults(), backend, lowering));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"REFERENCE, FAITHFUL", "REFERENCE, FUSED", "CPU, FUSED", "CPU, FAITHFUL"})
    void featureExtractorAt75MatchesTheIndependentFloat64Implementation(Backend backend, Lowering lowering) {
        InceptionV3.Options notop = new InceptionV3.Options(false, InceptionV3.Options.Pooling.NONE, 75, 75, 1000);
        assertWithinTolerance("75x75 " + backend + " " + lowering, compare("75x75_notop", notop, backend, lowering));
    }
}
