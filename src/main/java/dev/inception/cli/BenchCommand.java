package dev.inception.cli;

import com.google.gson.GsonBuilder;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;
import dev.inception.bench.LatencyStats;
import dev.inception.bench.MachineInfo;
import dev.inception.image.DecodeAhead;
import dev.inception.image.Interpolation;
import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;
import dev.inception.imagenet.Labels;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.weights.SeededWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Measure latency and throughput per batch size (network, end to end, the host's share).",
        sortOptions = false,
        description = {"Measure latency (p50, p90, p99) and throughput per batch size, in six scopes:",
                "  network    preprocessed input already where the executor wants it; the forward pass only",
                "             (CUDA events on the GPU, a host clock around synchronous work on the CPU);",
                "  end2end    decoded 640x480 uint8 images in host memory -> resize on the CPU, upload as",
                "             bytes, preprocess (on the GPU for the GPU backend), forward, top-5 on the host,",
                "             batches streamed as predict streams them (the next submitted before this one is",
                "             collected; on the GPU transfers overlap compute): time per batch in the stream;",
                "  files      640x480 JPEG files on disk, as predict reads them: the next batch decoded on",
                "             --decode-threads while the network runs, then as end2end (latency: per batch,",
                "             averaged);",
                "  decode     files' work on the CPU alone: the same JPEG files decoded and resized on",
                "             --decode-threads, no executor (above files' time per batch, decoding limits it);",
                "  host       end2end's work on the CPU alone: the same images resized and packed into one",
                "             buffer as the GPU packs them into its pinned one, no executor (above end2end's time",
                "             per batch, the host is what limits it); with --gpu-resize, what that leaves the",
                "             host: the images copied at their own size;",
                "  floats     preprocessed float32 images in host memory -> class probabilities in host memory,",
                "             one call at a time, as serve runs its clients' float32 tensors (on the GPU: the",
                "             float32 pipeline's upload, the conversion to 16 bits for fp16/bf16, the pass, the",
                "             download).",
                "Images are resized as --resize says (nearest by default, as predict).",
                "Seeded weights: speed does not depend on the values. Results as a table, or JSON with the",
                "machine, git commit, date and every setting (--json, --out)."})
final class BenchCommand implements Callable<Integer> {

    private static final List<String> SCOPES = List.of("network", "end2end", "files", "decode", "host", "floats");
    /** The scopes that resize images (as --resize says). */
    private static final List<String> RESIZING = List.of("end2end", "files", "decode", "host");

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @Option(names = "--plan", defaultValue = "fused", description = "fused | faithful (default: ${DEFAULT-VALUE}).")
    String plan;

    @picocli.CommandLine.Mixin
    GpuOption gpu;

    @picocli.CommandLine.Mixin
    DecodeOption decode;

    /** for end2end, files, decode and host: the scopes that resize */
    @picocli.CommandLine.Mixin
    ResizeOption resize;

    @Option(names = "--batch", defaultValue = "1,8", split = ",", paramLabel = "N[,N...]",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs per batch size (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", defaultValue = "10", description = "Timed runs per batch size and scope (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--scope", defaultValue = "network,end2end", split = ",",
            description = "network, end2end, files, decode, host and/or floats (default: ${DEFAULT-VALUE}).")
    List<String> scopes;

    @Option(names = "--json", description = "Print the result as JSON instead of a table.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON result to FILE.")
    Path out;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    /** --batch, --iters and --warmup, checked before any work (and by the options' fuzz test). */
    void checkCounts() {
        if (warmup < 0 || iters < 1 || batches.isEmpty() || batches.stream().anyMatch(b -> b < 1)) {
            // "--batch ," splits into no sizes at all: a usage error, not a benchmark of nothing
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--iters and every --batch must be at least 1, --warmup at least 0, and --batch needs a size");
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkCounts();
        if (out != null) {
            OutputFile.check(out, "--out");
        }
        if (scopes.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--scope needs at least one of "
                    + String.join(", ", SCOPES));
        }
        for (String s : scopes) {
            if (!SCOPES.contains(s)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "unknown --scope '" + s + "': one of " + String.join(", ", SCOPES));
            }
        }
        Lowering lowering = Choice.of(Lowering.class, plan, "--plan");
        Interpolation how = resize.how();
        Graph graph = InceptionV3.build();
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        EngineOptions options = gpu.apply(backend.apply(EngineOptions.defaults())).withLowering(lowering)
                .withMaxBatch(maxBatch);
        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, Object> report = new LinkedHashMap<>();
        try (InceptionV3Engine engine = InceptionV3Engine.open(SeededWeights.forGraph(graph, 1), options, err::println)) {
            if (gpu.gpuResize && !engine.backend().equals("gpu") && !scopes.equals(List.of("host"))) {
                // its results would be named "GPU resize" while the CPU resized them
                throw new UsageException("--gpu-resize changes what the GPU backend does with images; on the "
                        + engine.backend() + " backend it applies to --scope host alone (what it would leave the"
                        + " host): drop it, or give --scope host");
            }
            if (verbose) {
                engine.describe().forEach(err::println);
            }
            report.put("schema", "inception-bench/1");
            report.put("date", Instant.now().toString());
            report.put("git_commit", MachineInfo.gitCommit());
            Map<String, Object> machine = MachineInfo.host();
            if (engine.backend().equals("gpu")) {
                machine.putAll(MachineInfo.gpu(backend.device));
            }
            report.put("machine", machine);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("backend", engine.backend());
            settings.put("plan", plan);
            settings.put("precision", gpu.precision);
            if (engine.backend().equals("gpu")) {
                settings.put("cuda_graphs", gpu.cudaGraphs);
                settings.put("branch_streams", gpu.branchStreams);
                settings.put("branch_streams_max_batch", gpu.streamsMaxBatch);
                settings.put("copy_free_concat", gpu.copyFreeConcat);
                settings.put("cudnn_pooling", gpu.cudnnPooling);
                settings.put("cudnn_engines", gpu.cudnnEngines);
                settings.put("bias_relu_kernel", gpu.biasReluKernel);
                settings.put("gemm_1x1", gpu.gemm1x1);
                settings.put("gpu_resize", gpu.gpuResize);
            }
            if (scopes.contains("host") && !engine.backend().equals("gpu")) {
                settings.put("gpu_resize", gpu.gpuResize);   // what the host scope timed
            }
            if (scopes.contains("files") || scopes.contains("decode")) {
                settings.put("decode_threads", decode.threads(engine.backend()));
            }
            if (scopes.stream().anyMatch(RESIZING::contains)) {
                settings.put("resize", how.name().toLowerCase(java.util.Locale.ROOT));
            }
            settings.put("batches", batches);
            settings.put("warmup", warmup);
            settings.put("iters", iters);
            settings.put("weights", "seeded");
            report.put("settings", settings);
            Labels labels = Labels.imagenet();
            for (int batch : batches) {
                // made once per batch size for both scopes that take them (256 of them are 236 MB of random bytes)
                List<RgbImage> decoded = scopes.contains("end2end") || scopes.contains("host")
                        ? decodedImages(batch) : null;
                // and the float32 batch for the two that take one (275 MB at batch 256)
                Tensor floats = scopes.contains("network") || scopes.contains("floats")
                        ? Tensor.uniform(batch, engine.graph().input().shape(), 7) : null;
                if (scopes.contains("network")) {
                    results.add(result("network", batch, network(engine, floats)));
                }
                if (scopes.contains("end2end")) {
                    results.add(result("end2end", batch, endToEnd(engine, labels, decoded, how)));
                }
                if (scopes.contains("files")) {
                    results.add(result("files", batch, files(engine, labels, batch, true, how)));
                }
                if (scopes.contains("decode")) {
                    results.add(result("decode", batch, files(engine, labels, batch, false, how)));
                }
                if (scopes.contains("host")) {
                    results.add(result("host", batch, host(engine.graph().input().shape(), decoded, how)));
                }
                if (scopes.contains("floats")) {
                    results.add(result("floats", batch, floats(engine, floats)));
                }
                err.println("bench: batch " + batch + " done");
            }
            // what ran, described after the runs: on the GPU which batch sizes replayed CUDA graphs, and how many
            // graph nodes (kernels and copies) one pass launched at each
            report.put("executor", engine.describe().get(0));
            // a GPU figure must say what ran: slower paths cuDNN forced on us are part of the result
            report.put("fallbacks", engine.fallbacks());
            if (!engine.fallbacks().isEmpty()) {
                err.println("bench: " + engine.fallbacks().size() + " fallback(s) to slower paths"
                        + (verbose ? ":" : " (--verbose lists them)"));
                if (verbose) {
                    engine.fallbacks().forEach(f -> err.println("  " + f));
                }
            }
        }
        report.put("results", results);
        String text = new GsonBuilder().setPrettyPrinting().create().toJson(report);
        if (out != null) {
            OutputFile.write(out, f -> Files.writeString(f, text + "\n"));
        }
        if (json) {
            stdout.println(text);
        } else {
            printTable(stdout, report, results);
        }
        return Main.OK;
    }

    private double[] network(InceptionV3Engine engine, Tensor t) {
        for (int i = 0; i < warmup; i++) {
            engine.timeForward(t);
        }
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            ms[i] = engine.timeForward(t);
        }
        return ms;
    }

    /** end2end's and host's input: decoded 640x480 images of random pixels (resizing does not depend on them). */
    private static List<RgbImage> decodedImages(int batch) {
        List<RgbImage> images = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < batch; i++) {
            byte[] px = new byte[640 * 480 * 3];
            for (int j = 0; j < px.length; j++) {
                px[j] = (byte) r.nextInt(256);
            }
            images.add(new RgbImage(640, 480, px));
        }
        return images;
    }

    private double[] endToEnd(InceptionV3Engine engine, Labels labels, List<RgbImage> images, Interpolation how) {
        // A stream of batches, as predict runs them: batch i+1 is resized and submitted before batch i is
        // collected, so on the GPU its upload, and the host's resize, overlap batch i's compute. A sample is the
        // time between two collected batches: the steady cost of one batch in the stream.
        double[] ms = new double[iters];
        java.util.function.Supplier<float[][]> pending = null;
        long last = System.nanoTime();
        for (int i = -warmup; i <= iters; i++) {
            java.util.function.Supplier<float[][]> next = i < iters ? engine.predictLater(images, how)
                    : null;
            if (pending != null) {
                for (float[] row : pending.get()) {
                    labels.top(row, 5);
                }
                long now = System.nanoTime();
                if (i - 1 >= 0) {
                    ms[i - 1] = (now - last) / 1e6;
                }
                last = now;
            }
            pending = next;
        }
        return ms;
    }

    /**
     * What end2end asks of the host per batch, the executor left out: the batch's images resized and packed in
     * parallel into one direct buffer, allocated once, as the GPU backend packs them into its pinned upload buffer
     * (the CPU backends pack into a new array per batch instead); with --gpu-resize, copied at their own size after
     * the resizing tables, which is all that leaves the host.
     */
    private double[] host(Shape in, List<RgbImage> images, Interpolation how) {
        long bytes = gpu.gpuResize ? dev.inception.gpu.GpuResize.slotBytes(images, how, in.width(), in.height())
                : (long) images.size() * in.elements();
        java.nio.ByteBuffer slot = java.nio.ByteBuffer.allocateDirect(Math.toIntExact(bytes));
        double[] ms = new double[iters];
        for (int i = -warmup; i < iters; i++) {
            long start = System.nanoTime();
            if (gpu.gpuResize) {
                dev.inception.gpu.GpuResize.pack(images, how, in.width(), in.height(), slot);
            } else {
                Preprocess.packInto(images, in.height(), in.width(), how, slot);
            }
            if (i >= 0) {
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        return ms;
    }

    /**
     * A float32 batch to probabilities, submitted and collected, as the server's batcher runs its clients' float32
     * tensors: wall-clock time per call, the input's checks, transfers and conversions included.
     */
    private double[] floats(InceptionV3Engine engine, Tensor t) {
        double[] ms = new double[iters];
        for (int i = -warmup; i < iters; i++) {
            long start = System.nanoTime();
            engine.predictLater(t).get();
            if (i >= 0) {
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        return ms;
    }

    /**
     * JPEG files through predict's pipeline: each timed pass classifies 4 batches of files, decoded ahead on a
     * pool; a sample is the pass's time per batch. Without {@code classify} (the decode scope) the batches are
     * only decoded and resized, as the pool hands them over.
     */
    private double[] files(InceptionV3Engine engine, Labels labels, int batch, boolean classify, Interpolation how)
            throws IOException {
        Shape input = engine.graph().input().shape();
        Path dir = Files.createTempDirectory("inception-bench-jpeg");
        try {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < 4 * batch; i++) {
                Path f = dir.resolve("img" + i + ".jpg");
                javax.imageio.ImageIO.write(photoLike(i), "jpeg", f.toFile());
                files.add(f);
            }
            double[] ms = new double[iters];
            for (int i = -warmup; i < iters; i++) {
                long start = System.nanoTime();
                try (DecodeAhead<Path> ahead = new DecodeAhead<>(files, p -> p, batch, DecodeAhead.resizingTo(
                        input.height(), input.width(), how), decode.threads(engine.backend()))) {
                    while (ahead.hasNext()) {
                        List<RgbImage> images = DecodeAhead.Decoded.of(ahead.next()).images();
                        if (!classify) {
                            continue;
                        }
                        for (float[] row : engine.predict(images, how)) {
                            labels.top(row, 5);
                        }
                    }
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - start) / 1e6 / 4;
                }
            }
            return ms;
        } finally {
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** 640x480 with smooth gradients and some texture, so the JPEG encoder and decoder do representative work. */
    private static java.awt.image.BufferedImage photoLike(int seed) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(640, 480,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(seed);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                int red = (x * 255 / 639 + r.nextInt(24)) & 0xff;
                int green = (y * 255 / 479 + r.nextInt(24)) & 0xff;
                int blue = ((x + y + seed * 37) / 5 + r.nextInt(24)) & 0xff;
                img.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        return img;
    }

    private static Map<String, Object> result(String scope, int batch, double[] ms) {
        LatencyStats s = LatencyStats.of(ms);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", scope);
        m.put("batch", batch);
        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put("p50", s.p50());
        latency.put("p90", s.p90());
        latency.put("p99", s.p99());
        latency.put("mean", s.mean());
        latency.put("min", s.min());
        latency.put("max", s.max());
        m.put("latency_ms", latency);
        m.put("images_per_s", batch * 1000.0 / s.mean());
        m.put("samples_ms", ms);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintWriter out, Map<String, Object> report, List<Map<String, Object>> results) {
        out.println("settings: " + report.get("settings"));
        out.println("machine:  " + report.get("machine"));
        out.printf("%-8s %6s %10s %10s %10s %12s%n", "scope", "batch", "p50 ms", "p90 ms", "p99 ms", "images/s");
        for (Map<String, Object> r : results) {
            Map<String, Double> l = (Map<String, Double>) r.get("latency_ms");
            out.printf(Locale.ROOT, "%-8s %6d %10.1f %10.1f %10.1f %12.2f%n", r.get("scope"), (Integer) r.get("batch"),
                    l.get("p50"), l.get("p90"), l.get("p99"), (Double) r.get("images_per_s"));
        }
    }
}
