package dev.inception.cli;

import com.google.gson.GsonBuilder;
import dev.inception.bench.LoadRun;
import dev.inception.bench.MachineInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Drive a running 'inception serve' with concurrent clients; report latency and throughput.",
        description = {"A closed-loop load generator: at each concurrency level, that many clients each POST the",
                "image to /v1/classify, wait for the answer and send the next, until --requests have been sent or",
                "--max-seconds have passed. Latency is per request, on the client; throughput is answered images per",
                "second of wall time; 503s (queue full) are counted apart. bench/serve-load.sh runs it against the",
                "server with dynamic batching on and off."},
        footer = {"", "Example: inception load --url http://127.0.0.1:8000 --concurrency 1,8,32 --image examples/chelsea.png"})
final class LoadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8000", description = "The server (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--image", defaultValue = "examples/chelsea.png", description = "Image each request sends (default: ${DEFAULT-VALUE}).")
    Path image;

    @Option(names = "--concurrency", defaultValue = "1,8,32,128", split = ",", paramLabel = "N[,N...]",
            description = "Concurrent clients per level (default: ${DEFAULT-VALUE}).")
    List<Integer> levels;

    @Option(names = "--requests", defaultValue = "200", paramLabel = "N",
            description = "Requests per level (default: ${DEFAULT-VALUE}); the first --warmup of them are not timed.")
    int requests;

    @Option(names = "--warmup", defaultValue = "8", paramLabel = "N", description = "Untimed requests before each level (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--max-seconds", defaultValue = "60", paramLabel = "S",
            description = "Time limit per level (default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--label", defaultValue = "serve", description = "Series name in the results, e.g. 'batching on'.")
    String label;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Write the results as JSON (schema inception-load/1).")
    Path out;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (requests < 1 || warmup < 0 || !(maxSeconds > 0) || levels.isEmpty() || levels.stream().anyMatch(c -> c < 1)) {
            throw new UsageException("--requests and every --concurrency must be at least 1, --warmup at least 0,"
                    + " --max-seconds above 0");
        }
        URI endpoint;
        try {
            endpoint = URI.create(url.replaceAll("/+$", "") + "/v1/classify?top=1");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url " + url + " is not a URL: " + e.getMessage());
        }
        if (out != null) {
            OutputFile.check(out, "--out");
        }
        byte[] body;
        String problem = dev.inception.io.InputFiles.problem(image);
        if (problem != null) {
            // the default is relative to the repository's root, where bin/inception is usually run
            throw new BadInputException("--image " + image + ": " + problem + " (pass --image FILE)", null);
        }
        try {
            body = Files.readAllBytes(image);
        } catch (IOException e) {
            throw new BadInputException("cannot read --image " + image + ": " + e.getMessage(), e);
        }
        PrintWriter o = spec.commandLine().getOut();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Map<String, Object>> results = new ArrayList<>();
        o.printf("%-10s %8s %10s %10s %10s %8s%n", "clients", "answered", "p50 ms", "p99 ms", "images/s", "503s");
        for (int clients : levels) {
            if (warmup > 0) {
                LoadRun.run(http, endpoint, body, Math.min(clients, warmup), warmup, maxSeconds);
            }
            LoadRun.Result r = LoadRun.run(http, endpoint, body, clients, requests, maxSeconds);
            o.printf(Locale.ROOT, "%-10d %8d %10.1f %10.1f %10.2f %8d%n", clients, r.ok(), r.latencyMs().p50(),
                    r.latencyMs().p99(), r.imagesPerSecond(), r.refused());
            o.flush();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("answered", r.ok());
            m.put("refused_503", r.refused());
            m.put("failed", r.failed());
            m.put("seconds", r.seconds());
            m.put("latency_ms", Map.of("p50", r.latencyMs().p50(), "p90", r.latencyMs().p90(), "p99",
                    r.latencyMs().p99(), "mean", r.latencyMs().mean()));
            m.put("images_per_s", r.imagesPerSecond());
            results.add(m);
        }
        if (out != null) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("schema", "inception-load/1");
            report.put("date", LocalDate.now().toString());
            report.put("label", label);
            report.put("url", url);
            report.put("image", image.toString());
            report.put("requests_per_level", requests);
            report.put("machine", MachineInfo.host());
            report.put("results", results);
            String text = new GsonBuilder().setPrettyPrinting().create().toJson(report);
            OutputFile.write(out, f -> Files.writeString(f, text + "\n"));
        }
        return Main.OK;
    }
}
