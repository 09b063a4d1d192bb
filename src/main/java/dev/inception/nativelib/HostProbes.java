package dev.inception.nativelib;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Facts about the host that only another program knows: the {@code python3} on PATH's {@code sys.path} (where pip
 * put the nvidia-* wheels, even when no {@code VIRTUAL_ENV} says so) and {@code ldconfig}'s cache (where the
 * driver's libcuda.so.1 is when it is only registered there). Each probe is bounded by a timeout and answers
 * "nothing" on any failure: discovery must never hang or fail because a helper program misbehaves.
 */
final class HostProbes {

    private static final long TIMEOUT_MS = 5000;

    private HostProbes() {
    }

    /** The directories in {@code python3 -c 'sys.path'} for the python3 found on env's PATH; empty without one. */
    static List<Path> pythonSysPath(Map<String, String> env) {
        Optional<Path> python = onPath(env.get("PATH"), "python3");
        if (python.isEmpty()) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        for (String line : run(List.of(python.get().toString(), "-c",
                "import sys\nfor p in sys.path:\n    print(p)"), env)) {
            if (line.startsWith("/")) {
                dirs.add(Path.of(line.strip()));
            }
        }
        return dirs;
    }

    /** The folder that ldconfig's cache gives for a library (e.g. libcuda.so.1), if it lists one for x86-64. */
    static Optional<Path> ldconfigFolder(String soname) {
        Optional<Path> ldconfig = Optional.empty();
        for (String candidate : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                ldconfig = Optional.of(Path.of(candidate));
                break;
            }
        }
        if (ldconfig.isEmpty()) {
            return Optional.empty();
        }
        // lines look like: "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1"
        for (String line : run(List.of(ldconfig.get().toString(), "-p"), Map.of())) {
            String t = line.strip();
            int arrow = t.indexOf("=> ");
            if (t.startsWith(soname + " ") && t.contains("x86-64") && arrow > 0) {
                Path p = Path.of(t.substring(arrow + 3).strip());
                if (p.getParent() != null) {
                    return Optional.of(p.getParent());
                }
            }
        }
        return Optional.empty();
    }

    static Optional<Path> onPath(String pathList, String program) {
        if (pathList == null) {
            return Optional.empty();
        }
        for (String dir : pathList.split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }

    /** Standard output's lines, or none if the program fails, times out or cannot start. */
    private static List<String> run(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            if (!env.isEmpty()) {
                pb.environment().clear();
                pb.environment().putAll(env);
            }
            Process p = pb.start();
            p.getOutputStream().close();
            // read on this thread: the outputs are small (a few dozen lines of sys.path, a few thousand of ldconfig)
            // and the process is killed below if it never exits
            Thread killer = new Thread(() -> {
                try {
                    if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }, "host-probe-timeout");
            killer.setDaemon(true);
            killer.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out.lines().toList() : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
