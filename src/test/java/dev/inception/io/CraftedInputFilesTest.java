package dev.inception.io;

import dev.inception.bench.BenchResults;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.KerasH5Reader;
import dev.inception.weights.Weights;
import dev.inception.weights.WeightsFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files that are valid HDF5 (h5py writes and reads them: src/test/python/crafted_h5.py) but unusual or crafted, and
 * paths that are not files at all. Each gets the project's exception with a message that names the file and the
 * problem, never a Java internal ("ClassCastException", "integer overflow", "no such file" for a directory).
 */
class CraftedInputFilesTest {

    private static final Path CRAFTED = Path.of("src/test/resources/crafted");

    private static String weightsError(Path file) {
        return assertThrows(WeightsFileException.class, () -> KerasH5Reader.read(file)).getMessage();
    }

    private static String featuresError(Path file) {
        return assertThrows(WeightsFileException.class, () -> FeatureSet.read(file)).getMessage();
    }

    @Test
    void anHdf5FileWithAUserBlockReadsLikeTheSameFileWithout() {
        Weights plain = KerasH5Reader.read(Path.of("src/test/resources/keras-fixture/jetTagger_Conv2D_Small_weights.h5"))
                .weights();
        Weights blocked = KerasH5Reader.read(CRAFTED.resolve("user-block.h5")).weights();
        assertEquals(plain.keys(), blocked.keys());
        for (String k : plain.keys()) {
            assertArrayEquals(plain.get(k).values(), blocked.get(k).values(), k);
        }
    }

    @Test
    void datasetsOfAnotherTypeAreNamedWithTheirNumpyType() {
        String f64 = featuresError(CRAFTED.resolve("features-float64.h5"));
        assertTrue(f64.contains("'features' is float64, not float32"), f64);
        String i64 = featuresError(CRAFTED.resolve("features-int64.h5"));
        assertTrue(i64.contains("'labels' is int64, not int32"), i64);
    }

    @Test
    void aLabelBeyondTheClassNamesIsADamagedFile() {
        String m = featuresError(CRAFTED.resolve("features-bad-label.h5"));
        assertTrue(m.contains("sample 1") && m.contains("label 7") && m.contains("2 classes"), m);
    }

    @Test
    void chunksNeverWrittenReadAsTheFillValueAsH5pyReadsThem() {
        FeatureSet set = FeatureSet.read(CRAFTED.resolve("features-unwritten.h5"));
        assertEquals(4, set.size());
        for (float[] row : set.features()) {
            assertArrayEquals(new float[2048], row);
        }
    }

    @Test
    void aDeclaredSixGigabyteKernelIsRefusedBeforeAnyRead() {
        String m = weightsError(CRAFTED.resolve("weights-6gb.h5"));
        assertTrue(m.contains("declares 6400000000 bytes") && m.contains("crafted header"), m);
        String chunked = weightsError(CRAFTED.resolve("weights-6gb-chunked.h5"));
        assertTrue(chunked.contains("declares [40000, 40000], 6103 MiB") && chunked.contains("-Xmx"), chunked);
    }

    @Test
    void aHeadWithABadInputSizeNamesTheFile() {
        Path head = CRAFTED.resolve("head-bad-size.h5");
        String m = assertThrows(WeightsFileException.class, () -> SoftmaxHead.load(head, 2048)).getMessage();
        assertTrue(m.startsWith(head.toString()) && m.contains("input_size is 'garbage'"), m);
    }

    @Test
    void aDirectoryADeviceAndAMissingFileAreToldApartByEveryReader(@TempDir Path dir) {
        Path missing = dir.resolve("missing.h5");
        Path device = Path.of("/dev/zero");
        for (Path p : List.of(dir, device, missing)) {
            String expected = p == dir ? "is a directory" : p == device ? "is not a regular file" : "no such file";
            for (String m : List.of(weightsError(p), featuresError(p),
                    assertThrows(WeightsFileException.class, () -> SoftmaxHead.load(p, 2048)).getMessage(),
                    assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(p)).getMessage(),
                    assertThrows(IOException.class, () -> BenchResults.read(p)).getMessage())) {
                assertTrue(m.startsWith(p + ": " + expected), m);
            }
        }
    }

    @Test
    void benchResultsThatAreNotResultsSayWhatIsWrong(@TempDir Path dir) throws IOException {
        Path binary = Files.write(dir.resolve("binary.json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Path notJson = Files.writeString(dir.resolve("text.json"), "{ this is not json");
        Path nullJson = Files.writeString(dir.resolve("null.json"), "null");
        Path noSettings = Files.writeString(dir.resolve("partial.json"), "{\"schema\": \"inception-bench/1\"}");
        Path wrongType = Files.writeString(dir.resolve("wrong.json"), "{\"schema\": \"inception-bench/1\", \"settings\":"
                + " {\"backend\": \"cpu\", \"plan\": \"fused\", \"precision\": \"fp32\"}, \"machine\": {\"cpu\": \"x\","
                + " \"cores\": \"two\"}}");
        assertTrue(message(binary).contains("is not UTF-8 text"));
        assertTrue(message(notJson).contains("is not valid JSON"));
        assertTrue(message(nullJson).contains("a result is missing or not a JSON object"));
        assertTrue(message(noSettings).contains("\"settings\" is missing or not a JSON object"));
        assertTrue(message(wrongType).contains("\"cores\" is missing or not a number"));
    }

    private static String message(Path file) {
        String m = assertThrows(IOException.class, () -> BenchResults.read(file)).getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        return m;
    }
}
