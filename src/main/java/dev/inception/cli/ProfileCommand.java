package dev.inception.cli;

import com.google.gson.GsonBuilder;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.StepTime;
import dev.inception.Tensor;
import dev.inception.gpu.GpuDevices;
import dev.inception.gpu.Roofline;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;
import dev.inception.weights.SeededWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "profile", mixinStandardHelpOptions = true,
        header = "Time each plan step (by Keras layer): where a forward pass spends its time.", sortOptions = false,
        description = {"Run forward passes step by step and print, per plan step (named after its Keras layer): the",
                "median time, its share of the total, GFLOP/s achieved (2 x multiply-adds / time), GB/s (the least",
                "memory the step moves / time: inputs, output and weights once), and what ran it",
                "(oneDNN's implementation, cuDNN's algorithm, or java for the reference). Steps wait for each",
                "other here, so the total is a little above bench's; bench's own figure is printed beside it.",
                "CUDA events time the GPU's steps; after the warm-up (and with CUDA graphs on) each step is",
                "replayed five times from a graph of its own between the events, so that the host's cost of",
                "launching it (larger than many steps at batch 1) is not counted as GPU time.",
                "On an A100, H100 or H200 each step also gets its roofline bound, the least time its arithmetic and",
                "memory traffic allow at the device's peaks (from its SMs, clocks and memory bus), and how close",
                "it came to it: where tuning can still gain, and where it cannot."},
        footer = {"", "Example: inception profile --backend cpu --batch 1 --chart profile.png"})
final class ProfileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @picocli.CommandLine.Mixin
    GpuOption gpu;

    @Option(names = "--plan", defaultValue = "fused", description = "fused | faithful (default: ${DEFAULT-VALUE}).")
    String plan;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed passes (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", defaultValue = "5", description = "Profiled passes; each step's median is shown"
            + " (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--top", defaultValue = "20", description = "Rows of the table and bars of the chart, slowest"
            + " first; 0 for every step (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print every step as JSON instead of a table.")
    boolean json;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Also draw the slowest steps as a bar chart.")
    Path chart;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    /**
     * A step's median over the profiled passes, with the rates it reached: GFLOP/s from its Keras layer's
     * multiply-adds, and GB/s (10^9 bytes per second) from the least memory it must move (its inputs read and its
     * output written once, its layer's weights read once), the measure for memory-bound steps such as poolings and
     * concatenations.
     *
     * @param boundMilliseconds the roofline's least time for the step ({@link Roofline}); null where unknown
     */
    record Row(String step, double milliseconds, double share, double gflops, double gbytesPerSecond,
               String implementation, Double boundMilliseconds) {
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || iters < 1 || warmup < 0 || top < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--batch and --iters must be at least 1, --warmup and --top at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Graph graph = InceptionV3.build();
        EngineOptions options = gpu.apply(backend.apply(EngineOptions.defaults()))
                .withLowering(Choice.of(Lowering.class, plan, "--plan")).withMaxBatch(batch);
        Tensor x = Tensor.uniform(batch, graph.input().shape(), 1);
        List<List<StepTime>> passes = new ArrayList<>();
        double[] forward = new double[iters];
        String backendName;
        Roofline roofline = null;
        try (InceptionV3Engine engine = InceptionV3Engine.open(SeededWeights.forGraph(graph, 1), options, err::println)) {
            backendName = engine.backend();
            if (backendName.equals("gpu")) {
                roofline = roofline(options);
            }
            for (int i = 0; i < warmup; i++) {
                engine.profile(x);
                engine.timeForward(x);
            }
            for (int i = 0; i < iters; i++) {
                passes.add(engine.profile(x));
                forward[i] = engine.timeForward(x);
            }
        }
        // what an activation or weight element takes where it is stored: the CPU backends hold float32
        int elementBytes = backendName.equals("gpu") ? gpu.precision().storageBytes() : Float.BYTES;
        List<Row> rows = rows(graph, passes, elementBytes, roofline);
        // "gpu, fp16, fused, batch 256": the precision only where there is a choice of one
        String what = backendName + (backendName.equals("gpu") ? ", " + gpu.precision().cliName() : "") + ", " + plan
                + ", batch " + batch;
        double total = rows.stream().mapToDouble(Row::milliseconds).sum();
        double benchMs = median(forward);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backend", backendName);
            m.put("plan", plan);
            m.put("precision", gpu.precision().cliName());
            m.put("batch", batch);
            m.put("total_ms", total);
            m.put("forward_ms", benchMs);
            if (roofline != null) {
                Map<String, Object> peaks = new LinkedHashMap<>();
                peaks.put("peak_gflops", roofline.gflops());
                peaks.put("peak_gbytes_per_s", roofline.gbytesPerSecond());
                peaks.put("bound_ms", bound(rows));
                peaks.put("source", roofline.source());
                m.put("roofline", peaks);
            }
            m.put("steps", rows);
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(m));
        } else {
            List<Row> shown = slowest(rows);
            boolean bounds = roofline != null;
            out.printf("%-28s %10s %7s %9s %8s%s  %s%n", "step (" + what + ")", "ms", "share", "GFLOP/s", "GB/s",
                    bounds ? String.format("%9s %8s", "bound ms", "of bound") : "", "implementation");
            for (Row r : shown) {
                out.printf(Locale.ROOT, "%-28s %10.3f %6.1f%% %9.1f %8.1f%s  %s%n", r.step(), r.milliseconds(),
                        100 * r.share(), r.gflops(), r.gbytesPerSecond(), bounds ? String.format(Locale.ROOT,
                                "%9.3f %7.1f%%", r.boundMilliseconds(), 100 * ofBound(r)) : "", r.implementation());
            }
            if (shown.size() < rows.size()) {
                out.printf("... %d more steps (--top 0 shows all)%n", rows.size() - shown.size());
            }
            out.printf(Locale.ROOT, "total of step medians: %.1f ms; a whole forward pass (as bench times it): %.1f ms%n",
                    total, benchMs);
            if (bounds) {
                double least = bound(rows);
                out.printf(Locale.ROOT, "roofline bound of the steps: %.2f ms (%.0f images/s); %s%n", least,
                        batch * 1000 / least, roofline.source());
            }
        }
        if (chart != null && ReportCommand.drawn(err, () -> dev.inception.bench.Charts.profile(slowest(rows).stream()
                .map(r -> Map.entry(r.step(), r.milliseconds())).toList(), what + ": slowest steps (ms)", chart))) {
            err.println("chart: " + chart);
        }
        return Main.OK;
    }

    /** The GPU's roofline in the engine's precision, or null where its architecture's rates are not tabled. */
    private static Roofline roofline(EngineOptions options) {
        GpuDevices.Report r = GpuDevices.query();
        return r.devices().size() <= options.device() ? null
                : Roofline.of(r.devices().get(options.device()), options.precision()).orElse(null);
    }

    /** The sum of the steps' bounds: the least time the whole pass could take, step after step. */
    private static double bound(List<Row> rows) {
        return rows.stream().mapToDouble(Row::boundMilliseconds).sum();
    }

    /** How close a step came to its bound: 1 at the bound, 0.1 at ten times it. */
    private static double ofBound(Row r) {
        return r.milliseconds() > 0 ? r.boundMilliseconds() / r.milliseconds() : 0;
    }

    private List<Row> slowest(List<Row> rows) {
        return rows.stream().sorted(Comparator.comparingDouble(Row::milliseconds).reversed())
                .limit(top == 0 ? rows.size() : top).toList();
    }

    /**
     * Each step's median and rates (see {@link Row}), from its Keras layer (a fused step is named after its conv);
     * steps that are no Keras layer of their own get zero rates.
     */
    private List<Row> rows(Graph graph, List<List<StepTime>> passes, int elementBytes, Roofline roofline) {
        List<StepTime> first = passes.get(0);
        double[] medians = new double[first.size()];
        for (int s = 0; s < first.size(); s++) {
            double[] t = new double[passes.size()];
            for (int p = 0; p < passes.size(); p++) {
                t[p] = passes.get(p).get(s).milliseconds();
            }
            medians[s] = median(t);
        }
        double total = Arrays.stream(medians).sum();
        List<Row> rows = new ArrayList<>();
        for (int s = 0; s < first.size(); s++) {
            String step = first.get(s).step();
            long macs = graph.has(step) ? graph.node(step).multiplyAdds() * batch : 0;
            long bytes = graph.has(step) ? leastBytes(graph.node(step), batch, elementBytes) : 0;
            double ms = medians[s];
            rows.add(new Row(step, ms, ms / total, ms > 0 ? 2.0 * macs / (ms * 1e6) : 0, ms > 0 ? bytes / (ms * 1e6) : 0,
                    first.get(s).implementation(),
                    roofline == null ? null : roofline.boundMilliseconds(2.0 * macs, bytes)));
        }
        return rows;
    }

    /** A layer's inputs read and output written once for a batch, and its weights read once. */
    static long leastBytes(dev.inception.model.Node node, int batch, int elementBytes) {
        long activations = node.inputShapes().stream().mapToLong(dev.inception.model.Shape::elements).sum()
                + node.shape().elements();
        long weights = node.weights().stream().mapToLong(dev.inception.model.WeightSpec::size).sum();
        return (activations * batch + weights) * elementBytes;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
