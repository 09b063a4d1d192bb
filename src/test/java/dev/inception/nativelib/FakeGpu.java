package dev.inception.nativelib;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fake GPU of src/test/c/fake_gpu.c, for tests: builds its four libraries with gcc, and runs a probe class in a
 * fresh JVM against them (native libraries load once per process, and a crash must not take the test JVM down).
 */
public final class FakeGpu {

    /** What a probe JVM printed, and how it ended. */
    public record Probe(int exit, List<String> out) {
        public String text() {
            return String.join("\n", out);
        }
    }

    private final Path libs;
    private final Path natives;

    private FakeGpu(Path libs, Path natives) {
        this.libs = libs;
        this.natives = natives;
    }

    /** Builds libcuda.so.1, libcudnn.so.9, libcublas.so.13 and libcublasLt.so.13 under dir/fake-cuda13. */
    public static FakeGpu build(Path dir) throws Exception {
        Path libs = Files.createDirectories(dir.resolve("fake-cuda13"));
        gcc(libs, "FAKE_CUDA", "libcuda.so.1");
        gcc(libs, "FAKE_CUDNN", "libcudnn.so.9");
        gcc(libs, "FAKE_CUBLAS", "libcublas.so.13");
        gcc(libs, "FAKE_CUBLASLT", "libcublasLt.so.13");
        return new FakeGpu(libs, dir.resolve("natives"));
    }

    /**
     * Libraries already in place in libs (the fake driver beside real cuDNN and cuBLAS, for RealCudnnGraphTest), with
     * JCuda's natives extracted under natives.
     */
    public static FakeGpu at(Path libs, Path natives) {
        return new FakeGpu(libs, natives);
    }

    /** One fake library, into dir under its soname. */
    public static void gcc(Path dir, String define, String soname) throws Exception {
        Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-Wall", "-D" + define, "-Wl,-soname," + soname,
                "-o", dir.resolve(soname).toString(), "src/test/c/fake_gpu.c").inheritIO().start();
        assertEquals(0, p.waitFor(), "gcc " + soname);
    }

    /** A probe run with the fake's call log (FAKE_GPU_LOG): what the probe printed, and the calls recorded. */
    public record Recording(Probe probe, List<String> log) {

        /** The recorded lines between the probe's marks "mark BEGIN" and "mark END". */
        public List<String> between(String begin, String end) {
            int from = log.indexOf("mark " + begin);
            int to = log.indexOf("mark " + end);
            assertTrue(from >= 0 && to > from, begin + " .. " + end + " not in the log");
            return log.subList(from + 1, to);
        }
    }

    /** Builds the fake in dir and runs FakeGpuProbe MODE LOGFILE with the call log on; the probe must succeed. */
    public static Recording record(Path dir, String mode) throws Exception {
        return record(dir, mode, Map.of(), "");
    }

    /** The same with more environment for the fake; label names the log, so that one folder holds several. */
    public static Recording record(Path dir, String mode, Map<String, String> env, String label) throws Exception {
        Path file = dir.resolve(mode + label + "-calls.log");
        Files.writeString(file, "");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("FAKE_GPU_LOG", file.toString());
        Probe r = build(dir).run(all, FakeGpuProbe.class, mode, file.toString());
        assertEquals(0, r.exit(), r.text());
        return new Recording(r, Files.readAllLines(file));
    }

    public Path libs() {
        return libs;
    }

    /** Runs main(args) in a fresh JVM that finds the fake libraries (and nothing else), with extra environment. */
    public Probe run(Map<String, String> env, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-cp", System.getProperty("java.class.path"),
                "-D" + PrivateNativeDir.PROPERTY + "=" + natives));
        if (FakeGpu.class.getResource("/dev/inception/kernels/inception_kernels.fatbin") == null) {
            // built without nvcc: the fake driver never reads the image, so any bytes stand in for the fatbin
            Path stand = Files.writeString(natives.resolveSibling("stand-in.fatbin"), "not a fatbin: fake GPU only");
            cmd.add("-D" + dev.inception.gpu.KernelModule.PROPERTY + "=" + stand);
        }
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().put(LibrarySearch.ENV, libs.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), main.getSimpleName() + " did not finish");
        return new Probe(p.exitValue(), text.lines().toList());
    }
}
