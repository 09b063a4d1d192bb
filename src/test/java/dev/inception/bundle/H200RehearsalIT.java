package dev.inception.bundle;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.inception.nativelib.FakeGpu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rehearsal of the device window on this GPU-less machine: the exact device command
 * ({@code bash target/bundle/on-device.sh "$OUT"}) against a fake H200 host laid out as the real one is known to
 * be: cuDNN 9 and cuBLAS 13 only inside a PyTorch venv's {@code site-packages/nvidia/{cudnn,cu13}/lib} that no
 * VIRTUAL_ENV names, a {@code python3} on PATH whose sys.path leads there, the driver in its own folder on
 * LD_LIBRARY_PATH. The libraries are the fake GPU (src/test/c/fake_gpu.c): it computes nothing, so the numeric
 * stages fail here; what is rehearsed is that every GPU stage is reached and reports, and that what comes back
 * fits the device tool's limits.
 */
class H200RehearsalIT {

    static final Path BUNDLE = Path.of("target/bundle");

    @TempDir
    static Path tmp;

    static Path out;
    static List<String> summary;
    static String log;
    static Path unpacked;

    @BeforeAll
    static void rehearse() throws Exception {
        // always rebuilt: the rehearsal must run this checkout's scripts, not an older bundle's copies
        BundleIT.Result built = BundleIT.run("bash", "bench/make-bundle.sh");
        assertEquals(0, built.code(), built.out());
        Path sitePackages = tmp.resolve("opt/torch/.venv/lib/python3.12/site-packages");
        Path cudnn = Files.createDirectories(sitePackages.resolve("nvidia/cudnn/lib"));
        Path cu13 = Files.createDirectories(sitePackages.resolve("nvidia/cu13/lib"));
        Path driver = Files.createDirectories(tmp.resolve("usr/local/nvidia/lib64"));
        FakeGpu.gcc(cudnn, "FAKE_CUDNN", "libcudnn.so.9");
        FakeGpu.gcc(cu13, "FAKE_CUBLAS", "libcublas.so.13");
        FakeGpu.gcc(cu13, "FAKE_CUBLASLT", "libcublasLt.so.13");
        FakeGpu.gcc(driver, "FAKE_CUDA", "libcuda.so.1");
        // python3 as discovery asks it (sys.path); anything else, like the runbook's "import torch", fails
        Path bin = Files.createDirectories(tmp.resolve("shim-bin"));
        Path python = bin.resolve("python3");
        Files.writeString(python, "#!/bin/sh\n"
                + "case \"$2\" in\n"
                + "  'import sys'*) echo /usr/lib/python312.zip; echo " + sitePackages + " ;;\n"
                + "  *) echo 'No module named torch' >&2; exit 1 ;;\n"
                + "esac\n");
        assertTrue(python.toFile().setExecutable(true));

        out = Files.createDirectories(tmp.resolve("OUT"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        env.put("LD_LIBRARY_PATH", driver.toString());
        env.put("VIRTUAL_ENV", "");
        env.put("INCEPTION_RESULTS_DIR", tmp.resolve("r").toString());
        env.put("INCEPTION_NATIVES_DIR", tmp.resolve("natives").toString());
        // the fake GPU computes nothing, so timing it teaches nothing: every stage runs, each with one timed pass
        env.put("INCEPTION_BENCH_ITERS", "1");
        env.put("INCEPTION_BENCH_WARMUP", "1");
        env.put("INCEPTION_LOAD_REQUESTS", "4");
        // what travels is target/bundle.tgz; the device command unpacks it into /tmp (here: into tmp)
        BundleIT.Result unpack = BundleIT.run("tar", "-xzf", "target/bundle.tgz", "-C", tmp.toString());
        assertEquals(0, unpack.code(), unpack.out());
        // run outside any git checkout, as on the device, where the working directory is another copy of the tree
        ProcessBuilder pb = new ProcessBuilder("bash", tmp.resolve("bundle/on-device.sh").toString(), out.toString())
                .directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().remove("VIRTUAL_ENV");
        pb.environment().remove("CONDA_PREFIX");
        pb.environment().remove("INCEPTION_CUDA_LIBS");
        pb.environment().putAll(env);
        pb.environment().remove("VIRTUAL_ENV");
        Process p = pb.start();
        log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the rehearsal outlived the device window");
        summary = Files.readAllLines(out.resolve("summary.txt"));
        unpacked = tmp.resolve("unpacked");
        Files.createDirectories(unpacked);
        BundleIT.Result tar = BundleIT.run("tar", "-xzf", out.resolve("r.tgz").toString(), "-C", unpacked.toString());
        assertEquals(0, tar.code(), tar.out());
    }

    private static String stage(String name) {
        return BundleIT.stage(summary, name);
    }

    /** Results name the commit the bundle was built from (its COMMIT file), not the directory the run is in. */
    @Test
    void resultsRecordTheBundlesCommit() throws Exception {
        String commit = Files.readString(tmp.resolve("bundle/COMMIT")).trim();
        assertTrue(commit.matches("[0-9a-f]{12}(-dirty)?"), commit);
        JsonObject bench = JsonParser.parseString(Files.readString(unpacked.resolve("r/bench-fp16.json")))
                .getAsJsonObject();
        assertEquals(commit, bench.get("git_commit").getAsString());
    }

    @Test
    void whatComesBackIsOneTarballAndTheSummary() throws Exception {
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("r.tgz", "summary.txt"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    log);
        }
        assertTrue(Files.size(out.resolve("r.tgz")) < 16L << 20, "the device returns files of 16 MiB at most");
        assertTrue(Files.isRegularFile(unpacked.resolve("r/info.json")));
        assertTrue(Files.isRegularFile(unpacked.resolve("r/summary.txt")));
    }

    @Test
    void discoveryFindsTheVenvsWheelsAndTheDriverWithoutVirtualEnv() throws Exception {
        JsonObject info = JsonParser.parseString(Files.readString(unpacked.resolve("r/info.json"))).getAsJsonObject();
        String cudnn = info.getAsJsonObject("cudnn").get("path").getAsString();
        assertTrue(cudnn.endsWith("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9"), cudnn);
        assertTrue(info.getAsJsonObject("cublas").get("path").getAsString().contains("site-packages/nvidia/cu13/lib"));
        assertTrue(info.getAsJsonObject("driver").get("path").getAsString().endsWith("usr/local/nvidia/lib64/libcuda.so.1"));
        assertEquals("9.10.2", info.get("cudnn_version").getAsString(), info.toString());
        assertEquals("13.1.0", info.get("cublas_version").getAsString(), info.toString());
        assertEquals("Fake GPU", info.getAsJsonArray("gpus").get(0).getAsJsonObject().get("name").getAsString(),
                info.toString());
    }

    @Test
    void everyGpuStageIsAttemptedNotSkipped() {
        for (String s : new String[] {"info", "smoke", "native-ops", "native-network", "verify-fp32-fused",
            "verify-fp16-fused", "bench-fp16", "bench-fp32", "profile-fp16-256", "profile-fp16-1",
            "bench-fp16-cudnn-pooling", "serve-load", "profile-fp16-128", "verify-bf16-fused", "verify-tf32-fused",
            "verify-fp32-faithful", "bench-fp16-no-graphs", "bench-fp16-no-streams", "bench-fp16-streams-all", "bench-fp32-plain",
            "verify-fp16-copy-free", "bench-fp16-copy-free", "bench-bf16", "bench-tf32", "bench-fp32-faithful",
            "verify-fp16-engines", "bench-fp16-engines", "profile-fp16-256-engines", "native-engines",
            "verify-fp16-bias-relu", "bench-fp16-bias-relu-kernel", "profile-fp16-256-bias-relu", "bench-fp16-files",
            "verify-fp16-gemm", "bench-fp16-gemm-1x1", "profile-fp16-256-gemm", "bench-fp16-gpu-resize"}) {
            assertFalse(stage(s).contains("skipped"), stage(s));
        }
        // every precision's engine opens and runs on the fake: bench has no numeric check, so it passes
        // and the server serves on it, batching on and off (the load test has no numeric check either)
        for (String s : new String[] {"bench-fp16", "bench-fp32", "bench-bf16", "bench-tf32", "bench-fp32-plain",
            "bench-fp16-copy-free", "bench-fp16-cudnn-pooling", "serve-load", "profile-fp16-256", "profile-fp16-1",
            "profile-fp16-128", "bench-fp16-engines", "profile-fp16-256-engines", "bench-fp16-bias-relu-kernel",
            "profile-fp16-256-bias-relu", "bench-fp16-files", "bench-fp16-gemm-1x1", "profile-fp16-256-gemm",
            "bench-fp16-gpu-resize"}) {
            assertTrue(stage(s).contains("pass"), stage(s));
        }
        assertTrue(stage("info").contains("pass"), stage("info"));
        // the fake GPU computes nothing: the numeric checks must notice
        assertTrue(stage("smoke").contains("fail"), stage("smoke"));
        assertTrue(stage("verify-fp32-fused").contains("fail"), stage("verify-fp32-fused"));
        assertTrue(stage("verify-fp16-fused").contains("fail"), stage("verify-fp16-fused"));
        assertTrue(stage("verify-fp16-engines").contains("fail"), stage("verify-fp16-engines"));
        assertTrue(stage("verify-fp16-bias-relu").contains("fail"), stage("verify-fp16-bias-relu"));
        assertTrue(stage("verify-fp16-gemm").contains("fail"), stage("verify-fp16-gemm"));
        assertTrue(stage("torch-peers").contains("skipped"), stage("torch-peers"));
    }

    /** smoke fails where it must on a GPU that computes nothing: at its comparison with the CPU, not before it. */
    @Test
    void smokeFailsOnItsComparisonNotBeforeIt() throws IOException {
        JsonObject smoke = JsonParser.parseString(Files.readString(unpacked.resolve("r/smoke.json"))).getAsJsonObject();
        assertFalse(smoke.has("error"), smoke.toString());
        assertEquals("ok", smoke.get("handles").getAsString(), smoke.toString());
        assertFalse(smoke.get("passed").getAsBoolean(), smoke.toString());
    }

    /** The host's own view comes back too: the wheel folders as discovery finds them, and the natives resolve. */
    @Test
    void theHostsDiagnosticsListTheWheelsAndTheNativesResolve() throws IOException {
        assertTrue(stage("diag").contains("pass"), stage("diag"));
        String diag = Files.readString(unpacked.resolve("r/diag.log"));
        assertTrue(diag.contains("site-packages/nvidia/cudnn/lib: libcudnn.so.9"), diag);
        assertTrue(diag.contains("site-packages/nvidia/cu13/lib: libcublas"), diag);
        String natives = diag.substring(diag.indexOf("# natives"));
        for (String lib : new String[] {"libJCudaDriver", "libJCudnn", "libJCublas2", "libcudnn.so.8",
            "libcublas.so.12"}) {
            assertTrue(natives.lines().anyMatch(l -> l.startsWith(lib) && l.endsWith(": all resolved")), natives);
        }
        assertFalse(summary.stream().anyMatch(l -> l.startsWith("gpu-visible ")), "info saw the GPU");
    }

    @Test
    void nativeTestsRanInTheirOwnStagesAndWroteJunitXml() throws IOException {
        for (String s : new String[] {"native-ops", "native-network", "native-engines"}) {
            String text = Files.readString(unpacked.resolve("r/junit/" + s + "/TEST-junit-jupiter.xml"));
            assertTrue(text.contains("tests=\"") && !text.contains("tests=\"0\""), s + ": no tests ran");
        }
        // per-op first, so that a failure names the op
        assertTrue(summary.indexOf(stage("native-ops")) < summary.indexOf(stage("native-network")));
    }

    @Test
    void bundleAndTrackedFilesFitWhatTravelsToTheDevice() throws Exception {
        assertFalse(Files.exists(tmp.resolve("bundle/natives")), "the rehearsal wrote into the bundle");
        long bytes = Files.size(Path.of("target/bundle.tgz"));
        BundleIT.Result tracked = BundleIT.run("git", "ls-files", "-z");
        for (String f : tracked.out().split("\0")) {
            Path p = Path.of(f);
            if (!f.isEmpty() && Files.isRegularFile(p)) {
                bytes += Files.size(p);
            }
        }
        assertTrue(bytes < 60L << 20, "bundle.tgz + tracked files are " + (bytes >> 20) + " MiB; the device takes 64");
    }
}
