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
 * The CUDA kernels' element functions, compiled into a host program (native-tests/kernels/kernel_host_test.cu) and
 * run on the CPU, against the Java twins. g++ compiles it everywhere (kernels/common.cuh gives a plain C++ compiler
 * stand-ins for the CUDA keywords), so no CUDA toolkit is needed; where nvcc exists (or NVCC names one; NVCC=none
 * means none) nvcc compiles it too and both programs must print the same. Also checks what the build said about
 * the fatbin.
 */
class KernelElementsTest {

    @TempDir
    static Path tmp;

    static List<String> output;

    /** nvcc as build-kernels.sh finds it, or null. */
    static String nvcc() {
        String env = System.getenv("NVCC");
        if (env != null && !env.isBlank()) {
            return env.equals("none") ? null : env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "nvcc"))) {
                return Path.of(dir, "nvcc").toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc")) ? "/usr/local/cuda/bin/nvcc" : null;
    }

    static List<String> compileAndRun(String name, String... compiler) throws Exception {
        return compileAndRunSource(name, "native-tests/kernels/kernel_host_test.cu", compiler);
    }

    static List<String> compileAndRunSource(String name, String source, String... compiler) throws Exception {
        Path exe = tmp.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of(compiler));
        cmd.addAll(List.of("-o", exe.toString(), source));
        Process c = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(c.getInputStream().readAllBytes());
        assertTrue(c.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, c.exitValue(), String.join(" ", cmd) + " failed:\n" + log);
        Process run = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        List<String> out = new String(run.getInputStream().readAllBytes()).lines().toList();
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue(), String.join("\n", out));
        return out;
    }

    @BeforeAll
    static void compileAndRun() throws Exception {
        output = compileAndRun("with-gxx", "g++", "-std=c++17", "-x", "c++", "-Wall", "-Wextra", "-Werror");
        String nvcc = nvcc();
        if (nvcc != null) {
            List<String> fromNvcc = compileAndRun("with-nvcc", nvcc, "-std=c++17", "--Werror", "all-warnings");
            assertEquals(output, fromNvcc, "nvcc's host build prints something else than g++'s");
        } else {
            System.out.println("[kernels] no nvcc here: the element functions were compiled by g++ only");
        }
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

    /**
     * CUDA's own conversions (__float2half_rn, __float2bfloat16_rn: what the preprocess kernels call), run on the
     * host, against HalfFloats (which converts weights and float inputs): every preprocessed byte value, special
     * values and 20,000 float bit patterns give the same bits. Needs nvcc for the CUDA headers (CI has it).
     */
    @Test
    void cudaHalfConversionsAgreeWithHalfFloats() throws Exception {
        String nvcc = nvcc();
        org.junit.jupiter.api.Assumptions.assumeTrue(nvcc != null, "needs nvcc for cuda_fp16.h and cuda_bf16.h");
        List<String> lines = compileAndRunSource("half-with-nvcc", "native-tests/kernels/half_host_test.cu", nvcc,
                "-std=c++17", "--Werror", "all-warnings");
        assertTrue(lines.size() > 20_000, lines.size() + " lines");
        for (String l : lines) {
            String[] f = l.split(" ");
            float v = Float.intBitsToFloat(Integer.parseUnsignedInt(f[1], 16));
            assertEquals(f[2], String.format("%04x", dev.inception.gpu.HalfFloats.toFp16(v) & 0xffff), "fp16 of " + l);
            assertEquals(f[3], String.format("%04x", dev.inception.gpu.HalfFloats.toBf16(v) & 0xffff), "bf16 of " + l);
        }
    }

    /** With nvcc the build made the fatbin; without, it says so (and the GPU backend will name the cause). */
    @Test
    void theBuildReportsTheFatbinTruthfully() throws Exception {
        Path props = Path.of("target/classes/dev/inception/kernels/kernels.properties");
        Path fatbin = Path.of("target/classes/dev/inception/kernels/inception_kernels.fatbin");
        if (nvcc() != null) {
            assertTrue(Files.readString(props).contains("status=built"), Files.readString(props));
            assertTrue(Files.size(fatbin) > 1000);
        } else {
            assertTrue(Files.readString(props).contains("status=missing-nvcc"), Files.readString(props));
            assertTrue(!Files.exists(fatbin), "a fatbin without nvcc?");
        }
    }
}
