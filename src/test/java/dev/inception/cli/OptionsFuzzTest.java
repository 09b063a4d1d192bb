package dev.inception.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import picocli.CommandLine;

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

    /** bench's options, parsed as the CLI parses them (picocli resets them before each parse). */
    private static final BenchCommand BENCH = new BenchCommand();
    private static final CommandLine BENCH_LINE = Main.parser(BENCH);

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void batchLists(FuzzedDataProvider in) {
        String s = in.consumeRemainingAsString();
        try {
            BENCH_LINE.parseArgs("--batch", s);
            BENCH.checkCounts();
        } catch (CommandLine.ParameterException usage) {
            return;   // exit 2, one line: what the CLI does with it (Main maps ParameterException to 2)
        }
        // accepted: then it is a list of positive batch sizes that came from the text
        if (BENCH.batches.isEmpty() || BENCH.batches.stream().anyMatch(b -> b == null || b < 1)) {
            throw new AssertionError("--batch '" + s + "' was accepted as " + BENCH.batches);
        }
    }

    /** The fast target above is the CLI's own parser: the same answers as a whole command line, on a few lists. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1,8", "0", "-3", "8,,2", "x", "2147483648", " 4", "",
        ",", ",,", "@/", "@examples/SOURCE.md"})
    void theFastBatchListTargetAgreesWithTheWholeCommandLine(String s) {
        boolean accepted;
        try {
            BENCH_LINE.parseArgs("--batch", s);
            BENCH.checkCounts();
            accepted = true;
        } catch (CommandLine.ParameterException usage) {
            accepted = false;
        }
        PredictCommandTest.Run r = PredictCommandTest.run("bench", "--batch", s, "--scope", "bogus-on-purpose");
        // the whole command refuses the scope after the batches: exit 2 either way, and the message tells which
        org.junit.jupiter.api.Assertions.assertEquals(2, r.code(), r.err());
        org.junit.jupiter.api.Assertions.assertEquals(accepted, r.err().contains("--scope"), s + ": " + r.err());
    }
}
