package dev.inception;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.bytedeco.javacpp.Pointer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The open/close soak itself, run by {@link EngineSoakTest} in a JVM of its own whose heap is fixed and touched
 * up front ({@code -Xms = -Xmx, -XX:+AlwaysPreTouch}): then the resident set cannot move with the heap, and what
 * it gains is native memory (oneDNN, malloc, threads). Prints one {@code Usage} line after the warm-up (the first
 * tenth of the cycles, when classes, oneDNN's kernels and JIT code settle in) and one at the end.
 *
 * <p>Usage: {@code EngineSoak BACKEND CYCLES}
 */
public final class EngineSoak {

    static final InceptionV3.Options SMALL = InceptionV3.Options.features(75, 75);

    /** Heap in use after a collection, open file descriptors, JavaCPP's native bytes, the resident set. */
    record Usage(long heap, long fds, long javacpp, long rss) {
        static Usage now() throws IOException {
            for (int i = 0; i < 3; i++) {
                System.gc();   // a measurement, not a cleanup: every native resource is closed explicitly
            }
            long fds;
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                fds = s.count();
            }
            return new Usage(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), fds,
                    Pointer.totalBytes(), Pointer.physicalBytes());
        }

        String line(String when) {
            return when + " " + heap + " " + fds + " " + javacpp + " " + rss;
        }

        static Usage parse(String line) {
            long[] v = Arrays.stream(line.trim().split(" ")).skip(1).mapToLong(Long::parseLong).toArray();
            return new Usage(v[0], v[1], v[2], v[3]);
        }
    }

    private EngineSoak() {
    }

    public static void main(String[] args) throws IOException {
        Backend backend = Backend.valueOf(args[0]);
        int cycles = Integer.parseInt(args[1]);
        Graph g = InceptionV3.build(SMALL);
        Weights w = SeededWeights.forGraph(g, 1);
        Tensor x = Tensor.uniform(1, g.input().shape(), 3);
        EngineOptions options = EngineOptions.defaults().withModel(SMALL).withBackend(backend);
        float[] expected = null;
        int warmUp = Math.max(1, cycles / 10);
        for (int i = 0; i < cycles; i++) {
            try (InceptionV3Engine engine = InceptionV3Engine.open(w, options, s -> { })) {
                float[] y = engine.forward(x).data();
                if (expected == null) {
                    expected = y;
                    System.out.println("open " + Pointer.totalBytes());
                } else if (!Arrays.equals(expected, y)) {
                    throw new AssertionError("cycle " + i + " gave another answer");
                }
            }
            if (i + 1 == warmUp) {
                System.out.println(Usage.now().line("warm"));
            }
        }
        System.out.println(Usage.now().line("end"));
    }
}
