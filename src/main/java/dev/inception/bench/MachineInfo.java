package dev.inception.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a benchmark result records about where it ran. */
public final class MachineInfo {

    private MachineInfo() {
    }

    public static Map<String, Object> host() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        return m;
    }

    /** The GPU side, for results of the GPU backend: device, driver, cuDNN and cuBLAS as loaded. */
    public static Map<String, Object> gpu(int device) {
        Map<String, Object> m = new LinkedHashMap<>();
        dev.inception.nativelib.NativeStack stack = dev.inception.nativelib.NativeStack.load();
        dev.inception.gpu.GpuDevices.Report r = dev.inception.gpu.GpuDevices.query();
        if (device < r.devices().size()) {
            dev.inception.gpu.GpuDevices.Device d = r.devices().get(device);
            m.put("gpu", d.name());
            m.put("compute_capability", d.computeCapability());
            m.put("gpu_memory_mib", d.totalBytes() >> 20);
            m.putAll(d.hardware());
        }
        m.put("driver_cuda_version", r.driverVersionString());
        m.put("cudnn", stack.cudnnRuntimeVersion() + " (" + stack.discovery().cudnn().map(l -> l.soname() + ", "
                + l.route()).orElse("?") + ")");
        m.put("cublas", stack.discovery().cublas().map(l -> l.soname() + " " + l.version() + ", " + l.route())
                .orElse("?"));
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /**
     * The commit the running code was built from, as far as can be told: a bundle's (see the overload), else git's
     * HEAD, with "-dirty" when tracked files differ from it (a result must not claim a commit that could not have
     * produced it); "unknown" outside a repository.
     */
    public static String gitCommit() {
        return gitCommit(System.getenv());
    }

    /**
     * {@code INCEPTION_GIT_COMMIT} where set (a bundle's launcher sets it to the commit the bundle was built from:
     * on a device the working directory is another copy of the tree), else git's HEAD here.
     */
    static String gitCommit(java.util.Map<String, String> env) {
        String given = env.get("INCEPTION_GIT_COMMIT");
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        String head = git("rev-parse", "--short=12", "HEAD");
        if (head == null) {
            return "unknown";
        }
        String changes = git("status", "--porcelain", "--untracked-files=no");
        return changes == null || changes.isEmpty() ? head : head + "-dirty";
    }

    /** git's trimmed output, or null if git is missing or fails. */
    static String git(String... args) {
        try {
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("git"));
            cmd.addAll(java.util.List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
