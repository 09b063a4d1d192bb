package dev.inception.cli;

import com.google.gson.GsonBuilder;
import dev.inception.gpu.SmokeTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "smoke", mixinStandardHelpOptions = true,
        header = "GPU smoke test: one convolution and one SGEMM on the GPU against the CPU.",
        description = {"GPU smoke test: load the native stack, create cuDNN and cuBLAS handles, run one small",
                "convolution and one SGEMM on the GPU and compare them with the CPU. Exit 0 when both agree",
                "within 1e-4, 1 otherwise (including when no GPU is usable; the reason is printed)."})
final class SmokeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--device", defaultValue = "0", description = "GPU ordinal (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--json", description = "Print the steps as JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        Map<String, Object> r = SmokeTest.run(device);
        if (json) {
            // a wrong GPU result may be infinitely wrong: written as Infinity / NaN, as verify --json does
            spec.commandLine().getOut().println(new GsonBuilder().serializeSpecialFloatingPointValues()
                    .setPrettyPrinting().create().toJson(r));
        } else {
            r.forEach((k, v) -> spec.commandLine().getOut().printf("%-26s %s%n", k + ":", v));
        }
        return Boolean.TRUE.equals(r.get("passed")) ? Main.OK : Main.FAILURE;
    }
}
