package dev.inception.cli;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import picocli.CommandLine.Option;

import java.util.Locale;

/** --backend and --device, shared by the commands that run the network. */
final class BackendOption {

    @Option(names = "--backend", defaultValue = "auto",
            description = "auto | gpu | cpu | reference (default: ${DEFAULT-VALUE}: the GPU when usable, else cpu)."
                    + " cpu is oneDNN; reference is the plain-Java executor everything is verified against.")
    String backend;

    @Option(names = "--device", defaultValue = "0", paramLabel = "N", description = "GPU ordinal (default: ${DEFAULT-VALUE}).")
    int device;

    EngineOptions apply(EngineOptions o) {
        return o.withBackend(parse(backend)).withDevice(device);
    }

    static Backend parse(String s) {
        try {
            return Backend.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--backend must be auto, gpu, cpu or reference, got '" + s + "'");
        }
    }
}
