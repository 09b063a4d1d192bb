package dev.inception.cli;

import com.google.gson.GsonBuilder;
import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Precision;
import dev.inception.Tensor;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.image.Interpolation;
import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;
import dev.inception.verify.Tolerances;
import dev.inception.verify.Verification;
import dev.inception.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        header = "Compare a candidate (GPU, oneDNN, or a reference plan) with the reference, tap by tap.",
        sortOptions = false,
        description = {"Run the CPU reference (faithful plan) and a candidate on the same images and compare every",
                "tap (stem, mixed0..mixed10, avg_pool, predictions): max absolute error, max error relative to the",
                "tensor's largest value, pass/fail against the tolerance of docs/VERIFICATION.md, and the top-5",
                "classes per image. Exit 0 only if everything passes."},
        footer = {"", "Example: inception verify --precision fp32 --plan fused examples/chelsea.png"})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WeightsOption weights;

    @Option(names = "--candidate", defaultValue = "gpu",
            description = "gpu (default), cpu (oneDNN), or reference (the reference's fused plan against its faithful one).")
    String candidate;

    @Option(names = "--plan", defaultValue = "fused", description = "The candidate's plan: fused | faithful (default: ${DEFAULT-VALUE}).")
    String plan;

    @Mixin
    GpuOption gpu;

    @Option(names = "--device", defaultValue = "0", description = "GPU ordinal (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images, verified as one batch.")
    List<Path> images;

    @Override
    public Integer call() throws ImageDecodeException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Precision p = gpu.precision();
        Lowering candidatePlan = Choice.of(Lowering.class, plan, "--plan");
        Backend backend = BackendOption.parse(candidate, "--candidate");
        Graph graph = InceptionV3.build();
        Weights w = weights.resolve(graph, err);
        List<RgbImage> decoded = new ArrayList<>();
        for (Path image : images) {
            try {
                decoded.add(ImageDecoder.read(image));
            } catch (ImageDecodeException e) {
                throw new BadInputException(e.getMessage(), e);
            }
        }
        Tensor batch = Preprocess.batch(decoded, 299, 299, Interpolation.NEAREST);
        EngineOptions base = EngineOptions.defaults().withTaps(true).withMaxBatch(decoded.size());
        Map<String, Tensor> reference;
        try (InceptionV3Engine cpu = InceptionV3Engine.open(w, base.withBackend(Backend.REFERENCE).withLowering(Lowering.FAITHFUL))) {
            reference = cpu.taps(batch);
        }
        Map<String, Tensor> result;
        Map<String, Tensor> replay = null;
        String candidateName;
        List<String> fallbacks;
        try (InceptionV3Engine c = InceptionV3Engine.open(w, gpu.apply(base.withBackend(backend).withDevice(device))
                .withLowering(candidatePlan), err::println)) {
            result = c.taps(batch);
            if (c.backend().equals("gpu") && gpu.cudaGraphs) {
                // the pass servers and benchmarks repeat is a replay of the captured graph: verified too
                replay = c.taps(batch);
            }
            candidateName = c.backend() + " " + plan + " " + gpu.precision
                    + (c.backend().equals("gpu") && gpu.cudnnEngines > 0 ? ", cuDNN engines " + gpu.cudnnEngines : "")
                    + (c.backend().equals("gpu") && gpu.biasReluKernel ? ", bias+ReLU kernel" : "")
                    + (c.backend().equals("gpu") && gpu.gemm1x1 ? ", 1x1 as GEMM" : "")
                    + (replay != null ? ", then its CUDA graph replay" : "");
            fallbacks = c.fallbacks();
        }
        Verification.Report report = Verification.compare(reference, result, p);
        if (replay != null) {
            report = report.and("replay ", Verification.compare(reference, replay, p));
        }
        if (json) {
            Map<String, Object> m = Verification.toJson(report);
            m.put("candidate", candidateName);
            m.put("reference", "reference faithful fp32");
            m.put("images", images.stream().map(Path::toString).toList());
            m.put("fallbacks", fallbacks);
            out.println(new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create().toJson(m));
        } else {
            out.println("reference: reference faithful fp32; candidate: " + candidateName + "; " + decoded.size() + " image(s)");
            out.printf("%-20s %14s %14s %10s  %s%n", "tap", "max abs err", "max rel err", "tolerance", "result");
            for (Verification.TapResult t : report.taps()) {
                out.printf(Locale.ROOT, "%-20s %14.3e %14.3e %10.0e  %s%n", t.tap(), t.maxAbsError(),
                        t.maxRelativeError(), t.tolerance(), t.pass() ? "pass" : "FAIL");
            }
            report.top5Mismatches().forEach(m -> out.println("top-5 differs: " + m));
            fallbacks.forEach(f -> out.println("fallback: " + f));
            out.println(report.pass() ? "PASS" : "FAIL");
        }
        return report.pass() ? Main.OK : Main.FAILURE;
    }
}
