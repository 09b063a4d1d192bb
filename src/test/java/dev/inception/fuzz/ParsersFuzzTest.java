package dev.inception.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.KerasH5Reader;
import dev.inception.weights.WeightsFileException;
import dev.inception.weights.WeightsMismatchException;

import java.io.IOException;
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

    /** The bytes as a file, since every reader takes a path, as the CLI gives it. */
    private static Path file(byte[] data, String suffix) throws IOException {
        Path f = Files.createTempFile("fuzz", suffix);
        Files.write(f, data);
        f.toFile().deleteOnExit();
        return f;
    }

    @FuzzTest(maxDuration = "30s")
    void kerasWeights(byte[] data) throws IOException {
        Path f = file(data, ".h5");
        try {
            KerasH5Reader.read(f);
        } catch (WeightsFileException | WeightsMismatchException expected) {
            // the project's own answer to a bad file
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void images(byte[] data) throws IOException {
        Path f = file(data, ".img");
        try {
            ImageDecoder.read(f);
        } catch (ImageDecodeException expected) {
            // unreadable, truncated, absurd size: one message
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void featuresFile(byte[] data) throws IOException {
        Path f = file(data, ".h5");
        try {
            FeatureSet.read(f);
        } catch (WeightsFileException expected) {
            // not a features file
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void headFile(byte[] data) throws IOException {
        Path f = file(data, ".h5");
        try {
            SoftmaxHead.load(f, 2048);
        } catch (WeightsFileException expected) {
            // not a head file, or one for other features
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
