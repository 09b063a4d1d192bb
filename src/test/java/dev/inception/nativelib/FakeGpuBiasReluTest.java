package dev.inception.nativelib;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --bias-relu-kernel on the fake GPU's call log: every fused convolution becomes cudnnConvolutionForward followed at
 * once, on the same stream, by kernels/bias_relu.cu over exactly that convolution's output (its y pointer, its
 * pixels and channels as the convolution's descriptor states them, its pixels' stride), 8 halves per thread, each
 * with a bias of its own; with copy-free concatenation the kernel follows each strided output too, and where cuDNN
 * refuses those, it runs on the dense scratch before the copy into the slice.
 */
class FakeGpuBiasReluTest {

    @TempDir
    static Path tmp;

    static FakeGpu.Recording plain;
    static FakeGpu.Recording refused;

    @BeforeAll
    static void record() throws Exception {
        plain = FakeGpu.record(tmp, "bias-relu", Map.of(), "");
        refused = FakeGpu.record(tmp, "bias-relu", Map.of("FAKE_CUDNN_REFUSE_STRIDED", "1"), "-refused");
    }

    /** A convolution of the pass with the kernel launch after it. */
    record Pair(String conv, String launch) {
    }

    /** Each successful plain convolution ("on stream S workspace W B y Y" then "conv x ...") and the next launch. */
    static List<Pair> pairs(List<String> pass) {
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < pass.size(); i++) {
            if (pass.get(i).contains(" workspace ") && pass.get(i + 1).startsWith("conv x ")) {
                String launch = null;
                for (int j = i + 2; j < pass.size() && launch == null; j++) {
                    if (pass.get(j).startsWith("launch ")) {
                        launch = pass.get(j);
                    } else if (pass.get(j).contains(" workspace ")) {
                        break;   // another convolution first: this one had no kernel after it
                    }
                }
                pairs.add(new Pair(pass.get(i) + " | " + pass.get(i + 1), launch));
            }
        }
        return pairs;
    }

    static String field(String line, String name) {
        String[] f = line.split(" ");
        for (int i = 0; i < f.length - 1; i++) {
            if (f[i].equals(name)) {
                return f[i + 1];
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }

    /** The convolution's output: "y fmt type n c h w [strides N C H W]" after the conv's "algo A". */
    static long[] outputDims(String conv) {
        String[] f = conv.substring(conv.indexOf(" algo ")).split(" ");
        int y = java.util.Arrays.asList(f).indexOf("y");
        long[] d = {Long.parseLong(f[y + 3]), Long.parseLong(f[y + 4]), Long.parseLong(f[y + 5]),
            Long.parseLong(f[y + 6]), -1};
        int strides = java.util.Arrays.asList(f).indexOf("strides");
        d[4] = strides < 0 ? d[1] : Long.parseLong(f[strides + 4]);   // the pixel stride: W's stride, or channels
        return d;
    }

    @Test
    void everyFusedConvolutionIsAPlainOneAndTheKernelOverItsOutput() {
        assertEquals(94, plain.between("begin fused", "end fused").stream()
                .filter(l -> l.startsWith("conv+bias+relu")).count());
        List<String> pass = plain.between("begin kernel", "end kernel");
        assertEquals(0, pass.stream().filter(l -> l.startsWith("conv+bias+relu")).count());
        List<Pair> pairs = pairs(pass);
        assertEquals(94, pairs.size());
        Set<String> biases = new HashSet<>();
        for (Pair p : pairs) {
            assertTrue(p.launch() != null && p.launch().startsWith("launch bias_relu_nhwc_f16x8 "), p.toString());
            assertEquals(field(p.conv(), "y"), field(p.launch(), "y"), p.toString());
            assertEquals(field(p.conv(), "stream"), field(p.launch(), "stream"), p.toString());
            long[] d = outputDims(p.conv());
            assertEquals(String.valueOf(d[1]), field(p.launch(), "channels"), p.toString());
            assertEquals(String.valueOf(d[4]), field(p.launch(), "stride"), p.toString());
            assertEquals(String.valueOf(d[0] * d[1] * d[2] * d[3] / 8), field(p.launch(), "n"), p.toString());
            biases.add(field(p.launch(), "bias"));
        }
        assertEquals(94, biases.size(), "one bias per convolution");
        assertTrue(plain.probe().out().stream().anyMatch(l -> l.startsWith("kernel gpu:")
                && l.contains("bias + ReLU by kernel")), plain.probe().text());
        assertTrue(plain.probe().out().contains("kernel fallbacks=0"), plain.probe().text());
    }

    @Test
    void copyFreeSlicesGetTheKernelOverTheSliceOrOverTheDetoursScratch() {
        List<Pair> slices = pairs(plain.between("begin copyfree", "end copyfree"));
        assertEquals(94, slices.size());
        long strided = slices.stream().filter(p -> p.conv().contains(" strides ")).count();
        assertTrue(strided > 40, strided + " convolutions into slices");
        for (Pair p : slices) {
            assertEquals(field(p.conv(), "y"), field(p.launch(), "y"), p.toString());
            assertEquals(String.valueOf(outputDims(p.conv())[4]), field(p.launch(), "stride"), p.toString());
        }
        // refused strided outputs: the refused call, then the dense one into the scratch, the kernel over the
        // scratch (dense stride), then the concat kernel's copy into the slice
        List<String> pass = refused.between("begin copyfree", "end copyfree");
        List<Pair> dense = pairs(pass).stream().filter(p -> p.conv().contains(" strides ")).toList();
        assertTrue(dense.stream().allMatch(p -> p.launch() == null || !p.launch().contains("bias_relu")),
                "no kernel after a refused strided call");
        long detours = 0;
        for (int i = 0; i < pass.size(); i++) {
            if (pass.get(i).startsWith("launch bias_relu") && i + 1 < pass.size()
                    && pass.get(i + 1).startsWith("launch concat_nhwc_")) {
                assertEquals(field(pass.get(i), "y"), field(pass.get(i + 1), "src"), pass.get(i));
                assertEquals(field(pass.get(i), "channels"), field(pass.get(i), "stride"), "dense: " + pass.get(i));
                detours++;
            }
        }
        assertEquals(strided, detours, "every slice took the detour, with the kernel before its copy");
    }
}
