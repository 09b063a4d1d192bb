package dev.inception.model;

import dev.inception.weights.KerasH5Writer;
import dev.inception.weights.KerasWeights;
import dev.inception.weights.Weight;
import dev.inception.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The graph against facts taken from Keras's keras_applications/inception_v3.py, not from this project's builder:
 * the weight file layout (src/test/resources/golden/keras_weight_layout.txt, written by the independent NumPy
 * transcription of that source), each mixed block's branch order, and BatchNormalization's epsilon.
 */
class KerasSourceTest {

    @TempDir
    Path tmp;

    /** "conv2d_1/conv2d_1/kernel:0" -> shape, in Keras's creation order. */
    static Map<String, int[]> kerasLayout() throws Exception {
        Map<String, int[]> layout = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/golden/keras_weight_layout.txt"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            layout.put(f[0], Arrays.stream(f[1].split("x")).mapToInt(Integer::parseInt).toArray());
        }
        return layout;
    }

    /** The graph's weights as dataset paths of a Keras file: layer/layer/weight. */
    static Map<String, int[]> graphLayout(Graph g) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (WeightSpec w : g.weights()) {
            m.put(w.layer() + "/" + w.layer() + "/" + w.weight(), w.shape());
        }
        return m;
    }

    static void assertSameLayout(Map<String, int[]> expected, Map<String, int[]> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "names, in Keras's order");
        for (String k : expected.keySet()) {
            assertTrue(Arrays.equals(expected.get(k), actual.get(k)),
                    k + ": Keras " + Arrays.toString(expected.get(k)) + ", graph " + Arrays.toString(actual.get(k)));
        }
    }

    @Test
    void weightNamesAndShapesAreKerassOwn() throws Exception {
        Map<String, int[]> keras = kerasLayout();
        assertEquals(94 * 4 + 2, keras.size());
        assertSameLayout(keras, graphLayout(InceptionV3.build()));
        // the notop file: the same without predictions
        Map<String, int[]> notop = new LinkedHashMap<>(keras);
        notop.keySet().removeIf(k -> k.startsWith("predictions/"));
        assertSameLayout(notop, graphLayout(InceptionV3.build(InceptionV3.Options.features(299, 299))));
    }

    @Test
    void aFileInExactlyKerassLayoutLoads() throws Exception {
        // weights named and shaped by the fixture alone (values arbitrary), written as Keras writes them
        Weights.Builder b = Weights.builder().source("keras layout");
        int i = 0;
        for (Map.Entry<String, int[]> e : kerasLayout().entrySet()) {
            String[] parts = e.getKey().split("/");
            int n = Arrays.stream(e.getValue()).reduce(1, (x, y) -> x * y);
            float[] v = new float[n];
            Arrays.fill(v, e.getKey().contains("variance") ? 1f : 0.01f * (i++ % 7));
            b.put(parts[0] + "/" + parts[2], new Weight(e.getValue(), v));
        }
        Path file = tmp.resolve("keras.h5");
        KerasH5Writer.write(file, b.build());
        Weights loaded = KerasWeights.load(file, InceptionV3.build(), s -> { });
        assertEquals(94 * 4 + 2, loaded.keys().size());
        assertEquals(2048 * 1000, loaded.values("predictions/kernel:0").length);
    }

    /**
     * Each concatenation's inputs, from inception_v3.py with Keras's automatic names: conv2d_bn(...) ends in
     * activation_N, where N counts conv2d_bn calls in source order (stem 1-5; mixed0 6-12; mixed1 13-19; mixed2
     * 20-26; mixed3 27-30; mixed4 31-40; mixed5 41-50; mixed6 51-60; mixed7 61-70; mixed8 71-76; mixed9 77-85;
     * mixed10 86-94); the unnamed concatenations of mixed9/10's double-3x3 branch are concatenate_1 and _2.
     */
    static final Map<String, List<String>> KERAS_CONCATS = new LinkedHashMap<>();

    static {
        KERAS_CONCATS.put("mixed0", acts(6, 8, 11, 12));
        KERAS_CONCATS.put("mixed1", acts(13, 15, 18, 19));
        KERAS_CONCATS.put("mixed2", acts(20, 22, 25, 26));
        KERAS_CONCATS.put("mixed3", List.of("activation_27", "activation_30", "max_pooling2d_3"));
        KERAS_CONCATS.put("mixed4", acts(31, 34, 39, 40));
        KERAS_CONCATS.put("mixed5", acts(41, 44, 49, 50));
        KERAS_CONCATS.put("mixed6", acts(51, 54, 59, 60));
        KERAS_CONCATS.put("mixed7", acts(61, 64, 69, 70));
        KERAS_CONCATS.put("mixed8", List.of("activation_72", "activation_76", "max_pooling2d_4"));
        KERAS_CONCATS.put("mixed9_0", acts(79, 80));
        KERAS_CONCATS.put("concatenate_1", acts(83, 84));
        KERAS_CONCATS.put("mixed9", List.of("activation_77", "mixed9_0", "concatenate_1", "activation_85"));
        KERAS_CONCATS.put("mixed9_1", acts(88, 89));
        KERAS_CONCATS.put("concatenate_2", acts(92, 93));
        KERAS_CONCATS.put("mixed10", List.of("activation_86", "mixed9_1", "concatenate_2", "activation_94"));
    }

    static List<String> acts(int... n) {
        return Arrays.stream(n).mapToObj(i -> "activation_" + i).toList();
    }

    @Test
    void everyConcatenationTakesItsBranchesInKerassOrder() {
        Graph g = InceptionV3.build();
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Concatenate) {
                actual.put(n.name(), n.inputs().stream().map(Node::name).toList());
            }
        }
        assertEquals(KERAS_CONCATS, actual);
    }

    /** Keras's BatchNormalization default, which conv2d_bn keeps: the literal, not the builder's constant. */
    @Test
    void everyBatchNormalizationUsesKerassEpsilonOf1e3() {
        int count = 0;
        for (Node n : InceptionV3.build().nodes()) {
            if (n.op() instanceof Op.BatchNormalization bn) {
                assertEquals(1e-3f, bn.epsilon(), n.name());
                count++;
            }
        }
        assertEquals(94, count);
    }
}
