package dev.inception.nativelib;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery on fake directory trees: what is there is found with its route, what is not is explained. */
class CudaDiscoveryTest {

    @TempDir
    Path root;

    private Path touch(String relative) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {0x7f, 'E', 'L', 'F'});
        return p;
    }

    private Path link(String relative, String target) throws Exception {
        Path p = root.resolve(relative);
        Files.createSymbolicLink(p, Path.of(target));
        return p;
    }

    @Test
    void pythonWheelLayoutOfCuda13() throws Exception {
        String sp = "venv/lib/python3.12/site-packages/nvidia/";
        touch(sp + "cudnn/lib/libcudnn.so.9.10.2");
        link(sp + "cudnn/lib/libcudnn.so.9", "libcudnn.so.9.10.2");
        touch(sp + "cu13/lib/libcublas.so.13");
        touch(sp + "cu13/lib/libcublasLt.so.13");
        touch("usr/lib/x86_64-linux-gnu/libcuda.so.1");
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.of(Map.of("VIRTUAL_ENV", root.resolve("venv").toString()),
                null, root));
        assertEquals(List.of(), d.problems());
        assertEquals("libcudnn.so.9", d.cudnn().orElseThrow().soname());
        assertEquals("9.10.2", d.cudnn().get().version());
        assertTrue(d.cudnn().get().bridged());
        assertTrue(d.cublas().orElseThrow().bridged());
        assertEquals(root.resolve(sp + "cu13/lib/libcublasLt.so.13"), d.cublasLt().orElseThrow().path());
        assertEquals(root.resolve("usr/lib/x86_64-linux-gnu/libcuda.so.1"), d.driver().orElseThrow().path());
        assertEquals(3, d.libraryDirs().size());
        // NVRTC is optional: not there, not a problem
        assertTrue(d.nvrtc().isEmpty());
    }

    /**
     * NVRTC of cuBLAS's CUDA major version, which cuDNN opens by soname for its runtime-compiled engines: beside
     * cuBLAS in CUDA 13's wheels; in a folder of its own elsewhere, then on the library path too. Another major's
     * NVRTC is not it.
     */
    @Test
    void nvrtcOfCublassMajorVersionBesideItOrElsewhere() throws Exception {
        String sp = "venv/lib/python3.12/site-packages/nvidia/";
        touch(sp + "cudnn/lib/libcudnn.so.9");
        touch(sp + "cu13/lib/libcublas.so.13");
        touch(sp + "cu13/lib/libcublasLt.so.13");
        touch(sp + "cuda_nvrtc/lib/libnvrtc.so.12");
        touch("usr/lib/x86_64-linux-gnu/libcuda.so.1");
        Map<String, String> env = Map.of("VIRTUAL_ENV", root.resolve("venv").toString());
        assertTrue(CudaDiscovery.run(LibrarySearch.of(env, null, root)).nvrtc().isEmpty(), "CUDA 12's NVRTC");
        touch(sp + "cuda_nvrtc/lib/libnvrtc.so.13");
        CudaDiscovery elsewhere = CudaDiscovery.run(LibrarySearch.of(env, null, root));
        assertEquals(root.resolve(sp + "cuda_nvrtc/lib/libnvrtc.so.13"), elsewhere.nvrtc().orElseThrow().path());
        assertEquals(4, elsewhere.libraryDirs().size());
        assertTrue(elsewhere.libraryDirs().contains(root.resolve(sp + "cuda_nvrtc/lib")));
        touch(sp + "cu13/lib/libnvrtc.so.13");
        CudaDiscovery beside = CudaDiscovery.run(LibrarySearch.of(env, null, root));
        assertEquals(root.resolve(sp + "cu13/lib/libnvrtc.so.13"), beside.nvrtc().orElseThrow().path());
        assertEquals(3, beside.libraryDirs().size());
        assertEquals(List.of(), beside.problems());
    }

    /**
     * The H200 host: cuDNN 9 and cuBLAS 13 only inside PyTorch's venv, which no VIRTUAL_ENV names; the driver only
     * under the read-only /usr/local/nvidia mount. A python3 on PATH (here a shim) knows the venv's site-packages.
     */
    @Test
    void h200LayoutFoundThroughPython3sSysPathAndTheNvidiaMount() throws Exception {
        String sp = "opt/torch/.venv/lib/python3.12/site-packages/";
        touch(sp + "nvidia/cudnn/lib/libcudnn.so.9");
        touch(sp + "nvidia/cu13/lib/libcublas.so.13");
        touch(sp + "nvidia/cu13/lib/libcublasLt.so.13");
        touch("usr/local/nvidia/lib64/libcuda.so.1");
        Path bin = Files.createDirectories(root.resolve("shim-bin"));
        Path python = bin.resolve("python3");
        Files.writeString(python, "#!/bin/sh\necho ''\necho /usr/lib/python312.zip\necho " + root.resolve(sp) + "\n");
        python.toFile().setExecutable(true);
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.of(Map.of("PATH", bin.toString()), null, root));
        assertEquals(List.of(), d.problems());
        assertEquals(root.resolve(sp + "nvidia/cudnn/lib/libcudnn.so.9"), d.cudnn().orElseThrow().path());
        assertEquals(root.resolve(sp + "nvidia/cu13/lib/libcublas.so.13"), d.cublas().orElseThrow().path());
        assertEquals(root.resolve("usr/local/nvidia/lib64/libcuda.so.1"), d.driver().orElseThrow().path());
    }

    @Test
    void withoutPython3AVenvOnPathIsStillFoundAsThePrefixOfItsBin() throws Exception {
        String sp = "opt/torch/.venv/lib/python3.12/site-packages/";
        touch(sp + "nvidia/cudnn/lib/libcudnn.so.9");
        Path bin = Files.createDirectories(root.resolve("opt/torch/.venv/bin"));
        LibrarySearch s = LibrarySearch.of(Map.of("PATH", bin + ":/nonexistent/bin"), null, root);
        assertEquals(root.resolve(sp + "nvidia/cudnn/lib/libcudnn.so.9"), s.find("libcudnn.so.9").orElseThrow());
    }

    @Test
    void ldconfigsFolderForTheDriverIsTheLastResort() throws Exception {
        touch("weird/place/libcuda.so.1");
        LibrarySearch s = LibrarySearch.of(Map.of(), null, root, List.of(), java.util.Optional.of(root.resolve("weird/place")));
        assertEquals(root.resolve("weird/place/libcuda.so.1"), s.find("libcuda.so.1").orElseThrow());
        assertEquals(root.resolve("weird/place"), s.dirs().get(s.dirs().size() - 1));
    }

    @Test
    void aHangingOrFailingPython3IsIgnored() throws Exception {
        Path bin = Files.createDirectories(root.resolve("bad-bin"));
        Path python = bin.resolve("python3");
        Files.writeString(python, "#!/bin/sh\necho /somewhere\nexit 1\n");
        python.toFile().setExecutable(true);
        assertEquals(List.of(), HostProbes.pythonSysPath(Map.of("PATH", bin.toString())));
    }

    @Test
    void cudaHomeLayoutOfCuda12IsNative() throws Exception {
        touch("opt/cuda-12/lib64/libcublas.so.12");
        touch("opt/cuda-12/lib64/libcublasLt.so.12");
        touch("opt/cudnn8/lib/libcudnn.so.8");
        touch("opt/cudnn8/lib/libcudnn.so.9");   // both: the JNI library's own version wins
        touch("usr/lib64/libcuda.so.1");
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.of(Map.of(
                "CUDA_HOME", root.resolve("opt/cuda-12").toString(),
                "CUDNN_HOME", root.resolve("opt/cudnn8").toString()), null, root));
        assertEquals(List.of(), d.problems());
        assertFalse(d.cudnn().orElseThrow().bridged());
        assertEquals("libcudnn.so.8", d.cudnn().get().soname());
        assertFalse(d.cublas().orElseThrow().bridged());
        assertEquals("12", d.cublas().get().version());
    }

    @Test
    void overrideComesFirst() throws Exception {
        touch("a/libcudnn.so.9");
        touch("b/libcudnn.so.9");
        LibrarySearch s = LibrarySearch.of(Map.of(LibrarySearch.ENV, root.resolve("b").toString(),
                "LD_LIBRARY_PATH", root.resolve("a").toString()), root.resolve("b") + ":" + root.resolve("x"), root);
        assertEquals(root.resolve("b/libcudnn.so.9"), s.find("libcudnn.so.9").orElseThrow());
        assertEquals(root.resolve("b"), s.dirs().get(0));
        assertEquals(root.resolve("x"), s.dirs().get(1));
    }

    @Test
    void nothingAtAllIsExplainedPieceByPiece() {
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.of(Map.of(), null, root));
        List<String> p = d.problems();
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(0).contains("libcuda.so.1") && p.get(0).contains("NVIDIA driver"));
        assertTrue(p.get(1).contains("libcudnn.so.8") && p.get(1).contains("libcudnn.so.9"));
        assertTrue(p.get(2).contains("libcublas.so.13"));
        assertTrue(d.searched().contains(root.resolve("usr/local/cuda/lib64")));
    }

    @Test
    void cublasWithoutItsLtIsNamed() throws Exception {
        touch("usr/local/cuda/lib64/libcublas.so.13");
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.of(Map.of(), null, root));
        assertTrue(d.problems().stream().anyMatch(s -> s.contains("libcublasLt.so.13")), d.problems().toString());
    }

    @Test
    void cudnnVersionNumbersOfBothEncodings() {
        assertEquals("9.10.2", NativeStack.cudnnVersionString(91002));
        assertEquals("8.9.2", NativeStack.cudnnVersionString(8902));
    }
}
