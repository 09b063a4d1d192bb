package dev.inception.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.Hdf5Input;
import dev.inception.weights.KerasH5Reader;
import dev.inception.weights.WeightsFileException;
import dev.inception.weights.WeightsMismatchException;

/**
 * The parsers of untrusted files, fuzzed with Jazzer. The contract for every target: any input either loads or
 * gets the project's own exception with a message; never another exception type (a crash would be any other
 * Throwable, reported by Jazzer with the input). In every build these run in regression mode over the corpus in
 * src/test/resources/dev/inception/fuzz/ParsersFuzzTestInputs/&lt;target&gt;/ (real files, valid and broken);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ParsersFuzzTest#target} fuzzes one target for real (docs/RELIABILITY.md).
 */
class ParsersFuzzTest {

    /** Opens the bytes as HDF5 in memory, as the CLI opens a file, and reads them. */
    private static void hdf5(byte[] data, java.util.function.Consumer<Hdf5Input.Source> reader) {
        try (Hdf5Input.Source in = Hdf5Input.open(data, "fuzz-input.h5", "fuzz input")) {
            reader.accept(in);
        } catch (WeightsFileException | WeightsMismatchException expected) {
            // the project's answer to a bad file
        }
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void kerasWeights(byte[] data) {
        hdf5(data, KerasH5Reader::read);
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void images(byte[] data) {
        // as decoded, and at the network's input size as predict, serve and Spark decode (under nearest resizing only
        // the pixels kept are converted, by index maps made from the decoded raster's own size)
        for (ImageDecoder.Size size : new ImageDecoder.Size[] {null, AT_INPUT}) {
            try {
                // a 1-megapixel limit: the parsers are the target, not how fast Java zeroes a 300 MB raster
                ImageDecoder.read(data, "fuzz-input", 1_000_000, size);
            } catch (ImageDecodeException expected) {
                // the project's answer to a bad image
            }
        }
    }

    private static final ImageDecoder.Size AT_INPUT = new ImageDecoder.Size(299, 299,
            dev.inception.image.Interpolation.NEAREST);

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void featuresFile(byte[] data) {
        hdf5(data, FeatureSet::read);
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void headFile(byte[] data) {
        hdf5(data, in -> SoftmaxHead.load(in, 2048));
    }
}
