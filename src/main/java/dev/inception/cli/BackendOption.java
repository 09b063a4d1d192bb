package dev.inception.cli;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import picocli.CommandLine.Option;


/** --backend and --device, shared by the commands that run the network. */
final class BackendOption {

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto | gpu | cpu | reference (default: ${DEFAULT-VALUE}: the GPU when usable, else cpu)."
                    + " cpu is oneDNN; reference is the plain-Java executor everything is verified against.")
    String backend;

    @Option(names = "--device", defaultValue = "0", paramLabel = "N", description = "GPU ordinal (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for oneDNN (default: every core). OpenMP"
            + " reads this once, at start: bin/inception passes it as OMP_NUM_THREADS; with plain java, set"
            + " OMP_NUM_THREADS instead.")
    Integer threads;

    EngineOptions apply(EngineOptions o) {
        if (threads != null) {
            if (threads < 1) {
                throw new UsageException("--threads must be at least 1, got " + threads);
            }
            String omp = System.getenv("OMP_NUM_THREADS");
            if (!String.valueOf(threads).equals(omp)) {
                throw new UsageException("--threads " + threads + " needs the bin/inception launcher, which"
                        + " sets OMP_NUM_THREADS before the JVM starts (here it is " + (omp == null ? "unset" : omp)
                        + "); run with OMP_NUM_THREADS=" + threads + " instead");
            }
        }
        return o.withBackend(parse(backend)).withDevice(device);
    }

    static Backend parse(String s) {
        return parse(s, "--backend");
    }

    /** @param option the option that named it, for the error */
    static Backend parse(String s, String option) {
        return Choice.of(Backend.class, s, option);
    }
}
