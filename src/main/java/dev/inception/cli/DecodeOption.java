package dev.inception.cli;

import dev.inception.image.DecodeAhead;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** --decode-threads: how many threads decode and resize image files ahead of the network. */
final class DecodeOption {

    /** More would only add memory (each thread holds a full-size image while it decodes). */
    static final int MAX_THREADS = 256;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Integer threads;

    @Option(names = "--decode-threads", paramLabel = "N",
            description = "Threads that decode and resize the next batch's image files while the network runs"
                    + " (default: 2 on the CPU backends, whose network uses every core; on the GPU every core but"
                    + " one, since two decode only a few hundred photos a second there).")
    void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new ParameterException(spec.commandLine(), "--decode-threads must be between 1 and " + MAX_THREADS
                    + ", not " + n);
        }
        threads = n;
    }

    /** The threads asked for, or the backend's default ({@link DecodeAhead#threadsFor}). */
    int threads(String backend) {
        return threads != null ? threads : DecodeAhead.threadsFor(backend);
    }
}
