package dev.inception.weights;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads files written by Keras itself (2.0.6 save_weights, 2.3.1 model.save); values from their SOURCE.md. */
class KerasH5ReaderTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return Path.of("src/test/resources/keras-fixture", name);
    }

    static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    private static void assertFixture(KerasH5Reader.Contents c) {
        List<String> layers = c.layers().stream().map(KerasH5Reader.Layer::name).toList();
        assertEquals(List.of("input_1", "batch_normalization_1", "cnn2D_1_relu", "dropout_1", "batch_normalization_2",
                "cnn2D_2_relu", "dropout_2", "flatten_1", "dense_1_relu", "dropout_3", "output_softmax"), layers);
        assertTrue(c.layers().get(0).weightKeys().isEmpty(), "weightless layers have an empty float64 weight_names");
        Weights w = c.weights();
        assertEquals(16, w.keys().size());
        Weight k1 = w.get("cnn2D_1_relu/kernel:0");
        assertArrayEquals(new int[] {3, 3, 1, 5}, k1.shape());
        assertArrayEquals(new float[] {-1.15477788f, 0.270232946f, 0.382353961f}, Arrays.copyOf(k1.values(), 3), 1e-7f);
        assertEquals(2.33124986, sum(k1.values()), 1e-5);
        assertArrayEquals(new int[] {5, 5, 5, 2}, w.get("cnn2D_2_relu/kernel:0").shape());
        assertEquals(-1.98305885, sum(w.values("cnn2D_2_relu/kernel:0")), 1e-5);
        assertEquals(728.785889, w.values("batch_normalization_1/moving_variance:0")[0], 1e-4);
        assertEquals(10.5344938, sum(w.values("batch_normalization_2/moving_variance:0")), 1e-5);
        assertArrayEquals(new int[] {50, 10}, w.get("dense_1_relu/kernel:0").shape());
        assertEquals(-122.55236, sum(w.values("dense_1_relu/kernel:0")), 1e-3);
        assertEquals(-0.0249735713, sum(w.values("output_softmax/bias:0")), 1e-7);
    }

    @Test
    void readsKeras206SaveWeightsLayout() {
        KerasH5Reader.Contents c = KerasH5Reader.read(fixture("jetTagger_Conv2D_Small_weights.h5"));
        assertFixture(c);
        assertEquals("2.0.6", c.kerasVersion());
    }

    @Test
    void readsKeras231FullModelLayout() {
        KerasH5Reader.Contents c = KerasH5Reader.read(fixture("keras_jetTagger_Conv2D_small_fullmodel.h5"));
        assertFixture(c);
        assertEquals("2.3.1", c.kerasVersion());
    }

    @Test
    void roundTripOfTheFixture() {
        Weights original = KerasH5Reader.read(fixture("jetTagger_Conv2D_Small_weights.h5")).weights();
        Path out = tmp.resolve("copy.h5");
        KerasH5Writer.write(out, original);
        Weights back = KerasH5Reader.read(out).weights();
        assertEquals(original.keys(), back.keys());
        for (String k : original.keys()) {
            assertArrayEquals(original.get(k).shape(), back.get(k).shape(), k);
            assertArrayEquals(original.values(k), back.values(k), k);
        }
    }

    @Test
    void aFileThatIsNotHdf5() throws Exception {
        Path f = tmp.resolve("weights.h5");
        Files.writeString(f, "this is not HDF5");
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(f));
        assertTrue(e.getMessage().contains("not an HDF5 file"), e.getMessage());
    }

    @Test
    void aMissingFile() {
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(tmp.resolve("no.h5")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aTruncatedFile() throws Exception {
        byte[] all = Files.readAllBytes(fixture("jetTagger_Conv2D_Small_weights.h5"));
        for (int keep : new int[] {100, all.length / 2, all.length - 200}) {
            Path f = tmp.resolve("truncated-" + keep + ".h5");
            Files.write(f, Arrays.copyOf(all, keep));
            WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(f), "kept " + keep);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void aCorruptFile() throws Exception {
        byte[] all = Files.readAllBytes(fixture("jetTagger_Conv2D_Small_weights.h5"));
        // overwrite the root group's object header and symbol table (just after the superblock) with junk
        for (int i = 96; i < 1200; i++) {
            all[i] = (byte) (i * 37);
        }
        Path f = tmp.resolve("corrupt.h5");
        Files.write(f, all);
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(f));
        assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("not a Keras"), e.getMessage());
    }

    @Test
    void hdf5WithoutKerasLayout() {
        Path f = tmp.resolve("plain.h5");
        try (WritableHdfFile h5 = HdfFile.write(f)) {
            h5.putDataset("data", new float[] {1, 2, 3});
        }
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(f));
        assertTrue(e.getMessage().contains("not a Keras weights file"), e.getMessage());
    }

    @Test
    void float64WeightsAreRefusedByName() {
        Path f = tmp.resolve("f64.h5");
        try (WritableHdfFile h5 = HdfFile.write(f)) {
            h5.putAttribute("layer_names", new String[] {"dense_1"});
            WritableGroup g = h5.putGroup("dense_1");
            g.putAttribute("weight_names", new String[] {"dense_1/bias:0"});
            g.putGroup("dense_1").putDataset("bias:0", new double[] {1, 2});
        }
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(f));
        assertTrue(e.getMessage().contains("dense_1/bias:0") && e.getMessage().contains("is float64, not float32"), e.getMessage());
    }

    @Test
    void listedWeightWithoutDataset() {
        Path f = tmp.resolve("missing.h5");
        try (WritableHdfFile h5 = HdfFile.write(f)) {
            h5.putAttribute("layer_names", new String[] {"dense_1"});
            WritableGroup g = h5.putGroup("dense_1");
            g.putAttribute("weight_names", new String[] {"dense_1/kernel:0"});
            g.putGroup("dense_1").putDataset("bias:0", new float[] {1, 2});
        }
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(f));
        assertTrue(e.getMessage().contains("dense_1/kernel:0"), e.getMessage());
    }
}
