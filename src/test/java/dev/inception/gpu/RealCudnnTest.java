package dev.inception.gpu;

import dev.inception.nativelib.LibrarySearch;
import dev.inception.nativelib.NativeCalls;
import dev.inception.nativelib.PrivateNativeDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real cuDNN 9 and cuBLAS libraries on a machine without a GPU or driver, in one of two families:
 * <ul>
 *   <li>{@code mvn -B -Preal-cudnn test -Dtest=RealCudnnTest}: cuDNN 9.5.1 and cuBLAS 12.6 from Maven Central's
 *       org.bytedeco:cuda redist jar (2 GB); cuBLAS 12 binds JCublas2 natively.</li>
 *   <li>{@code mvn -B -Preal-cuda13 test -Dtest=RealCudnnTest}: cuDNN 9 for CUDA 13 and cuBLAS 13 from NVIDIA's pip
 *       wheels (src/test/scripts/fetch-real-cuda13.sh, about 1 GB), the family the lent H200 has: both bridges
 *       are then on the path, as there.</li>
 * </ul>
 * Not in the default build. Run it in any session that changes native code.
 */
class RealCudnnTest {

    static Path real;
    static List<String> out;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void probe() throws Exception {
        real = Path.of(System.getProperty("inception.realCudnnDir", "target/real-cudnn/org/bytedeco/cuda/linux-x86_64"));
        assertTrue(Files.isRegularFile(real.resolve("libcudnn.so.9")),
                "no real cuDNN in " + real + ": run with -Preal-cudnn, which unpacks it there");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                "-D" + PrivateNativeDir.PROPERTY + "=" + tmp.resolve("natives"), RealCudnnProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().put(LibrarySearch.ENV, real.toAbsolutePath().toString());
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        out = text.lines().toList();
        assertEquals(0, p.exitValue(), text);
        System.out.println(text);
    }

    /** The family under test: cuBLAS 13 (bridged, as on the H200) or cuBLAS 12 (native). */
    private static boolean cublas13() {
        return Files.isRegularFile(real.resolve("libcublas.so.13"));
    }

    private static String line(String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
                "no " + prefix + " in\n" + all())).substring(prefix.length());
    }

    private static String all() {
        return String.join("\n", out);
    }

    @Test
    void theBridgesReachRealCudnn9AndCublas() {
        // cudnnGetVersion is major * 10000 + minor * 100 + patch in cuDNN 9, and the version line says the same
        String[] v = line("cudnn.version=").split("\\.");
        assertEquals("9", v[0], all());
        assertEquals(String.valueOf(Integer.parseInt(v[0]) * 10000 + Integer.parseInt(v[1]) * 100
                + Integer.parseInt(v[2])), line("cudnnGetVersion="), all());
        // JCublas2 reaches cuBLAS 13 only through the 12 -> 13 bridge: its version proves that path
        assertTrue(line("cublas.version=").startsWith(cublas13() ? "13." : "12.6."), all());
        // cuDNN 9's own status texts, for its renumbered codes
        assertTrue(out.contains("status.0=CUDNN_STATUS_SUCCESS"), all());
        assertTrue(out.contains("status.2000=CUDNN_STATUS_BAD_PARAM"), all());
        assertTrue(out.contains("status.3000=CUDNN_STATUS_NOT_SUPPORTED"), all());
    }

    @Test
    void everyDescriptorOfBothPlansGetsThePlansDimensionsFromRealCudnn() {
        assertTrue(out.contains("descriptors.mismatches=0"), all());
        // 3 input sizes x 2 plans x 3 batch sizes x 4 precisions; 94 convolutions + 15 poolings with top, 14 + 1
        // global without
        String checked = out.stream().filter(l -> l.startsWith("descriptors.checked=")).findFirst().orElseThrow();
        assertTrue(Integer.parseInt(checked.substring(checked.indexOf('=') + 1)) > 3 * 2 * 3 * 4 * 100, checked);
        // copy-free concat: per graph, the branch outputs of mixed0-2 (4 each), mixed3 (3), mixed4-7 (4 each), mixed8
        // (3) and mixed9-10 (4 each, plus the 2 + 2 halves of their two inner concatenations): 50, in fp32 and fp16
        assertEquals(String.valueOf(3 * 2 * (3 * 4 + 3 + 4 * 4 + 3 + 2 * (4 + 4))), line("slices.checked="), all());
    }

    @Test
    void withoutADeviceHandleCreationFailsCleanly() {
        String cudnn = out.stream().filter(l -> l.startsWith("cudnnCreate.withoutDevice=")).findFirst().orElseThrow();
        String cublas = out.stream().filter(l -> l.startsWith("cublasCreate.withoutDevice=")).findFirst().orElseThrow();
        assertTrue(!cudnn.endsWith("=0"), cudnn);
        assertTrue(!cublas.endsWith("=0"), cublas);
        assertTrue(out.contains("ok"), all());
    }

    /**
     * What the bridge cannot bind is what cuDNN 9 removed, and none of it is used: every cuDNN function the product
     * calls (read from its sources) is exported by the real libcudnn.so.9, and every cuBLAS function by the real
     * libcublas.so.12.
     */
    @Test
    void everyCudnnFunctionTheExecutorUsesExistsInCudnn9() throws Exception {
        Set<String> exported = NativeCalls.exported(real.resolve("libcudnn.so.9"));
        assertTrue(NativeCalls.called(NativeCalls.Api.CUDNN).size() > 20, "the source scan found too little");
        assertEquals(Set.of(), NativeCalls.missing(NativeCalls.Api.CUDNN, exported),
                "used by the product but absent from cuDNN 9");
        String cublas = cublas13() ? "libcublas.so.13" : "libcublas.so.12";
        Set<String> cublasExported = NativeCalls.exported(real.resolve(cublas));
        assertEquals(Set.of(), NativeCalls.missing(NativeCalls.Api.CUBLAS, cublasExported),
                "used by the product but absent from " + cublas);
        if (cublas13()) {
            Set<String> jcublas = new TreeSet<>(Files.readAllLines(
                    Path.of("target/classes/dev/inception/nativelib/linux-x86_64/libcublas.so.12.symbols")));
            jcublas.removeIf(String::isBlank);
            jcublas.removeAll(cublasExported);
            System.out.println("[real-cuda13] " + jcublas.size() + " functions JCublas2 references are not in cuBLAS 13"
                    + " (answered NOT_SUPPORTED by the bridge): " + jcublas);
        }
        Path symbols = Path.of("target/classes/dev/inception/nativelib/linux-x86_64/libcudnn.so.8.symbols");
        Set<String> referenced = new TreeSet<>(Files.readAllLines(symbols));
        referenced.removeIf(String::isBlank);
        Set<String> unbound = new TreeSet<>(referenced);
        unbound.removeAll(exported);
        System.out.println("[real-cudnn] " + referenced.size() + " functions JCudnn references, " + unbound.size()
                + " not in cuDNN 9 (answered NOT_SUPPORTED by the bridge): " + unbound);
        // the legacy RNN, algorithm-descriptor and version-check API: 54 functions in cuDNN 9.5.1
        if (line("cudnn.version=").equals("9.5.1")) {
            assertEquals(54, unbound.size(), unbound.toString());
        }
        assertTrue(unbound.stream().allMatch(f -> f.contains("RNN") || f.contains("Algorithm")
                || f.endsWith("VersionCheck")), unbound.toString());
    }
}
