package dev.inception;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The open/close soak (docs/RELIABILITY.md): an engine opened, used and closed {@code inception.soakCycles} times
 * (200 in every build; 1000 for the recorded run) leaves the Java heap, the process's file descriptors and its
 * native memory where they were after the warm-up. Native memory is measured twice: what JavaCPP has allocated
 * (its own count, exact) and the resident set of a JVM whose heap cannot move it (see {@link EngineSoak}).
 */
class EngineSoakTest {

    static final int CYCLES = Integer.getInteger("inception.soakCycles", 200);

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "CPU"})
    void openUseCloseLeavesHeapHandlesAndNativeMemoryFlat(Backend backend) throws Exception {
        ProcessBuilder b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                EngineSoak.class.getName(), backend.name(), String.valueOf(CYCLES)).redirectErrorStream(true);
        // glibc raises its mmap threshold after large blocks are freed (oneDNN's weights, each cycle), then keeps
        // later ones in a fragmented heap: the resident set creeps by about 90 KB a cycle with nothing leaked
        // (measured 2026-11-30: +25 MB over 270 cycles as is, -1 MB with these). Fixed thresholds make the
        // resident set a measure of leaks; JavaCPP's count, which needs no such help, is exact either way.
        b.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
        b.environment().put("MALLOC_TRIM_THRESHOLD_", "131072");
        Process p = b.start();
        String text = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), text);
        List<String> lines = text.lines().toList();
        long open = Long.parseLong(lines.stream().filter(l -> l.startsWith("open ")).findFirst().orElseThrow()
                .substring(5));
        EngineSoak.Usage warm = EngineSoak.Usage.parse(lines.stream().filter(l -> l.startsWith("warm ")).findFirst()
                .orElseThrow());
        EngineSoak.Usage end = EngineSoak.Usage.parse(lines.stream().filter(l -> l.startsWith("end ")).findFirst()
                .orElseThrow());
        String report = backend + ", " + CYCLES + " cycles: after warm-up " + warm + ", at the end " + end;
        System.out.println(report);
        assertTrue(end.heap() - warm.heap() < 16 << 20, "heap grew: " + report);
        assertTrue(end.fds() - warm.fds() <= 2, "file descriptors leaked: " + report);
        assertEquals(warm.javacpp(), end.javacpp(), "JavaCPP native memory leaked: " + report);
        assertTrue(end.rss() - warm.rss() < 64 << 20, "resident set grew: " + report);
        if (backend == Backend.CPU) {
            // the count is live: an open oneDNN engine holds its arena and weights through JavaCPP
            assertTrue(open > end.javacpp(), "JavaCPP counted " + open + " bytes with an engine open: " + report);
        }
    }
}
