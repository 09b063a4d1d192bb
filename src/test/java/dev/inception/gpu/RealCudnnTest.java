package dev.inception.gpu;

import dev.inception.nativelib.LibrarySearch;
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
 * Real cuDNN 9.5.1 and cuBLAS 12.6 (from Maven Central's org.bytedeco:cuda redist jar, unpacked by the
 * {@code real-cudnn} profile: {@code mvn -B -Preal-cudnn test -Dtest=RealCudnnTest}) on a machine without a GPU or
 * driver. Not in the default build: the jar is 2 GB. Run it in any session that changes native code.
 */
class RealCudnnTest {

    /** Every cuDNN function the GPU executor, the smoke test and the contexts call. */
    static final Set<String> USED = Set.of("cudnnCreate", "cudnnDestroy", "cudnnSetStream", "cudnnGetVersion",
            "cudnnGetErrorString", "cudnnCreateTensorDescriptor", "cudnnSetTensor4dDescriptor",
            "cudnnDestroyTensorDescriptor", "cudnnCreateFilterDescriptor", "cudnnSetFilter4dDescriptor",
            "cudnnDestroyFilterDescriptor", "cudnnCreateConvolutionDescriptor", "cudnnSetConvolution2dDescriptor",
            "cudnnSetConvolutionMathType", "cudnnDestroyConvolutionDescriptor", "cudnnCreatePoolingDescriptor",
            "cudnnSetPooling2dDescriptor", "cudnnDestroyPoolingDescriptor", "cudnnCreateActivationDescriptor",
            "cudnnSetActivationDescriptor", "cudnnDestroyActivationDescriptor", "cudnnFindConvolutionForwardAlgorithm",
            "cudnnGetConvolutionForwardAlgorithm_v7", "cudnnGetConvolutionForwardWorkspaceSize",
            "cudnnConvolutionForward", "cudnnConvolutionBiasActivationForward",
            "cudnnBatchNormalizationForwardInference", "cudnnPoolingForward", "cudnnActivationForward",
            "cudnnSoftmaxForward", "cudnnAddTensor", "cudnnGetConvolution2dForwardOutputDim",
            "cudnnGetPooling2dForwardOutputDim");

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

    private static String all() {
        return String.join("\n", out);
    }

    @Test
    void theBridgeReachesRealCudnn9AndJCublas2RealCublas12() {
        assertTrue(out.contains("cudnn.version=9.5.1"), all());
        assertTrue(out.contains("cudnnGetVersion=90501"), all());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("cublas.version=12.6.")), all());
        // cuDNN 9's own status texts, for its renumbered codes
        assertTrue(out.contains("status.0=CUDNN_STATUS_SUCCESS"), all());
        assertTrue(out.contains("status.2000=CUDNN_STATUS_BAD_PARAM"), all());
        assertTrue(out.contains("status.3000=CUDNN_STATUS_NOT_SUPPORTED"), all());
    }

    @Test
    void everyDescriptorOfBothPlansGetsThePlansDimensionsFromRealCudnn() {
        assertTrue(out.contains("descriptors.mismatches=0"), all());
        // 3 input sizes x 2 plans x 3 batch sizes; 94 convolutions + 15 poolings with top, 14 + 1 global without
        String checked = out.stream().filter(l -> l.startsWith("descriptors.checked=")).findFirst().orElseThrow();
        assertTrue(Integer.parseInt(checked.substring(checked.indexOf('=') + 1)) > 3 * 2 * 3 * 100, checked);
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
     * What the bridge cannot bind is what cuDNN 9 removed, and none of it is used: every function the executor calls
     * is exported by the real libcudnn.so.9.
     */
    @Test
    void everyCudnnFunctionTheExecutorUsesExistsInCudnn9() throws Exception {
        Set<String> exported = dynamicSymbols(real.resolve("libcudnn.so.9"));
        Set<String> missing = new TreeSet<>(USED);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "used by the executor but absent from cuDNN 9");
        Path symbols = Path.of("target/classes/dev/inception/nativelib/linux-x86_64/libcudnn.so.8.symbols");
        Set<String> referenced = new TreeSet<>(Files.readAllLines(symbols));
        referenced.removeIf(String::isBlank);
        Set<String> unbound = new TreeSet<>(referenced);
        unbound.removeAll(exported);
        System.out.println("[real-cudnn] " + referenced.size() + " functions JCudnn references, " + unbound.size()
                + " not in cuDNN 9 (answered NOT_SUPPORTED by the bridge): " + unbound);
        // cuDNN 9.5.1 (this profile's pinned version): the legacy RNN, algorithm-descriptor and version-check API
        assertEquals(54, unbound.size(), unbound.toString());
        assertTrue(unbound.stream().allMatch(f -> f.contains("RNN") || f.contains("Algorithm")
                || f.endsWith("VersionCheck")), unbound.toString());
    }

    static Set<String> dynamicSymbols(Path lib) throws Exception {
        Process p = new ProcessBuilder("readelf", "--dyn-syms", "-W", lib.toString()).redirectErrorStream(true).start();
        Set<String> names = new TreeSet<>();
        for (String line : new String(p.getInputStream().readAllBytes()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            // Num: Value Size Type Bind Vis Ndx Name; defined functions only
            if (f.length >= 8 && f[3].equals("FUNC") && !f[6].equals("UND")) {
                names.add(f[7].replaceAll("@.*", ""));
            }
        }
        assertEquals(0, p.waitFor());
        return names;
    }
}
