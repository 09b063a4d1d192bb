package dev.inception.nativelib;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loading route on a machine without a GPU: stub CUDA 13 libraries (src/test/c/stub_cuda.c) are found by
 * discovery, loaded with the bridges, and called through JCudnn and JCublas2 in a forked JVM (native libraries
 * cannot be unloaded, and a crash must not take the test JVM down).
 */
class BridgeStubTest {

    @TempDir
    static Path tmp;

    static Path stubs;

    @BeforeAll
    static void buildStubs() throws Exception {
        stubs = Files.createDirectories(tmp.resolve("cuda13"));
        gcc("STUB_CUDA", "libcuda.so.1");
        gcc("STUB_CUDNN", "libcudnn.so.9");
        gcc("STUB_CUBLAS", "libcublas.so.13");
        gcc("STUB_CUBLASLT", "libcublasLt.so.13");
    }

    static void gcc(String define, String soname) throws Exception {
        Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-D" + define, "-Wl,-soname," + soname, "-o",
                stubs.resolve(soname).toString(), "src/test/c/stub_cuda.c").inheritIO().start();
        assertEquals(0, p.waitFor(), "gcc " + soname);
    }

    static List<String> probe(Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + PrivateNativeDir.PROPERTY + "=" + tmp.resolve("natives"),
                StubProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().remove("CUDA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "the probe JVM must not crash:\n" + out);
        return out.lines().toList();
    }

    @Test
    void cudnn9AndCublas13AreReachedThroughTheBridges() throws Exception {
        List<String> out = probe(Map.of(LibrarySearch.ENV, stubs.toString()));
        String all = String.join("\n", out);
        assertTrue(out.contains("cudnn.route=bridged"), all);
        assertTrue(out.contains("cublas.route=bridged"), all);
        assertTrue(out.contains("cudnnGetVersion=91002"), all);
        assertTrue(out.contains("cudnn.runtime=9.10.2"), all);
        assertTrue(out.contains("cudnnCreate=0 cudnnHandle[nativePointer=0x1234]"), all);
        assertTrue(out.contains("cublasCreate=0 cublasHandle[nativePointer=0x5678]"), all);
        assertTrue(out.contains("cublasGetVersion=0 130100"), all);
        assertTrue(out.contains("cuDriverGetVersion=13000"), all);
        // functions the stubs lack answer NOT_SUPPORTED (cuDNN 8's 9, cuBLAS's 15) instead of killing the JVM
        assertTrue(out.contains("cudnnDestroy=9"), all);
        assertTrue(out.contains("cublasDestroy=15"), all);
        // a driver error is an exception with a message, not a crash
        assertTrue(out.contains("cuInit.error=CUDA_ERROR_NO_DEVICE"), all);
    }

    /**
     * No driver at all, cuDNN 9 and cuBLAS 13 present (a build machine, a CPU-only container with pip's wheels):
     * `info` still reads their full versions from the libraries, loading them and their JNI libraries alone.
     */
    @Test
    void infoReadsLibraryVersionsWithoutADriver() throws Exception {
        Path noDriver = Files.createDirectories(tmp.resolve("no-driver"));
        for (String lib : new String[] {"libcudnn.so.9", "libcublas.so.13", "libcublasLt.so.13"}) {
            Files.copy(stubs.resolve(lib), noDriver.resolve(lib), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + PrivateNativeDir.PROPERTY + "=" + tmp.resolve("natives"),
                dev.inception.cli.Main.class.getName(), "info", "--json");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().put(LibrarySearch.ENV, noDriver.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        com.google.gson.JsonObject info = com.google.gson.JsonParser.parseString(out.substring(out.indexOf('{')))
                .getAsJsonObject();
        assertEquals("9.10.2", info.get("cudnn_version").getAsString(), out);
        assertEquals("13.1.7", info.get("cublas_version").getAsString(), out);
        assertTrue(info.get("gpu_backend").getAsString().contains("no CUDA driver"), out);
    }

    @Test
    void missingLibrariesAreExplainedNotCrashed() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        List<String> out = probe(Map.of(LibrarySearch.ENV, empty.toString()));
        String all = String.join("\n", out);
        // the CI machine has no CUDA at all; a machine with a driver still lacks what the empty folder lacks
        assertTrue(all.startsWith("unavailable=") || all.contains("cudnn.route="), all);
        if (all.startsWith("unavailable=")) {
            assertTrue(all.contains("not found"), all);
            assertTrue(all.contains(LibrarySearch.ENV), all);
        }
    }
}
