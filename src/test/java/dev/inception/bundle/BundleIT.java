package dev.inception.bundle;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offline bundle as a user of an air-gapped GPU server gets it: built by bench/make-bundle.sh after `package`,
 * within its size budget, and runnable with its own launcher and JRE; and the GPU runbook on this (GPU-less)
 * machine. Runs in the integration-test phase (failsafe), after the jar exists.
 */
class BundleIT {

    static final Path BUNDLE = Path.of("target/bundle");

    @TempDir
    static Path tmp;

    record Result(int code, String out) {
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        return run(java.util.Map.of(), cmd);
    }

    static Result run(java.util.Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        return new Result(p.exitValue(), out);
    }

    /** The summary's row for a stage ("name  result  seconds  note"), or a failure that shows the whole summary. */
    static String stage(List<String> summary, String name) {
        return summary.stream().filter(l -> l.startsWith(name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name + " in\n" + String.join("\n", summary)));
    }

    private static dev.inception.nativelib.FakeGpu builtFake;

    /** The fake GPU's libraries, built once for the tests that run the runbook on it (each with its own natives). */
    static synchronized dev.inception.nativelib.FakeGpu fakeGpu() throws Exception {
        if (builtFake == null) {
            builtFake = dev.inception.nativelib.FakeGpu.build(tmp.resolve("fake"));
        }
        return builtFake;
    }

    /** A jar an earlier build's dependencies left in target/lib (Maven's copy-dependencies never removes one). */
    static final String STALE = "stale-dependency-0.1.jar";

    @BeforeAll
    static void buildBundle() throws Exception {
        Path stale = Path.of("target/lib", STALE);
        Files.write(stale, new byte[0]);
        try {
            Result r = run("bash", "bench/make-bundle.sh");
            assertEquals(0, r.code(), r.out());
        } finally {
            Files.deleteIfExists(stale);
        }
    }

    /** The bundle carries exactly the jars the main jar's manifest names, not whatever target/lib holds. */
    @Test
    void theBundleCarriesTheManifestsJarsAndNoStaleOnes() throws Exception {
        String manifest;
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile("target/inception.jar")) {
            manifest = jar.getManifest().getMainAttributes().getValue("Class-Path");
        }
        List<String> named = java.util.Arrays.stream(manifest.split(" ")).map(e -> e.substring("lib/".length())).toList();
        List<String> carried;
        try (Stream<Path> files = Files.list(BUNDLE.resolve("lib"))) {
            carried = files.map(f -> f.getFileName().toString()).toList();
        }
        assertTrue(!carried.contains(STALE), carried.toString());
        assertTrue(named.containsAll(carried), "carried but not named: " + carried);
        assertTrue(carried.contains("jcuda-12.6.0.jar") && carried.contains("javalin-7.2.3.jar"), carried.toString());
    }

    static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void bundleIsWithinItsBudgetAndLeavesOutUnusedNatives() throws Exception {
        long bytes = Files.size(Path.of("target/bundle.tgz"));
        assertTrue(bytes < 52L << 20, "bundle.tgz is " + (bytes >> 20) + " MiB");
        assertTrue(Files.isExecutable(BUNDLE.resolve("jre/bin/java")));
        Result list = run("unzip", "-l", Files.list(BUNDLE.resolve("lib"))
                .filter(p -> p.getFileName().toString().startsWith("jcuda-natives")).findFirst().orElseThrow().toString());
        assertTrue(list.out().contains("libJCudaDriver"), list.out());
        assertTrue(!list.out().contains("libJNvPTXCompiler") && !list.out().contains("libJNvrtc"), list.out());
    }

    /** Debian's JDK's JPEG and colour natives find their system libraries inside the bundle (RPATH $ORIGIN). */
    @Test
    void theJresJpegNativesCarryTheirOwnLibjpegAndLcms() throws Exception {
        for (String lib : new String[] {"libjpeg.so.62", "liblcms2.so.2"}) {
            assertTrue(Files.isRegularFile(BUNDLE.resolve("jre/lib/" + lib)), lib);
        }
        Result ldd = run("ldd", BUNDLE.resolve("jre/lib/libjavajpeg.so").toString());
        String jreLib = BUNDLE.resolve("jre/lib").toAbsolutePath().toString();
        assertTrue(ldd.out().lines().anyMatch(l -> l.contains("libjpeg.so.62 => " + jreLib)), ldd.out());
        Result predict = run(BUNDLE.resolve("inception").toString(), "predict", "--backend", "reference", "--top", "1",
                BUNDLE.resolve("examples/rocket.jpg").toString());
        assertEquals(0, predict.code(), predict.out());
    }

    /**
     * The bundle leaves oneDNN out (a GPU host does not need it): asking for it is a one-line error that names the
     * way out, and 'auto' without a GPU steps down to the reference executor and says so.
     */
    @Test
    void withoutOneDnnCpuIsAClearErrorAndAutoFallsBackToTheReference() throws Exception {
        Result cpu = run(BUNDLE.resolve("inception").toString(), "predict", "--backend", "cpu",
                BUNDLE.resolve("examples/chelsea.png").toString());
        assertTrue(cpu.code() != 0, cpu.out());
        assertTrue(cpu.out().contains("oneDNN") && cpu.out().contains("--backend reference"), cpu.out());
        assertTrue(!cpu.out().contains("\tat "), "no stack trace without --verbose: " + cpu.out());
        Result auto = run(BUNDLE.resolve("inception").toString(), "predict", "--json",
                BUNDLE.resolve("examples/chelsea.png").toString());
        assertEquals(0, auto.code(), auto.out());
        assertTrue(auto.out().contains("running on the CPU reference executor"), auto.out());
        assertTrue(auto.out().contains("\"backend\":\"reference\""), auto.out());
    }

    /**
     * The server and its load test run from the bundle with nothing but bash (no Maven, no curl): what the GPU
     * runbook's serve-load stage does, here on the reference executor with a few requests.
     */
    @Test
    void serveLoadRunsFromTheBundle() throws Exception {
        Path out = tmp.resolve("serve-load");
        Result r = run(java.util.Map.of("BACKEND", "reference", "CONCURRENCY", "1,2", "REQUESTS", "2",
                "MAX_SECONDS", "60", "PORT", "8741"), "bash", BUNDLE.resolve("serve-load.sh").toString(), out.toString());
        assertEquals(0, r.code(), r.out());
        for (String label : new String[] {"batching-on", "batching-off"}) {
            String load = Files.readString(out.resolve("load-" + label + ".json"));
            assertTrue(load.replace(" ", "").contains("\"answered\":2"), load);
            assertTrue(Files.readString(out.resolve("metrics-" + label + ".txt")).contains("inception_"), label);
        }
        assertTrue(Files.isRegularFile(out.resolve("serve-latency-throughput.png")));
    }

    @Test
    void infoAndCpuPredictRunFromTheBundle() throws Exception {
        Result info = run(BUNDLE.resolve("inception").toString(), "info");
        assertEquals(0, info.code(), info.out());
        assertTrue(info.out().contains("gpu backend:"), info.out());
        Result predict = run(BUNDLE.resolve("inception").toString(), "predict", "--backend", "reference", "--json",
                "--top", "2", BUNDLE.resolve("examples/chelsea.png").toString());
        assertEquals(0, predict.code(), predict.out());
        String json = predict.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(2, o.getAsJsonArray("top").size());
        assertEquals("reference", o.get("backend").getAsString());
    }

    @Test
    void gpuRunbookOnThisMachineSummarisesAndSkipsWhatNeedsAGpu() throws Exception {
        Path results = tmp.resolve("results");
        Result r = run("bash", "bench/gpu-run.sh", results.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(Files.size(Path.of(results + ".tgz")) > 0, "the runbook packs its results for the trip back");
        List<String> summary = Files.readAllLines(results.resolve("summary.txt"));
        assertTrue(summary.get(0).startsWith("stage"), summary.toString());
        assertTrue(stage(summary, "info").contains("pass"), stage(summary, "info"));
        assertTrue(Files.size(results.resolve("info.json")) > 0);
        String infoJson = Files.readString(results.resolve("info.json"));
        if (!infoJson.contains("\"compute_capability\"")) {
            String smoke = stage(summary, "smoke");
            assertTrue(smoke.contains("skipped") && smoke.contains("no GPU"), smoke);
        }
    }

    /**
     * A host whose driver lists a GPU that our stack does not reach (say, a library not found) is the runbook's
     * failure, not "no GPU": it says so, keeps the host's own diagnostics, and would still run the PyTorch peers
     * (here python3 has no CUDA, so they are skipped with that reason).
     */
    @Test
    void aGpuTheDriverListsButInfoDoesNotSeeFailsTheRunWithDiagnostics() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("smi-bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\ncase \"$*\" in\n  -L) echo 'GPU 0: NVIDIA H200 (UUID: GPU-0)' ;;\n"
                + "  *) echo 'NVIDIA-SMI 580.159.03 (stand-in)' ;;\nesac\n");
        assertTrue(smi.toFile().setExecutable(true));
        Path results = tmp.resolve("unseen");
        Result r = run(java.util.Map.of("PATH", bin + ":" + System.getenv("PATH")), "bash", "bench/gpu-run.sh",
                results.toString());
        assertEquals(1, r.code(), r.out());
        List<String> summary = Files.readAllLines(results.resolve("summary.txt"));
        String visible = stage(summary, "gpu-visible");
        assertTrue(visible.contains("fail") && visible.contains("nvidia-smi lists 1 GPU(s)"), visible);
        String peers = stage(summary, "torch-peers");
        assertTrue(peers.contains("skipped") && peers.contains("torch"), peers);
        String diag = Files.readString(results.resolve("diag.log"));
        for (String section : new String[] {"# os", "# nvidia-smi", "NVIDIA-SMI 580.159.03 (stand-in)", "# ldconfig",
            "# python3 wheels", "# our java", "# natives"}) {
            assertTrue(diag.contains(section), section + " missing from diag.log:\n" + diag);
        }
    }

    /**
     * A GPU whose work never completes (the fake GPU with FAKE_CUDA_HANG: every wait blocks) must not eat the window:
     * the smoke test times out on its budget, and the runbook skips its own GPU stages, saying why, instead of letting
     * each hang to its budget.
     */
    @Test
    void aHangingGpuCostsOneStageNotTheWindow() throws Exception {
        dev.inception.nativelib.FakeGpu fake = fakeGpu();
        Path results = tmp.resolve("hang-results");
        Result r = run(java.util.Map.of("INCEPTION_CUDA_LIBS", fake.libs().toString(), "FAKE_CUDA_HANG", "1",
                "INCEPTION_NATIVES_DIR", tmp.resolve("hang/natives").toString(), "INCEPTION_RUNBOOK_SECONDS", "40"),
                "bash", "bench/gpu-run.sh", results.toString());
        assertEquals(1, r.code(), r.out());
        List<String> summary = Files.readAllLines(results.resolve("summary.txt"));
        assertTrue(stage(summary, "info").contains("pass"), stage(summary, "info"));
        assertTrue(stage(summary, "smoke").contains("timeout"), stage(summary, "smoke"));
        for (String s : new String[] {"native-ops", "native-network", "verify-fp32-fused", "bench-fp16",
            "serve-load"}) {
            String row = stage(summary, s);
            assertTrue(row.contains("skipped") && row.contains("smoke timed out"), row);
        }
    }

    /**
     * A second window leaves out by name what the first ran, but never info and info-json, which say whether there
     * is a GPU: with them left out too, every GPU stage would be skipped for "no GPU". On the fake GPU, with all but
     * one GPU stage left out, that one runs, and the summary names the setting for a window after this one.
     */
    @Test
    void aSecondWindowSkipsWhatItIsToldButStillFindsTheGpu() throws Exception {
        dev.inception.nativelib.FakeGpu fake = fakeGpu();
        Path results = tmp.resolve("second-results");
        String skip = "info|info-json|diag|smoke|native-.*|verify-.*|bench-fp16.*|bench-fp32|bench-fp32-plain"
                + "|profile-.*|serve-load|bench-bf16|bench-tf32";
        Result r = run(java.util.Map.of("INCEPTION_CUDA_LIBS", fake.libs().toString(), "INCEPTION_SKIP_STAGES", skip,
                "INCEPTION_NATIVES_DIR", tmp.resolve("second/natives").toString(), "INCEPTION_BENCH_ITERS", "1",
                "INCEPTION_BENCH_WARMUP", "1"), "bash", "bench/gpu-run.sh", results.toString());
        List<String> summary = Files.readAllLines(results.resolve("summary.txt"));
        for (String s : new String[] {"info", "info-json", "bench-fp32-faithful"}) {
            assertTrue(stage(summary, s).contains("pass"), stage(summary, s));
        }
        for (String s : new String[] {"diag", "smoke", "native-ops", "verify-fp32-fused", "bench-fp16", "serve-load"}) {
            String row = stage(summary, s);
            assertTrue(row.contains("skipped") && row.contains("INCEPTION_SKIP_STAGES"), row);
        }
        assertTrue(summary.contains("next window: INCEPTION_SKIP_STAGES='bench-fp32-faithful'"), summary.toString());
        assertEquals(0, r.code(), r.out());
    }

    /** The runbook's stages that the speed preset keeps (besides info and info-json, which always run). */
    static final List<String> SPEED = List.of("native-ops", "native-network", "verify-fp16-fused", "bench-fp16",
            "bench-fp16-cudnn-pooling", "profile-fp16-256", "profile-fp16-1", "profile-fp16-128",
            "bench-fp16-no-streams", "bench-fp16-streams-all", "torch-compile-reduce-overhead-fp16",
            "verify-fp16-engines", "bench-fp16-engines", "profile-fp16-256-engines", "native-engines",
            "verify-fp16-bias-relu", "bench-fp16-bias-relu-kernel", "profile-fp16-256-bias-relu", "bench-fp16-files",
            "verify-fp16-gemm", "bench-fp16-gemm-1x1", "profile-fp16-256-gemm", "bench-fp16-gpu-resize");
    /** The runbook's other stages. */
    static final List<String> OTHERS = List.of("diag", "smoke", "verify-fp32-fused",
            "verify-fp32-faithful", "verify-bf16-fused", "verify-tf32-fused", "verify-fp16-copy-free", "bench-fp32",
            "bench-fp32-plain", "bench-fp32-faithful", "bench-fp16-no-graphs", "bench-fp16-copy-free", "bench-bf16",
            "bench-tf32", "serve-load", "torch-eager-fp32", "torch-eager-cl-fp16",
            "torch-compile-reduce-overhead");

    /** What on-device.sh says a preset resolved to: the line, or a failure that shows the whole output. */
    static String presetLine(String preset, String window) throws Exception {
        Result r = run(java.util.Map.of("INCEPTION_PRESET", preset, "INCEPTION_WINDOW_SECONDS", window,
                "INCEPTION_RESULTS_DIR", tmp.resolve("preset-" + preset + "/r").toString(), "INCEPTION_NATIVES_DIR",
                tmp.resolve("preset-" + preset + "/natives").toString()), "bash", "bench/on-device.sh",
                tmp.resolve("preset-" + preset + "/out").toString());
        return r.out().lines().filter(l -> l.startsWith("on-device: preset " + preset + ": ")).findFirst()
                .orElseThrow(() -> new AssertionError(r.out()));
    }

    static java.util.regex.Pattern skipped(String line) {
        String skip = line.substring(line.indexOf("INCEPTION_SKIP_STAGES='") + 23);
        return java.util.regex.Pattern.compile("^(" + skip.substring(0, skip.indexOf('\'')) + ")$");
    }

    /**
     * The speed windows' presets (docs/NATIVE.md) leave out exactly what they should: "speed" keeps our fp16 stages
     * and reduce-overhead fp16, "autotune" only max-autotune fp16, with budgets that follow the window; an unknown
     * preset is refused before anything runs.
     */
    @Test
    void speedWindowPresetsLeaveOutWhatTheySay() throws Exception {
        java.util.regex.Pattern speed = skipped(presetLine("speed", "3"));
        SPEED.forEach(s -> assertFalse(speed.matcher(s).matches(), "speed leaves out " + s));
        OTHERS.forEach(s -> assertTrue(speed.matcher(s).matches(), "speed keeps " + s));
        String autotuneLine = presetLine("autotune", "100");
        java.util.regex.Pattern autotune = skipped(autotuneLine);
        // the max-autotune stages run only with INCEPTION_PEERS_AUTOTUNE=1, which this preset alone sets; of them,
        // fp16 at 256 is the target's peer, fp32 at batch 1 is left out
        assertFalse(autotune.matcher("torch-compile-max-autotune-fp16").matches(), autotuneLine);
        assertTrue(autotune.matcher("torch-compile-max-autotune").matches(), autotuneLine);
        SPEED.forEach(s -> assertTrue(autotune.matcher(s).matches(), "autotune keeps " + s));
        OTHERS.forEach(s -> assertTrue(autotune.matcher(s).matches(), "autotune keeps " + s));
        assertTrue(autotuneLine.contains("INCEPTION_WINDOW_SECONDS=100 INCEPTION_RUNBOOK_SECONDS=75")
                && autotuneLine.endsWith("INCEPTION_AUTOTUNE_SECONDS=45"), autotuneLine);
        Result unknown = run(java.util.Map.of("INCEPTION_PRESET", "fast"), "bash", "bench/on-device.sh",
                tmp.resolve("preset-unknown").toString());
        assertEquals(2, unknown.code(), unknown.out());
        assertTrue(unknown.out().contains("use speed or autotune"), unknown.out());
    }

    /**
     * The net under the runbook's own budget: on-device.sh stops a runbook that outlasts its window and still
     * returns what it wrote (the device tool returns nothing from a command it had to stop). Here the window is 8 s,
     * far less than a run on the fake GPU takes.
     */
    @Test
    void aRunbookThatOutlastsItsWindowStillComesBack() throws Exception {
        dev.inception.nativelib.FakeGpu fake = fakeGpu();
        Path out = tmp.resolve("window-out");
        Path results = tmp.resolve("window/r");
        Result r = run(java.util.Map.of("INCEPTION_CUDA_LIBS", fake.libs().toString(), "INCEPTION_WINDOW_SECONDS", "8",
                "INCEPTION_RESULTS_DIR", results.toString(), "INCEPTION_NATIVES_DIR",
                tmp.resolve("window/natives").toString()), "bash", "bench/on-device.sh", out.toString());
        assertEquals(1, r.code(), r.out());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("r.tgz", "summary.txt"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.readString(out.resolve("summary.txt")).contains("did not finish within 8s"));
        Result tgz = run("tar", "-tzf", out.resolve("r.tgz").toString());
        assertTrue(tgz.out().contains("r/runbook.log"), tgz.out());
    }

    /**
     * The device tool may stop the command before on-device.sh's own net (its limit shrinks where the machine's start
     * took longer): everything the command started is killed at once. What is in OUT by then comes back, so
     * on-device.sh packs the results into OUT every INCEPTION_CHECKPOINT_SECONDS; the archive holds a summary of the
     * stages so far, which names the one running and the setting for a second window, and unpack-gpu-results.sh files
     * it as it files a finished run.
     */
    @Test
    void aRunStoppedFromOutsideLeavesItsLastCheckpointInOut() throws Exception {
        dev.inception.nativelib.FakeGpu fake = fakeGpu();
        Path out = tmp.resolve("stopped-out");
        Path results = tmp.resolve("stopped/r");
        // setsid: on-device.sh leads a session of its own, killed whole after 20 s as the tool kills a command
        // (the runbook under on-device.sh's timeout is in another process group of that session). FAKE_CUDA_HANG
        // holds smoke for its 60 s budget, so the kill lands inside a stage on any machine: without it the kill could
        // fall between two stages, after the last checkpoint, and no "running:" line would be due.
        Result r = run(java.util.Map.of("INCEPTION_CUDA_LIBS", fake.libs().toString(), "FAKE_CUDA_HANG", "1",
                "INCEPTION_CHECKPOINT_SECONDS", "2", "INCEPTION_RESULTS_DIR", results.toString(),
                "INCEPTION_NATIVES_DIR", tmp.resolve("stopped/natives").toString()), "bash", "-c",
                "setsid bash bench/on-device.sh \"$0\" & p=$!; sleep 20; pkill -KILL -s $p; sleep 1",
                out.toString());
        assertEquals(0, r.code(), r.out());
        try (Stream<Path> files = Files.list(out)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("r.tgz") && names.size() <= 2, names.toString());
        }
        Path unpacked = Files.createDirectories(tmp.resolve("stopped-unpacked"));
        assertEquals(0, run("tar", "-xzf", out.resolve("r.tgz").toString(), "-C", unpacked.toString()).code());
        List<String> summary = Files.readAllLines(unpacked.resolve("r/summary.txt"));
        assertTrue(stage(summary, "info").contains("pass"), summary.toString());
        assertTrue(summary.stream().anyMatch(l -> l.startsWith("running: smoke")), summary.toString());
        assertTrue(summary.stream().anyMatch(l -> l.startsWith("next window: INCEPTION_SKIP_STAGES='")),
                summary.toString());
        assertTrue(Files.isRegularFile(unpacked.resolve("r/runbook.log")));
        // filed by the script back here, in a copy of the repository's layout (it writes under its ../results)
        Path root = Files.createDirectories(tmp.resolve("stopped-root/bench"));
        Files.copy(Path.of("bench/unpack-gpu-results.sh"), root.resolve("unpack-gpu-results.sh"));
        Result filed = run("bash", root.resolve("unpack-gpu-results.sh").toString(), out.resolve("r.tgz").toString(),
                "checkpoint");
        assertEquals(0, filed.code(), filed.out());
        assertTrue(Files.isRegularFile(root.resolve("results/checkpoint/summary.txt")), filed.out());
    }

    /**
     * A JVM that dies (on a GPU host: a native crash inside a CUDA library) leaves its hs_err report with the results,
     * which come back, and the summary names it. The crash here is a real one: a heap too small for `info`, with
     * -XX:+CrashOnOutOfMemoryError.
     */
    @Test
    void aCrashedJvmsReportComesBackWithTheResults() throws Exception {
        Path results = tmp.resolve("crash");
        Result r = run(java.util.Map.of("INCEPTION_JAVA_OPTS", "-Xmx3m -XX:+CrashOnOutOfMemoryError",
                "INCEPTION_RUNBOOK_SECONDS", "40"), "bash", "bench/gpu-run.sh", results.toString());
        assertEquals(1, r.code(), r.out());
        List<String> summary = Files.readAllLines(results.resolve("summary.txt"));
        assertTrue(stage(summary, "info").contains("fail"), stage(summary, "info"));
        List<String> reports;
        try (Stream<Path> files = Files.list(results)) {
            reports = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("hs_err_pid")).toList();
        }
        assertTrue(!reports.isEmpty(), "no hs_err report in " + results);
        assertTrue(summary.stream().anyMatch(l -> l.startsWith("JVM crash: " + reports.get(0))), summary.toString());
        Result tgz = run("tar", "-tzf", results + ".tgz");
        assertTrue(tgz.out().contains("crash/" + reports.get(0)), tgz.out());
    }

    @Test
    void runbookStagesThatDoNotFitTheTotalBudgetAreSkippedAndSaySo() throws Exception {
        Path results = tmp.resolve("tight");
        Result r = run(java.util.Map.of("INCEPTION_RUNBOOK_SECONDS", "5"), "bash", "bench/gpu-run.sh", results.toString());
        assertEquals(0, r.code(), r.out());
        List<String> summary = Files.readAllLines(results.resolve("summary.txt"));
        String row = stage(summary, "info");
        assertTrue(row.contains("skipped") && row.contains("budget"), row);
    }

    /**
     * max-autotune's measured choices travel: bench/peers/inductor-cache.sh seeds Inductor's cache from the bundle
     * without overwriting what a warm machine already has, and keeps the cache's whole files (not the hidden
     * temporaries Inductor renames into place) in the results; unpack-gpu-results.sh files them where make-bundle.sh
     * takes them from for the next run.
     */
    @Test
    void autotuneChoicesGoFromTheBundleToTheCacheToTheResultsAndToTheNextBundle() throws Exception {
        Path script = Path.of("bench/peers/inductor-cache.sh");
        assertTrue(Files.isRegularFile(BUNDLE.resolve("peers/inductor-cache.sh")), "not in the bundle");
        Path seed = Files.createDirectories(tmp.resolve("autotune/bundle-peers/inductor-autotune"));
        Files.writeString(seed.resolve("hashA"), "from the bundle");
        Files.writeString(seed.resolve("hashB"), "from the bundle");
        Path cacheDir = tmp.resolve("autotune/inductor");
        Files.createDirectories(cacheDir.resolve("cache"));
        Files.writeString(cacheDir.resolve("cache/hashB"), "measured in the first window");
        java.util.Map<String, String> env = java.util.Map.of("TORCHINDUCTOR_CACHE_DIR", cacheDir.toString());
        assertEquals(0, run(env, "bash", script.toString(), "seed", seed.toString()).code());
        assertEquals("from the bundle", Files.readString(cacheDir.resolve("cache/hashA")));
        assertEquals("measured in the first window", Files.readString(cacheDir.resolve("cache/hashB")));
        // a bundle without the folder seeds nothing, and is no error
        assertEquals(0, run(env, "bash", script.toString(), "seed", tmp.resolve("autotune/none").toString()).code());
        Files.writeString(cacheDir.resolve("cache/.1234.5678.tmp"), "half written");
        Path results = tmp.resolve("autotune/r");
        Files.createDirectories(results);
        assertEquals(0, run(env, "bash", script.toString(), "keep", results.resolve("inductor-autotune").toString())
                .code());
        try (Stream<Path> kept = Files.list(results.resolve("inductor-autotune"))) {
            assertEquals(List.of("hashA", "hashB"), kept.map(f -> f.getFileName().toString()).sorted().toList());
        }
        Result usage = run(env, "bash", script.toString(), "both", "x");
        assertEquals(2, usage.code(), usage.out());

        // filed by unpack-gpu-results.sh into bench/peers/inductor-autotune/ of the repository (here a copy's layout)
        Files.writeString(results.resolve("summary.txt"), "stage result seconds note\n");
        assertEquals(0, run("tar", "-czf", tmp.resolve("autotune/r.tgz").toString(), "-C", tmp.resolve("autotune")
                .toString(), "r").code());
        Path root = Files.createDirectories(tmp.resolve("autotune-root/bench"));
        Files.copy(Path.of("bench/unpack-gpu-results.sh"), root.resolve("unpack-gpu-results.sh"));
        Result filed = run("bash", root.resolve("unpack-gpu-results.sh").toString(),
                tmp.resolve("autotune/r.tgz").toString(), "autotune");
        assertEquals(0, filed.code(), filed.out());
        assertEquals("measured in the first window", Files.readString(root.resolve("peers/inductor-autotune/hashB")));
        assertEquals("from the bundle", Files.readString(root.resolve("peers/inductor-autotune/hashA")));
        assertTrue(Files.isRegularFile(root.resolve("results/autotune/inductor-autotune/hashB")), filed.out());
    }
}
