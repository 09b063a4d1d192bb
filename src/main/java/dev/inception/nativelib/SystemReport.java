package dev.inception.nativelib;

import dev.inception.BackendUnavailableException;
import dev.inception.Precision;
import dev.inception.gpu.GpuDevices;
import dev.inception.gpu.Roofline;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Everything `inception info` reports, as plain data: Java, OS, driver, GPUs, cuDNN, cuBLAS, bridges, kernels,
 * what is missing and what to do. Loads the native stack only when a driver was found.
 */
public final class SystemReport {

    private SystemReport() {
    }

    public static Map<String, Object> collect() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " ("
                + System.getProperty("java.home") + ")");
        r.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.fromEnvironment());
        r.put("driver", describe(d.driver()));
        r.put("cudnn", describe(d.cudnn()));
        r.put("cublas", describe(d.cublas()));
        r.put("cublasLt", describe(d.cublasLt()));
        r.put("nvrtc", d.nvrtc().isPresent() ? describe(d.nvrtc()) : "not found (optional: cuDNN refuses its"
                + " runtime-compiled engines, which --cudnn-engines may try; pip install nvidia-cuda-nvrtc)");
        Map<String, Object> bridges = new LinkedHashMap<>();
        bridges.put("status", NativeStack.bridgeStatus());
        bridges.put("libcudnn.so.8", NativeStack.bridgeAvailable("libcudnn.so.8"));
        bridges.put("libcublas.so.12", NativeStack.bridgeAvailable("libcublas.so.12"));
        r.put("bridges", bridges);
        r.put("kernels", kernels());
        List<String> problems = new ArrayList<>(d.problems());
        List<Map<String, Object>> gpus = new ArrayList<>();
        String gpuBackend;
        if (d.driver().isPresent()) {
            try {
                NativeStack.load();
                GpuDevices.Report g = GpuDevices.query();
                r.put("driver_version", g.driverVersionString());
                for (GpuDevices.Device dev : g.devices()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("ordinal", dev.ordinal());
                    m.put("name", dev.name());
                    m.put("compute_capability", dev.computeCapability());
                    m.put("memory_mib", dev.totalBytes() >> 20);
                    m.putAll(dev.hardware());
                    roofline(dev).ifPresent(peaks -> m.put("roofline", peaks));
                    gpus.add(m);
                }
                if (g.error() != null) {
                    problems.add(g.error());
                }
                gpuBackend = g.devices().isEmpty() ? "unavailable: no GPU visible" : "native stack loaded";
            } catch (BackendUnavailableException e) {
                problems.add(e.getMessage());
                gpuBackend = "unavailable: " + e.getMessage();
            }
        } else {
            gpuBackend = "unavailable: no CUDA driver on this machine (the CPU backend is used)";
        }
        if (d.cudnn().isPresent() && d.cublas().isPresent()) {
            try {
                NativeStack.LibraryVersions v = NativeStack.libraryVersions();
                r.put("cudnn_version", v.cudnn());
                r.put("cublas_version", v.cublas());
            } catch (BackendUnavailableException | LinkageError e) {
                problems.add("could not read cuDNN's and cuBLAS's versions from the libraries: " + e.getMessage());
            }
        }
        r.put("gpus", gpus);
        r.put("gpu_backend", gpuBackend);
        r.put("problems", problems);
        r.put("searched", d.searched().stream().map(Object::toString).toList());
        return r;
    }

    /**
     * The device's peaks by precision (what profile's bounds are computed from: {@link Roofline}), in TFLOP/s and
     * GB/s; empty where its architecture's rates are not tabled.
     */
    static Optional<Map<String, Object>> roofline(GpuDevices.Device device) {
        Map<String, Object> peaks = new LinkedHashMap<>();
        for (Precision p : Precision.values()) {
            Roofline.of(device, p).ifPresent(r -> peaks.put(p.cliName() + "_tflops",
                    Math.round(r.gflops() / 100) / 10.0));
        }
        Roofline.of(device, Precision.FP32).ifPresent(r -> peaks.put("gbytes_per_s", Math.round(r.gbytesPerSecond())));
        return peaks.isEmpty() ? Optional.empty() : Optional.of(peaks);
    }

    private static Object describe(Optional<Library> l) {
        if (l.isEmpty()) {
            return "not found";
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("soname", l.get().soname());
        m.put("path", l.get().path().toString());
        m.put("version", l.get().version());
        m.put("route", l.get().route());
        return m;
    }

    /** kernels.properties, written by the kernels build (nvcc version, architectures), if present. */
    static Object kernels() {
        Properties p = new Properties();
        try (InputStream in = SystemReport.class.getResourceAsStream("/dev/inception/kernels/kernels.properties")) {
            if (in == null) {
                return "not built (no nvcc at build time)";
            }
            p.load(in);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
