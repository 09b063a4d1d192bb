package dev.inception.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The parsers of option values, fuzzed: a size ("299x299") and a batch list ("1,8") either parse to what they
 * must be or are a usage error (exit 2), never another exception. Corpus:
 * src/test/resources/dev/inception/cli/OptionsFuzzTestInputs/.
 */
class OptionsFuzzTest {

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void sizes(FuzzedDataProvider in) {
        String s = in.consumeRemainingAsString();
        try {
            int[] hw = Sizes.parse(s);
            if (hw.length != 2 || hw[0] < 1 || hw[1] < 1) {
                throw new AssertionError("'" + s + "' parsed to an impossible size");
            }
        } catch (UsageException expected) {
            // not a size
        }
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void batchLists(FuzzedDataProvider in) {
        String s = in.consumeRemainingAsString();
        PredictCommandTest.Run r = PredictCommandTest.run("bench", "--batch", s, "--scope", "bogus-on-purpose");
        // a batch list is checked before the scope: either picocli refuses it or the scope does; both are usage
        if (r.code() != 2) {
            throw new AssertionError("--batch '" + s + "' gave exit " + r.code() + ": " + r.err());
        }
    }
}
