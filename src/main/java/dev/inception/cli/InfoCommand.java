package dev.inception.cli;

import com.google.gson.GsonBuilder;
import dev.inception.nativelib.SystemReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "info", mixinStandardHelpOptions = true,
        header = "Show the Java, CUDA, cuDNN and cuBLAS this machine offers, and what is missing.",
        description = {"Report what the GPU backend would use: the CUDA driver and GPUs, cuDNN and cuBLAS (path,",
                "version, native or through this project's bridge), the kernels, and for anything missing what",
                "was looked for and what to do. Exits 0 with or without a GPU.",
                "Library search: -Dinception.cuda.libs or INCEPTION_CUDA_LIBS (dir:dir), LD_LIBRARY_PATH,",
                "CUDNN_HOME, CUDA_HOME, pip's nvidia-* wheels, /usr/local/cuda, the system folders."})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Also list every folder searched; stack traces on errors.")
    boolean verbose;

    /** A found library as "soname version at path (route)"; anything else as it prints. */
    private static String text(Object v) {
        if (v instanceof Map<?, ?> m && m.containsKey("soname")) {
            return m.get("soname") + " " + m.get("version") + " at " + m.get("path") + " (" + m.get("route") + ")";
        }
        return String.valueOf(v);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> r = SystemReport.collect();
        if (json) {
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(r));
            return Main.OK;
        }
        for (String key : List.of("java", "os", "driver", "driver_version", "gpus", "cudnn", "cudnn_version",
                "cublas", "cublas_version", "cublasLt", "nvrtc", "bridges", "kernels", "gpu_backend")) {
            if (r.containsKey(key)) {
                out.printf("%-22s %s%n", key.replace('_', ' ') + ":", text(r.get(key)));
            }
        }
        List<?> problems = (List<?>) r.get("problems");
        for (Object p : problems) {
            out.println("missing: " + p);
        }
        if (verbose || !problems.isEmpty()) {
            out.println("searched (in order): " + String.join(", ", ((List<?>) r.get("searched")).stream()
                    .map(String::valueOf).toList()));
        }
        return Main.OK;
    }
}
