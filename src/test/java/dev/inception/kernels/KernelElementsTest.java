package dev.inception.kernels;

import dev.inception.cpu.CpuOps;
import dev.inception.image.Preprocess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA kernels' element functions, compiled by nvcc into a host program (native-tests/kernels/
 * kernel_host_test.cu) and run on the CPU, against the Java twins. Also checks that the build produced the fatbin.
 */
class KernelElementsTest {

    @TempDir
    static Path tmp;

    static List<String> output;

    @BeforeAll
    static void compileAndRun() throws Exception {
        Path exe = tmp.resolve("kernel_host_test");
        Process nvcc = new ProcessBuilder("nvcc", "-std=c++17", "--Werror", "all-warnings", "-o", exe.toString(),
                "native-tests/kernels/kernel_host_test.cu").redirectErrorStream(true).start();
        String log = new String(nvcc.getInputStream().readAllBytes());
        assertTrue(nvcc.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, nvcc.exitValue(), "nvcc failed:\n" + log);
        Process run = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        output = new String(run.getInputStream().readAllBytes()).lines().toList();
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue(), String.join("\n", output));
    }

    @Test
    void preprocessIsBitIdenticalToTheJavaTwin() {
        List<String> lines = output.stream().filter(l -> l.startsWith("preprocess ")).toList();
        assertEquals(256, lines.size());
        for (String l : lines) {
            String[] f = l.split(" ");
            int u = Integer.parseInt(f[1]);
            int bits = Integer.parseUnsignedInt(f[2], 16);
            assertEquals(Float.floatToIntBits(Preprocess.value(u)), bits, "byte " + u);
        }
    }

    @Test
    void concatIndexingMatchesTheJavaTwin() {
        // the same three parts (3, 1 and 4 channels over 6 pixels) through CpuOps.concat
        int pixels = 6;
        int[] channels = {3, 1, 4};
        float[] arena = new float[pixels * 8 * 2];
        int[] ins = new int[3];
        int at = 0;
        for (int k = 0; k < 3; k++) {
            ins[k] = at;
            for (int i = 0; i < pixels * channels[k]; i++) {
                arena[at + i] = k * 1000 + i;
            }
            at += pixels * channels[k];
        }
        CpuOps.concat(arena, ins, channels, pixels, arena, pixels * 8);
        float[] expected = java.util.Arrays.copyOfRange(arena, pixels * 8, pixels * 16);
        float[] actual = new float[pixels * 8];
        for (String l : output.stream().filter(l -> l.startsWith("concat ")).toList()) {
            String[] f = l.split(" ");
            actual[Integer.parseInt(f[1])] = Float.parseFloat(f[2]);
        }
        assertArrayEquals(expected, actual);
    }

    @Test
    void theBuildCompiledTheFatbin() throws Exception {
        Path props = Path.of("target/classes/dev/inception/kernels/kernels.properties");
        assertTrue(Files.readString(props).contains("status=built"), Files.readString(props));
        assertTrue(Files.size(Path.of("target/classes/dev/inception/kernels/inception_kernels.fatbin")) > 1000);
    }
}
