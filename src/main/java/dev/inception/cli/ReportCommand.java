package dev.inception.cli;

import dev.inception.bench.BenchResults;
import dev.inception.bench.Charts;
import dev.inception.bench.LoadResults;
import dev.inception.bench.ProfileResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Draw benchmark results as PNG charts and a Markdown table.",
        description = {"Render benchmark results (from 'inception bench --out' and bench/peers/torch_inception.py)",
                "as PNG charts (latency and throughput vs batch size, one line per series) and print a Markdown",
                "table of every point, and one of what each GPU switch changes (a series with a switch away from",
                "its default beside the default series at the same batch: the ratio of their p50 latencies).",
                "Results of 'inception profile --json' given too become a table each of their slowest steps."},
        footer = {"", "Examples:", "  inception report --out docs/img bench/results/*.json",
                "  inception report --targets --out bench/results/2026-12-01-h200 bench/results/2026-12-01-h200/*.json"})
final class ReportCommand implements Callable<Integer> {

    /** Rows of each profile's table: the slowest steps. */
    static final int PROFILE_ROWS = 15;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = ".", paramLabel = "DIR", description = "Folder for the PNGs (default: .).")
    Path out;

    @Option(names = "--prefix", defaultValue = "bench", description = "PNG file name prefix (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--targets", description = {"Also judge issue #15's GPU speed targets (batch-1 latency against",
            "PyTorch eager fp32 and torch.compile reduce-overhead, batch-256 fp16/bf16 images/s against max-autotune",
            "and 34,000, end to end against network) from a GPU run's bench and torch results: a Markdown table of",
            "each target met or missed, by how much, or not measured."})
    boolean targets;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "RESULT.json")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
        List<BenchResults.Point> points = new ArrayList<>();
        List<LoadResults.Point> load = new ArrayList<>();
        List<ProfileResults.Profile> profiles = new ArrayList<>();
        for (Path f : files) {
            try {
                if (LoadResults.is(f)) {
                    load.addAll(LoadResults.read(f));
                } else if (ProfileResults.is(f)) {
                    profiles.add(ProfileResults.read(f));
                } else {
                    points.addAll(BenchResults.read(f));
                }
            } catch (IOException e) {
                throw new BadInputException(e.getMessage(), e);
            }
        }
        Files.createDirectories(out);
        if (!load.isEmpty()) {
            drawn(() -> LoadResults.chart(load, out.resolve(prefix + "-latency-throughput.png")));
            spec.commandLine().getOut().print(LoadResults.markdownTable(load));
        }
        for (String scope : points.stream().map(BenchResults.Point::scope).distinct().toList()) {
            drawn(() -> Charts.latency(points, scope, out.resolve(prefix + "-latency-" + scope + ".png")));
            drawn(() -> Charts.throughput(points, scope, out.resolve(prefix + "-throughput-" + scope + ".png")));
        }
        if (!points.isEmpty()) {
            spec.commandLine().getOut().print(Charts.markdownTable(points));
        }
        List<dev.inception.bench.Switches.Row> switches = dev.inception.bench.Switches.compare(points);
        if (!switches.isEmpty()) {
            spec.commandLine().getOut().print("\n" + dev.inception.bench.Switches.markdown(switches));
        }
        if (targets) {
            spec.commandLine().getOut().print("\n" + dev.inception.bench.Targets.markdown(
                    dev.inception.bench.Targets.judge(points)));
        }
        if (!profiles.isEmpty()) {
            spec.commandLine().getOut().print("\n## Where the time went: the slowest steps (inception profile)\n"
                    + ProfileResults.markdown(profiles, PROFILE_ROWS));
        }
        return Main.OK;
    }

    interface ChartDrawing {
        void draw() throws IOException;
    }

    private void drawn(ChartDrawing drawing) throws IOException {
        drawn(spec.commandLine().getErr(), drawing);
    }

    /**
     * A chart this JRE cannot draw here is a warning on err, not a failure: the numbers (report's table, profile's
     * timings) are the substance, and come all the same. Returns whether the chart was drawn.
     */
    static boolean drawn(java.io.PrintWriter err, ChartDrawing drawing) throws IOException {
        try {
            drawing.draw();
            return true;
        } catch (Charts.Unavailable e) {
            err.println("warning: " + e.getMessage());
            return false;
        }
    }
}
