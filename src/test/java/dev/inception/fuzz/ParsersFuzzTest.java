package dev.inception.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.KerasH5Reader;
import dev.inception.weights.WeightsFileException;
import dev.inception.weights.WeightsMismatchException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The parsers of untrusted files, fuzzed with Jazzer. The contract for every target: any input either loads or
 * gets the project's own exception with a message; never another exception type (a crash would be any other
 * Throwable, reported by Jazzer with the input). In every build these run in regression mode over the corpus in
 * src/test/resources/dev/inception/fuzz/ParsersFuzzTestInputs/&lt;target&gt;/ (real files, valid and broken);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ParsersFuzzTest#target} fuzzes one target for real (docs/RELIABILITY.md).
 */
class ParsersFuzzTest {

    /** A reader of a file, as the CLI calls it with the path a user gives. */
    interface Reader {
        void read(Path file) throws Exception;
    }

    /** Writes the bytes to a file and reads it; the expected exception types are the project's answers. */
    @SafeVarargs
    private static void parse(byte[] data, Reader reader, Class<? extends Exception>... expected) throws Exception {
        Path f = Files.createTempFile("fuzz", ".bin");
        try {
            Files.write(f, data);
            reader.read(f);
        } catch (Exception e) {
            for (Class<? extends Exception> ok : expected) {
                if (ok.isInstance(e)) {
                    return;
                }
            }
            throw e;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void kerasWeights(byte[] data) throws Exception {
        parse(data, KerasH5Reader::read, WeightsFileException.class, WeightsMismatchException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void images(byte[] data) throws Exception {
        parse(data, ImageDecoder::read, ImageDecodeException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void featuresFile(byte[] data) throws Exception {
        parse(data, FeatureSet::read, WeightsFileException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void headFile(byte[] data) throws Exception {
        parse(data, f -> SoftmaxHead.load(f, 2048), WeightsFileException.class);
    }
}
