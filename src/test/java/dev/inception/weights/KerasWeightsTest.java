package dev.inception.weights;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** InceptionV3 weight files in Keras's layout: written here, read back, checked against the graph. */
class KerasWeightsTest {

    @TempDir
    static Path tmp;

    static Graph top = InceptionV3.build();
    static Graph notop = InceptionV3.build(InceptionV3.Options.features(299, 299));
    static Weights seeded;
    static Path fullFile;

    @BeforeAll
    static void writeFullFile() {
        seeded = SeededWeights.forGraph(top, 5);
        fullFile = tmp.resolve(KerasWeights.TOP_FILE);
        KerasH5Writer.write(fullFile, seeded);
    }

    private static Path writeWithout(String name, String layerToDrop) {
        Weights.Builder b = Weights.builder();
        seeded.keys().stream().filter(k -> !k.startsWith(layerToDrop + "/")).forEach(k -> b.put(k, seeded.get(k)));
        Path f = tmp.resolve(name);
        KerasH5Writer.write(f, b.build());
        return f;
    }

    @Test
    void savedThenLoadedWeightsGiveIdenticalProbabilities() {
        Weights loaded = KerasWeights.load(fullFile, top, s -> { });
        Random r = new Random(1);
        float[] x = new float[299 * 299 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        Tensor t = new Tensor(1, Shape.of(299, 299, 3), x);
        EngineOptions cpu = EngineOptions.defaults().withBackend(Backend.REFERENCE);
        float[] a;
        float[] b;
        try (InceptionV3Engine e = InceptionV3Engine.open(seeded, cpu)) {
            a = e.predict(t)[0];
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(loaded, cpu)) {
            b = e.predict(t)[0];
        }
        assertArrayEquals(a, b, "bit-identical: the file holds exactly the same float32 values");
    }

    @Test
    void layerNamesAreWrittenInGraphOrderAndMatchedByName() {
        KerasH5Reader.Contents c = KerasH5Reader.read(fullFile);
        assertEquals("conv2d_1", c.layers().get(0).name());
        assertEquals(94 * 2 + 1, c.layers().size());
    }

    @Test
    void missingLayerIsNamed() {
        Path f = writeWithout("missing.h5", "conv2d_94");
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> KerasWeights.load(f, top, s -> { }));
        assertTrue(e.getMessage().contains("conv2d_94"), e.getMessage());
    }

    @Test
    void notopFileForTheClassifierSaysSo() {
        Path f = writeWithout("notop.h5", "predictions");
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> KerasWeights.load(f, top, s -> { }));
        assertTrue(e.getMessage().contains("notop"), e.getMessage());
        // the same file is right for the model without top
        assertEquals(notop.weights().size(), KerasWeights.load(f, notop, s -> { }).keys().size());
    }

    @Test
    void fullFileForTheFeatureModelIsUsedWithANotice() {
        List<String> notices = new ArrayList<>();
        Weights w = KerasWeights.load(fullFile, notop, notices::add);
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).contains("without top"), notices.get(0));
        assertTrue(!w.has("predictions/kernel:0"));
    }

    @Test
    void extraLayerIsRefused() {
        Weights.Builder b = Weights.builder().putAll(seeded);
        b.put("conv2d_95/kernel:0", new Weight(new int[] {1, 1, 1, 1}, new float[] {1}));
        Path f = tmp.resolve("extra.h5");
        KerasH5Writer.write(f, b.build());
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> KerasWeights.load(f, top, s -> { }));
        assertTrue(e.getMessage().contains("conv2d_95"), e.getMessage());
    }

    @Test
    void wrongShapeIsNamedWithBothShapes() {
        Weights.Builder b = Weights.builder().putAll(seeded);
        b.put("conv2d_3/kernel:0", new Weight(new int[] {3, 3, 32, 32}, new float[3 * 3 * 32 * 32]));
        Path f = tmp.resolve("shape.h5");
        KerasH5Writer.write(f, b.build());
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> KerasWeights.load(f, top, s -> { }));
        assertTrue(e.getMessage().contains("conv2d_3/kernel:0") && e.getMessage().contains("[3, 3, 32, 64]"), e.getMessage());
    }
}
