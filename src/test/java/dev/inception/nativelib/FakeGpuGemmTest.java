package dev.inception.nativelib;

import dev.inception.model.InceptionV3;
import dev.inception.model.Shape;
import dev.inception.plan.ConcatPlacement;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.inception.nativelib.FakeGpuBiasReluTest.field;
import static dev.inception.nativelib.FakeGpuEnginesTest.count;
import static dev.inception.nativelib.FakeGpuEnginesTest.relative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --gemm-1x1 on the fake GPU's call log (fp16, fused plan, batch 2, branch streams on): every 1x1 convolution of a
 * pass becomes one cuBLAS GEMM whose dimensions and leading dimensions are those of the plan's tensors (checked
 * against the plan here, not against the executor's arithmetic), writing where the legacy call wrote (the legacy
 * pass's output pointers, recorded by the same fake, are the independent check), on the stream the legacy call ran
 * on, and followed at once by the bias + ReLU kernel over that output; with copy-free concatenation a slice's GEMM
 * writes it with the block output's pixel stride. The GEMMs are timed once per geometry at open and win only when
 * faster than cudnnFind's time for the legacy algorithm (0.5 ms in the fake); a GEMM cuBLAS refuses at run time
 * falls back to the legacy call, reported; one refused while timing is never chosen.
 */
class FakeGpuGemmTest {

    @TempDir
    static Path tmp;

    /** 0.3 ms for three timed runs' events: 0.1 ms each, faster than the legacy algorithm's 0.5 ms. */
    static FakeGpu.Recording faster;

    static final Plan PLAN = plan(ConcatPlacement.COPY);

    static final int BATCH = 2;

    /** cudaDataType_t's CUDA_R_16F and CUDA_R_32F, cublasComputeType_t's CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT. */
    static final int R_16F = 2;
    static final int R_32F = 0;
    static final int COMPUTE_32F = 68;
    static final int GEMM_DEFAULT = -1;

    @BeforeAll
    static void record() throws Exception {
        faster = FakeGpu.record(tmp, "gemm", Map.of("FAKE_CUDA_ELAPSED_MS", "0.3"), "-faster");
    }

    static Plan plan(ConcatPlacement concats) {
        return Planner.lower(InceptionV3.build(), Lowering.FUSED, List.of(), concats, true);
    }

    /** The plan's 1x1 stride-1 convolutions, in step order. */
    static List<Step.Conv> oneByOnes(Plan plan) {
        return plan.steps().stream().filter(s -> s instanceof Step.Conv c && c.window().rows() == 1
                && c.window().cols() == 1 && c.window().strideRows() == 1 && c.window().strideCols() == 1)
                .map(s -> (Step.Conv) s).toList();
    }

    /**
     * The GEMM line cuBLAS's documentation asks for a 1x1 convolution of NHWC tensors, from the plan's shapes: C (k x
     * pixels) = A^T B with A the KRSC filter (cin x k, lda cin), B the input's pixels (ldb: its pixel stride), C the
     * output's pixels (ldc: its pixel stride, the block output's channels for a slice).
     */
    static String expectedGemm(Plan plan, Step.Conv c, int type) {
        Shape in = plan.tensor(c.input()).shape();
        var out = plan.tensor(c.output());
        int ldc = out.isSlice() ? plan.tensor(out.slice().parent()).shape().channels() : c.filters();
        return "gemmEx 1 0 m " + c.filters() + " n " + BATCH * in.height() * in.width() + " k " + in.channels()
                + " a " + type + " lda " + in.channels() + " b " + type + " ldb " + in.channels() + " c " + type
                + " ldc " + ldc + " compute " + COMPUTE_32F + " algo " + GEMM_DEFAULT;
    }

    /** The transposed-A GEMM lines of a pass (the Dense layer's is not transposed). */
    static List<String> gemms(List<String> pass) {
        return pass.stream().filter(l -> l.startsWith("gemmEx 1 0 ")).toList();
    }

    /**
     * Each convolution's output pointer and stream, in pass order: a cuDNN call's "on stream S workspace W B y Y", or
     * a GEMM's "cublas on stream S a A b B c C".
     */
    static List<String> convOutputs(List<String> pass) {
        List<String> streams = new ArrayList<>();
        List<Long> ys = new ArrayList<>();
        for (String l : pass) {
            if (l.startsWith("on stream ") && l.contains(" workspace ")) {
                streams.add(field(l, "stream"));
                ys.add(Long.parseUnsignedLong(field(l, "y")));
            } else if (l.startsWith("cublas on stream ") && gemmBefore(pass, l)) {
                streams.add(field(l, "stream"));
                ys.add(Long.parseUnsignedLong(field(l, "c")));
            }
        }
        List<Long> rel = relative(ys);
        int first = streams.stream().mapToInt(Integer::parseInt).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ys.size(); i++) {
            out.add("y +" + rel.get(i) + " stream +" + (Integer.parseInt(streams.get(i)) - first));
        }
        return out;
    }

    /** Whether the cuBLAS line follows a transposed GEMM (a 1x1 convolution's, not the Dense layer's). */
    private static boolean gemmBefore(List<String> pass, String cublasLine) {
        int i = pass.indexOf(cublasLine);
        return i > 0 && pass.get(i - 1).startsWith("gemmEx 1 0 ");
    }

    @Test
    void everyOneByOneConvolutionIsAGemmOverThePlansTensorsWritingWhereTheLegacyCallWrote() {
        List<Step.Conv> ones = oneByOnes(PLAN);
        assertEquals(40, ones.size());
        List<String> legacy = faster.between("begin legacy", "end legacy");
        List<String> pass = faster.between("begin gemm", "end gemm");
        assertEquals(94, count(legacy, "conv+bias+relu"));
        assertEquals(94 - 40, count(pass, "conv+bias+relu"), "the other convolutions stay cuDNN's");
        assertEquals(ones.stream().map(c -> expectedGemm(PLAN, c, R_16F)).toList(), gemms(pass));
        // each convolution writes the legacy call's output, on the legacy call's stream (its branch's lane)
        assertEquals(convOutputs(legacy), convOutputs(pass));
        assertTrue(faster.probe().out().contains("fallbacks=0"), faster.probe().text());
        assertTrue(faster.probe().out().contains("describe=batch 2: 1x1 convolutions as cuBLAS GEMMs: 40 of 40 (0"
                + " kept cuDNN's, faster; 0 refused by cuBLAS)"), faster.probe().text());
        assertTrue(faster.probe().out().stream().anyMatch(l -> l.startsWith("describe=conv2d_6 (batch 2):"
                + " cublasGemmEx 64x2450x192 (1x1 as GEMM) + kernel bias_relu")), faster.probe().text());
        assertTrue(faster.probe().out().contains("profile=cublas cublasGemmEx 64x1225x192 (1x1 as GEMM) + kernel"
                + " bias_relu"), faster.probe().text());
    }

    @Test
    void theBiasReluKernelFollowsEachGemmOverItsOutputOnItsStream() {
        List<String> pass = faster.between("begin gemm", "end gemm");
        int checked = 0;
        for (int i = 0; i < pass.size(); i++) {
            if (!pass.get(i).startsWith("gemmEx 1 0 ")) {
                continue;
            }
            String gemm = pass.get(i);
            String operands = pass.get(i + 1);
            String launch = pass.get(i + 2);
            assertTrue(launch.startsWith("launch bias_relu_nhwc_f16x8 "), gemm + " | " + launch);
            assertEquals(field(operands, "c"), field(launch, "y"), launch);
            assertEquals(field(operands, "stream"), field(launch, "stream"), launch);
            assertEquals(field(gemm, "m"), field(launch, "channels"), launch);
            assertEquals(field(gemm, "ldc"), field(launch, "stride"), launch);
            long pixels = Long.parseLong(field(gemm, "n"));
            assertEquals(String.valueOf(pixels * Long.parseLong(field(gemm, "m")) / 8), field(launch, "n"), launch);
            checked++;
        }
        assertEquals(40, checked);
    }

    @Test
    void copyFreeSlicesAreWrittenWithTheBlockOutputsPixelStride() {
        Plan inPlace = plan(ConcatPlacement.IN_PLACE);
        List<Step.Conv> ones = oneByOnes(inPlace);
        List<String> pass = faster.between("begin copyfree", "end copyfree");
        assertEquals(ones.stream().map(c -> expectedGemm(inPlace, c, R_16F)).toList(), gemms(pass));
        long slices = ones.stream().filter(c -> inPlace.tensor(c.output()).isSlice()).count();
        assertTrue(slices >= 10, slices + " GEMMs into slices");
        assertEquals(0, count(pass, "launch concat_nhwc_"), "copy-free: nothing copied");
    }

    @Test
    void fp32GemmsAreFloat32Throughout() {
        List<String> pass = faster.between("begin fp32", "end fp32");
        assertEquals(oneByOnes(PLAN).stream().map(c -> expectedGemm(PLAN, c, R_32F)).toList(), gemms(pass));
    }

    @Test
    void gemmsAreTimedAtOpenOncePerGeometryAndEveryHandleIsDestroyed() {
        List<String> open = faster.between("begin open", "end open");
        long geometries = oneByOnes(PLAN).stream().map(c -> expectedGemm(PLAN, c, R_16F)).distinct().count();
        assertTrue(geometries > 10 && geometries < 40, "geometries " + geometries);
        // one warm-up and three timed runs per distinct geometry, each with its kernel
        assertEquals(geometries * 4, gemms(open).size());
        assertEquals(geometries * 4, count(open, "launch bias_relu_nhwc_"));
        assertTrue(faster.probe().out().contains("fake-gpu: live cublas_handles 0"), faster.probe().text());
    }

    @Test
    void aGemmNoFasterThanTheLegacyAlgorithmIsNotUsed() throws Exception {
        // 2.1 ms for three runs' events: 0.7 ms each, slower than cudnnFind's 0.5 ms for the legacy algorithm
        FakeGpu.Recording slow = FakeGpu.record(tmp, "gemm", Map.of("FAKE_CUDA_ELAPSED_MS", "2.1"), "-slow");
        List<String> pass = slow.between("begin gemm", "end gemm");
        assertEquals(0, gemms(pass).size());
        assertEquals(94, count(pass, "conv+bias+relu"));
        assertTrue(slow.probe().out().contains("describe=batch 2: 1x1 convolutions as cuBLAS GEMMs: 0 of 40 (40"
                + " kept cuDNN's, faster; 0 refused by cuBLAS)"), slow.probe().text());
    }

    @Test
    void withTheAlwaysPropertyEveryOneByOneConvolutionIsAGemmEvenWhenSlower() throws Exception {
        FakeGpu.Recording slow = FakeGpu.record(tmp, "gemm", Map.of("FAKE_CUDA_ELAPSED_MS", "2.1",
                "PROBE_GEMM_ALWAYS", "1"), "-always");
        assertEquals(oneByOnes(PLAN).stream().map(c -> expectedGemm(PLAN, c, R_16F)).toList(),
                gemms(slow.between("begin gemm", "end gemm")));
        assertTrue(slow.probe().out().contains("describe=batch 2: 1x1 convolutions as cuBLAS GEMMs: 40 of 40 (0"
                + " kept cuDNN's, faster; 0 refused by cuBLAS)"), slow.probe().text());
    }

    @Test
    void aGemmRefusedAtRunTimeFallsBackToTheLegacyCallReportedOnce() throws Exception {
        Path status = tmp.resolve("gemm-status-after-open");
        FakeGpu.Recording r = FakeGpu.record(tmp, "gemm", Map.of("FAKE_CUDA_ELAPSED_MS", "0.3",
                "FAKE_CUBLAS_GEMM_STATUS_FILE", status.toString(), "PROBE_REFUSE_AFTER_OPEN", "1"), "-refused");
        // the first pass: each GEMM refused, then at once the legacy call, with no kernel after the refused GEMM
        List<String> first = r.between("end open", "begin gemm");
        assertEquals(40, gemms(first).size());
        for (int i = 0; i < first.size(); i++) {
            if (first.get(i).startsWith("gemmEx 1 0 ")) {
                assertTrue(first.get(i + 2).startsWith("on stream ") && first.get(i + 3).startsWith("conv+bias+relu"),
                        first.get(i + 2) + " | " + first.get(i + 3));
            }
        }
        assertEquals(94, count(first, "conv+bias+relu"));
        // from then on the legacy call only: the refusal is not tried again
        List<String> pass = r.between("begin gemm", "end gemm");
        assertEquals(94, count(pass, "conv+bias+relu"), "every 1x1 convolution on its legacy call again");
        assertEquals(0, gemms(pass).size());
        assertTrue(r.probe().out().contains("fallbacks=40"), r.probe().text());
        assertTrue(r.probe().out().stream().anyMatch(l -> l.startsWith("first fallback=")
                && l.contains("cublasGemmEx (1x1 convolution as a GEMM)") && l.contains("CUBLAS_STATUS_NOT_SUPPORTED")),
                r.probe().text());
    }

    @Test
    void aGemmRefusedWhileTimedIsNeverChosen() throws Exception {
        Path status = Files.writeString(tmp.resolve("gemm-status-always"), "15");
        FakeGpu.Recording r = FakeGpu.record(tmp, "gemm", Map.of("FAKE_CUDA_ELAPSED_MS", "0.3",
                "FAKE_CUBLAS_GEMM_STATUS_FILE", status.toString()), "-refused-always");
        List<String> open = r.between("begin open", "end open");
        assertEquals(0, count(open, "launch bias_relu_nhwc_"), "no kernel after a refused GEMM, no timed runs");
        assertEquals(0, gemms(r.between("begin gemm", "end gemm")).size());
        assertTrue(r.probe().out().contains("fallbacks=0"), r.probe().text());
        assertTrue(r.probe().out().contains("describe=batch 2: 1x1 convolutions as cuBLAS GEMMs: 0 of 40 (0"
                + " kept cuDNN's, faster; 40 refused by cuBLAS)"), r.probe().text());
    }
}
