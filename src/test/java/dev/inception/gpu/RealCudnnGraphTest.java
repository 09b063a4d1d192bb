package dev.inception.gpu;

import dev.inception.nativelib.FakeGpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend-API operations {@link ConvEngines} builds, checked by real cuDNN 9 on a machine without a GPU
 * (RealCudnnGraphProbe): every attribute's number, type and element size, and every tensor's dimensions and
 * strides, must be what cuDNN's own validation accepts when it finalizes each descriptor; and a convolution whose
 * output disagrees with its geometry must be refused, so that acceptance means cuDNN read the values. The driver is
 * the fake one (host memory stands in for pinned memory; no descriptor here touches a device). Opt-in like
 * RealCudnnTest: {@code mvn -B -Preal-cuda13 test -Dtest=RealCudnnGraphTest} (real-cudnn's jar lacks the engine
 * libraries).
 */
class RealCudnnGraphTest {

    @TempDir
    Path tmp;

    @Test
    void realCudnnFinalizesEveryFusedConvolutionsOperations() throws Exception {
        Path real = Path.of(System.getProperty("inception.realCudnnDir",
                "target/real-cudnn/org/bytedeco/cuda/linux-x86_64"));
        assertTrue(Files.isRegularFile(real.resolve("libcudnn.so.9")),
                "no real cuDNN in " + real + ": run with -Preal-cuda13, which unpacks it there");
        assertTrue(Files.isRegularFile(real.resolve("libcudnn_engines_precompiled.so.9")),
                "cuDNN's engine libraries are not in " + real + " (the backend API loads them to finalize a tensor):"
                        + " run with -Preal-cuda13, whose wheels have them; real-cudnn's jar does not");
        // the real cuDNN and cuBLAS libraries beside the fake driver, in one folder for the library search
        Path libs = Files.createDirectories(tmp.resolve("libs"));
        try (Stream<Path> files = Files.list(real)) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(libs.resolve(f.getFileName()), f.toAbsolutePath());
            }
        }
        FakeGpu.gcc(libs, "FAKE_CUDA", "libcuda.so.1");
        FakeGpu.Probe probe = FakeGpu.at(libs, tmp.resolve("natives")).run(Map.of(), RealCudnnGraphProbe.class);
        try (Stream<Path> links = Files.list(libs)) {
            for (Path l : links.filter(Files::isSymbolicLink).toList()) {
                Files.delete(l);   // the links, not the real libraries (JUnit would warn about each)
            }
        }
        String text = probe.text();
        System.out.println(text);
        assertEquals(0, probe.exit(), text);
        List<String> out = probe.out();
        // 94 fused convolutions x 2 concatenation placements x 2 batches x 2 precisions x 2 forms, none refused
        assertTrue(out.contains("operations.refused=0"), text);
        assertTrue(out.contains("operations.built=" + 94 * 2 * 2 * 2 * 2), text);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("inconsistent=refused")), text);
    }
}
