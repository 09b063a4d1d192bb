package dev.inception.kernels;

import dev.inception.cpu.CpuOps;
import dev.inception.image.Interpolation;
import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;
import dev.inception.model.Padding;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Window;
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
     * One pooling case of kernel_host_test.cu's pool_cases(), in its order: input batch x height x width x 8
     * channels, a 3x3 window with Keras's padding, and where the output goes (a dense tensor, or channels
     * [offset, offset + 8) of pixels that are outStride wide).
     */
    record PoolCase(PoolMode mode, int batch, int height, int width, int stride, Padding padding, int nanAt,
                    int outStride, int outOffset) {
    }

    static final List<PoolCase> POOL_CASES = List.of(
            new PoolCase(PoolMode.AVERAGE, 2, 5, 4, 1, Padding.SAME, -1, 8, 0),
            new PoolCase(PoolMode.MAX, 2, 7, 7, 2, Padding.VALID, 7 * 8 + 8 + 3, 8, 0),
            new PoolCase(PoolMode.AVERAGE, 1, 6, 6, 2, Padding.SAME, -1, 8, 0),
            new PoolCase(PoolMode.MAX, 1, 6, 6, 2, Padding.SAME, -1, 8, 0),
            new PoolCase(PoolMode.AVERAGE, 2, 5, 4, 1, Padding.SAME, -1, 16, 4));

    /**
     * kernels/pooling.cu against CpuOps.pool: bit for bit in float32, with one and with four channels per thread,
     * for 'same' average pooling (padding excluded from the count), 'valid' max pooling with a NaN in a window,
     * stride-2 'same' windows (padding after only) and an output that is a channel slice of a wider tensor.
     */
    @Test
    void poolingIsBitIdenticalToTheJavaTwin() {
        for (int id = 0; id < POOL_CASES.size(); id++) {
            PoolCase c = POOL_CASES.get(id);
            int channels = 8;
            float[] x = new float[c.batch() * c.height() * c.width() * channels];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) ((i * 37L) % 101 - 50) / 7.0f;
            }
            if (c.nanAt() >= 0) {
                x[c.nanAt()] = Float.NaN;
            }
            Window win = Window.of(Shape.of(c.height(), c.width(), channels), 3, 3, c.stride(), c.stride(),
                    c.padding());
            int pixels = c.batch() * win.outHeight(c.height()) * win.outWidth(c.width());
            float[] dense = new float[pixels * channels];
            CpuOps.pool(c.mode(), x, 0, new CpuOps.Dims(c.batch(), c.height(), c.width(), channels), win, dense, 0);
            float[] expected = new float[pixels * c.outStride()];
            java.util.Arrays.fill(expected, -1f);
            for (int p = 0; p < pixels; p++) {
                System.arraycopy(dense, p * channels, expected, p * c.outStride() + c.outOffset(), channels);
            }
            boolean nanOut = false;
            for (float v : expected) {
                nanOut |= Float.isNaN(v);
            }
            assertEquals(c.nanAt() >= 0, nanOut, "a NaN in a window gives a NaN: " + c);
            for (int lanes : new int[] {1, 4}) {
                assertSameBits(expected, "pool " + id + " " + lanes + " ", c.toString());
            }
        }
    }

    /**
     * The host program's lines "PREFIX INDEX BITS" (float bits in hex), one per element of expected, against it bit
     * for bit; a NaN's payload is the compiler's, so there only being a NaN counts.
     */
    static void assertSameBits(float[] expected, String prefix, String what) {
        List<String> lines = output.stream().filter(l -> l.startsWith(prefix)).toList();
        assertEquals(expected.length, lines.size(), prefix + "elements");
        for (String l : lines) {
            String[] f = l.substring(prefix.length()).split(" ");
            int i = Integer.parseInt(f[0]);
            float actual = Float.intBitsToFloat(Integer.parseUnsignedInt(f[1], 16));
            assertTrue(Float.isNaN(expected[i]) ? Float.isNaN(actual)
                    : Float.floatToIntBits(expected[i]) == Float.floatToIntBits(actual),
                    l + ": expected " + expected[i] + " (" + what + ")");
        }
    }

    /** kernel_host_test.cu's resize_cases(): {batch, source width, source height, width, height}. */
    static final int[][] RESIZE_CASES = {{2, 7, 5, 4, 3}, {1, 3, 2, 5, 4}, {1, 5, 9, 5, 2}, {1, 40, 6, 3, 5}};

    /**
     * kernels/resize.cu's index arithmetic (with tables from PIL's mapping, computed by the C++ side on its own) against
     * image.Resize.nearest as the host packs a batch: each source byte holds its own index (where the case has at most
     * 256 source bytes), so the host-resized batch holds, at each output index, the source index the kernel must read.
     */
    @Test
    void resizeReadsTheSourcesNearestResizingReads() {
        for (int k = 0; k < RESIZE_CASES.length; k++) {
            int[] c = RESIZE_CASES[k];
            if (c[0] * c[1] * c[2] * 3 <= 256) {
                assertResizeCase(k, i -> i, Interpolation.NEAREST, "resize ");
            }
        }
    }

    /**
     * kernels/resize.cu's bilinear value (with PIL's coefficients computed by the C++ side on its own) against
     * image.Resize.bilinear (checked against Pillow by ResizePilTest), byte for byte, on source bytes (i * 37 + 11) mod
     * 256 of the packed batch: shrinking (about 27 taps a column), enlarging, and one direction left as it is.
     */
    @Test
    void bilinearResizeIsByteIdenticalToTheHostsResizing() {
        for (int k = 0; k < RESIZE_CASES.length; k++) {
            assertResizeCase(k, i -> (i * 37 + 11) % 256, Interpolation.BILINEAR, "bilinear ");
        }
    }

    /**
     * Case k of RESIZE_CASES, its packed source byte i being source(i) mod 256, resized on the host: each of the host
     * program's lines "PREFIX k INDEX VALUE" must hold the byte the host's resizing puts at INDEX.
     */
    private static void assertResizeCase(int k, java.util.function.LongUnaryOperator source, Interpolation how,
                                         String prefix) {
        int[] c = RESIZE_CASES[k];
        int per = c[1] * c[2] * 3;
        List<RgbImage> images = new java.util.ArrayList<>();
        for (int b = 0; b < c[0]; b++) {
            byte[] px = new byte[per];
            for (int i = 0; i < per; i++) {
                px[i] = (byte) source.applyAsLong((long) b * per + i);
            }
            images.add(new RgbImage(c[1], c[2], px));
        }
        byte[] expected = Preprocess.packBytes(images, c[4], c[3], how);
        String at = prefix + k + " ";
        List<String> lines = output.stream().filter(l -> l.startsWith(at)).toList();
        assertEquals(expected.length, lines.size(), at + "elements");
        for (String l : lines) {
            String[] f = l.substring(at.length()).split(" ");
            assertEquals(expected[Integer.parseInt(f[0])] & 0xff, Integer.parseInt(f[1]), l);
        }
    }

    /**
     * kernels/bias_relu.cu against the reference's epilogue (the bias added in float32, then CpuOps.relu), bit for bit
     * in float32, with one and with four channels per thread, in place over a channel slice: a NaN stays a NaN, -0
     * plus a negative bias becomes 0, and the channels outside the slice do not change.
     */
    @Test
    void biasReluIsBitIdenticalToTheReferencesEpilogue() {
        float[] expected = new float[3 * 16];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) ((i * 37L) % 101 - 50) / 7.0f;
        }
        expected[21] = Float.NaN;
        expected[22] = -0.0f;
        for (int p = 0; p < 3; p++) {
            float[] biased = new float[8];
            for (int c = 0; c < 8; c++) {
                biased[c] = expected[p * 16 + 4 + c] + (float) (c - 4) * 0.75f;
            }
            CpuOps.relu(biased, 0, 8, expected, p * 16 + 4);
        }
        assertTrue(Float.isNaN(expected[21]) && expected[22] == 0f && expected[0] < 0f, "the case covers them");
        for (int lanes : new int[] {1, 4}) {
            assertSameBits(expected, "bias " + lanes + " ", "bias + ReLU");
        }
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
            // every function the module resolves when it loads is in the fatbin (a missing one would fail
            // cuModuleGetFunction and take the whole GPU backend down); and the kernels the build found in the
            // sources it compiled are exactly those the module resolves: none missing, none without a caller
            String bytes = new String(Files.readAllBytes(fatbin), java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String name : dev.inception.gpu.KernelModule.functionNames()) {
                assertTrue(bytes.contains(name + "\0"), name + " is not in the fatbin");
            }
            java.util.Properties p = new java.util.Properties();
            try (java.io.Reader r = Files.newBufferedReader(props)) {
                p.load(r);
            }
            assertEquals(dev.inception.gpu.KernelModule.functionNames(),
                    new java.util.TreeSet<>(List.of(p.getProperty("functions").split(","))));
        } else {
            assertTrue(Files.readString(props).contains("status=missing-nvcc"), Files.readString(props));
            assertTrue(!Files.exists(fatbin), "a fatbin without nvcc?");
        }
    }
}
