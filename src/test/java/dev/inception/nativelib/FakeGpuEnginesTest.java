package dev.inception.nativelib;

import dev.inception.gpu.CudnnGeometry;
import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --cudnn-engines on the fake GPU (src/test/c/fake_gpu.c's backend API: a heuristic ranking three engine
 * configurations, rank r on engine 10 + r with r + 1 MiB of workspace): every fused convolution of a pass runs
 * the plan that won the timing, bound to the same tensors the legacy call uses (the legacy pass's output pointers,
 * recorded by the same fake, are the independent check), once a plan is timed faster than cudnnFind's time for the
 * legacy algorithm (0.5 ms in the fake) and never when it is not; the plans are timed once per process; a plan that
 * does not finalize is passed over; a plan refused at run time falls back to the legacy call, reported; a captured
 * pass holds the plans' executes; fp32 never uses them; every descriptor is destroyed.
 */
class FakeGpuEnginesTest {

    @TempDir
    static Path tmp;

    /** 0.3 ms for 1 + 3 timed runs: 0.1 ms each, faster than the legacy algorithm's 0.5 ms. */
    static FakeGpu.Recording faster;

    static final dev.inception.plan.Plan PLAN = Planner.lower(InceptionV3.build(), Lowering.FUSED);

    static final List<Step.Conv> FUSED_CONVS = PLAN.steps().stream()
            .filter(s -> s instanceof Step.Conv c && c.foldedBn() != null).map(s -> (Step.Conv) s).toList();

    static final int FUSED = FUSED_CONVS.size();

    /** InceptionV3's distinct convolution geometries at batch 2: what the timing is done once for. */
    static final int GEOMETRIES = (int) FUSED_CONVS.stream()
            .map(c -> CudnnGeometry.conv(c, PLAN.tensor(c.input()).shape(), 2)).distinct().count();

    @BeforeAll
    static void record() throws Exception {
        faster = recordFaster("-faster");
    }

    /**
     * The engines probe with the plans timed faster than the legacy algorithm (0.3 ms for one warm-up and three
     * runs' events) and these fake settings (name, value, ...); label names its log.
     */
    static FakeGpu.Recording recordFaster(String label, String... settings) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("FAKE_CUDA_ELAPSED_MS", "0.3"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return FakeGpu.record(tmp, "engines", env, label);
    }

    static long count(List<String> lines, String part) {
        return lines.stream().filter(l -> l.contains(part)).count();
    }

    /** Each convolution's y pointer in a pass, in order: "... y Y" of the legacy call's workspace line or execute. */
    static List<Long> outputs(List<String> pass, String marker) {
        List<Long> ys = new java.util.ArrayList<>();
        for (String l : pass) {
            if (l.contains(marker)) {
                String[] f = l.split(" ");
                for (int i = 0; i < f.length - 1; i++) {
                    if (f[i].equals("y")) {
                        ys.add(Long.parseUnsignedLong(f[i + 1]));
                    }
                }
            }
        }
        return ys;
    }

    @Test
    void everyFusedConvolutionRunsTheWinningPlanOnTheLegacyCallsTensors() {
        assertEquals(94, FUSED);
        List<String> legacy = faster.between("begin legacy", "end legacy");
        List<String> engines = faster.between("begin engines", "end engines");
        assertEquals(FUSED, count(legacy, "conv+bias+relu"));
        assertEquals(FUSED, count(engines, "backend execute engine 10 "), String.join("\n", engines));
        assertEquals(0, count(engines, "conv+bias+relu"));
        // the same arena slots in the same order; the two engines' arenas are two allocations: offsets from the first
        List<Long> legacyOutputs = relative(outputs(legacy, " workspace "));
        assertEquals(FUSED, legacyOutputs.size());
        assertEquals(legacyOutputs, relative(outputs(engines, "backend execute")));
        // each convolution on the stream and workspace slice its legacy call used (branch streams: one per lane)
        assertEquals(lanes(legacy, " workspace "), lanes(engines, "backend execute"));
        assertTrue(faster.probe().out().stream().anyMatch(l -> l.startsWith("choice=conv2d_1 (batch 2)")
                && l.contains("backend engine 10 (heuristic rank 0 of 3)")), faster.probe().text());
        assertTrue(faster.probe().out().contains("fallbacks=0"), faster.probe().text());
        assertSearch(faster, "94 of 94 fused convolutions (0 of them the convolution alone + kernel bias_relu; 0 kept"
                + " the legacy algorithm, faster; 0 had no plan that runs; 0 plans refused to finalize)");
    }

    /**
     * Each convolution's stream and workspace, in order ("on stream S ... workspace W"), both relative to the lowest
     * in the pass: two engines number their streams and place their workspaces apart.
     */
    static List<String> lanes(List<String> pass, String marker) {
        List<String[]> lines = pass.stream().filter(l -> l.contains(marker) && l.startsWith("on stream "))
                .map(l -> l.split(" ")).toList();
        List<Long> ws = lines.stream().map(f -> Long.parseUnsignedLong(f[java.util.Arrays.asList(f)
                .indexOf("workspace") + 1])).toList();
        long lowest = ws.stream().mapToLong(Long::longValue).min().orElse(0);
        int first = lines.stream().mapToInt(f -> Integer.parseInt(f[2])).min().orElse(0);
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            out.add("stream +" + (Integer.parseInt(lines.get(i)[2]) - first) + " workspace +" + (ws.get(i) - lowest));
        }
        return out;
    }

    /** The engines' marked pass ran every fused convolution as cuDNN's legacy fused call, and no plan. */
    static void assertEveryConvolutionIsLegacy(FakeGpu.Recording r) {
        List<String> engines = r.between("begin engines", "end engines");
        assertEquals(0, count(engines, "backend execute"));
        assertEquals(FUSED, count(engines, "conv+bias+relu"));
    }

    /** The probe printed --verbose's summary of the plan search at batch 2, starting with this. */
    static void assertSearch(FakeGpu.Recording r, String start) {
        assertTrue(r.probe().out().stream().anyMatch(l -> l.startsWith("search=batch 2: backend plans for " + start)),
                r.probe().text());
    }

    static List<Long> relative(List<Long> pointers) {
        return pointers.stream().map(p -> p - pointers.get(0)).toList();
    }

    @Test
    void plansAreTimedAtOpenOncePerGeometryAndProcessAndCapturedWithThePass() {
        List<String> open = faster.between("begin open", "end open");
        // two plans of each form per distinct geometry (a decision is reused by every convolution of its
        // geometry), each one warm-up and three timed runs; the convolution-alone form's with the kernel after each
        assertTrue(GEOMETRIES > 20 && GEOMETRIES < FUSED, "geometries " + GEOMETRIES);
        assertEquals(GEOMETRIES * 2 * 2 * 4, count(open, "backend execute"), "executes while timing");
        assertEquals(GEOMETRIES * 2 * 4, count(open, "backend execute engine 1") - count(open, " ops 3 "));
        assertEquals(GEOMETRIES * 2 * 4, count(open, "launch bias_relu_nhwc_"), "the kernel after each");
        List<String> remembered = faster.between("begin remembered open", "end remembered open");
        assertEquals(0, count(remembered, "backend execute"), "a second engine times nothing");
        List<String> capture = faster.between("begin capture", "end capture");
        assertEquals(FUSED, count(capture, "backend execute engine 10 "));
        assertEquals(0, count(capture, "illegal during capture"), String.join("\n", capture));
        List<String> replay = faster.between("end capture", "end replay");
        assertEquals(0, count(replay, "backend execute"));
        assertEquals(1, count(replay, "graph launch"));
        assertEquals(0, count(faster.between("begin fp32", "end fp32"), "backend execute"));
        assertTrue(faster.probe().out().contains("fake-gpu: live descriptors 0"), faster.probe().text());
        assertTrue(faster.probe().out().contains("ok"), faster.probe().text());
    }

    @Test
    void aPlanNoFasterThanTheLegacyAlgorithmIsNotUsed() throws Exception {
        // 1.5 ms for four runs' events: 0.5 ms each, no faster than cudnnFind's 0.5 ms for the legacy algorithm
        FakeGpu.Recording tie = FakeGpu.record(tmp, "engines", Map.of("FAKE_CUDA_ELAPSED_MS", "1.5"), "-tie");
        assertEveryConvolutionIsLegacy(tie);
        assertSearch(tie, "0 of 94 fused convolutions (0 of them the convolution alone + kernel bias_relu; 94 kept"
                + " the legacy algorithm, faster; 0 had no plan that runs; 0 plans refused to finalize)");
    }

    @Test
    void aSpentSearchBudgetLeavesTheRestOnTheirLegacyAlgorithms() throws Exception {
        FakeGpu.Recording r = recordFaster("-no-budget", "PROBE_SEARCH_SECONDS", "0");
        assertEquals(0, count(r.between("begin open", "end open"), "backend execute"), "nothing timed");
        assertEveryConvolutionIsLegacy(r);
        assertSearch(r, "0 of 94 fused convolutions (0 of them the convolution alone + kernel bias_relu; 0 kept the"
                + " legacy algorithm, faster; 0 had no plan that runs; 0 plans refused to finalize; 94 not searched,"
                + " the search's 0 s being spent), search 0.0 s");
    }

    /**
     * Where the fused form has no engine, the convolution-alone form's plan runs, with kernels/bias_relu.cu right
     * after it on the same stream over the same output.
     */
    @Test
    void withoutFusedEnginesTheConvolutionAloneRunsWithTheKernelAfterIt() throws Exception {
        FakeGpu.Recording r = recordFaster("-no-fused", "FAKE_CUDNN_FUSED_ENGINES", "0");
        List<String> engines = r.between("begin engines", "end engines");
        assertEquals(FUSED, count(engines, "backend execute engine 10 ops 1 "), String.join("\n", engines));
        for (int i = 0; i < engines.size(); i++) {
            if (engines.get(i).contains("backend execute")) {
                String launch = engines.get(i + 1);
                assertTrue(launch.startsWith("launch bias_relu_nhwc_f16x8 "), launch);
                assertEquals(FakeGpuBiasReluTest.field(engines.get(i), "y"), FakeGpuBiasReluTest.field(launch, "y"));
                assertEquals(FakeGpuBiasReluTest.field(engines.get(i), "stream"),
                        FakeGpuBiasReluTest.field(launch, "stream"));
                assertFalse(engines.get(i).contains(" b "), "the bias is the kernel's: " + engines.get(i));
            }
        }
        assertSearch(r, "94 of 94 fused convolutions (94 of them the convolution alone + kernel bias_relu; 0 kept");
        assertTrue(r.probe().out().stream().anyMatch(l -> l.contains("backend engine 10 (heuristic rank 0 of 3)"
                + " + kernel bias_relu")), r.probe().text());
    }

    /**
     * A graph cuDNN refuses (here every fused one) leaves the other form to run, and the summary names the refusal;
     * where every form is refused, the search stops with one fallback and every convolution keeps its legacy call.
     */
    @Test
    void aRefusedGraphLeavesTheOtherFormAndBothRefusedStopTheSearch() throws Exception {
        FakeGpu.Recording fused = recordFaster("-refused-fused-graph", "FAKE_CUDNN_REFUSED_GRAPH_OPS", "3");
        assertEquals(FUSED, count(fused.between("begin engines", "end engines"), "backend execute engine 10 ops 1 "));
        assertSearch(fused, "94 of 94 fused convolutions (94 of them the convolution alone + kernel bias_relu; 0 kept"
                + " the legacy algorithm, faster; 0 had no plan that runs; 0 plans refused to finalize; " + GEOMETRIES
                + " graphs refused, the first: FUSED cudnnBackendFinalize (conv2d_1 operation graph) failed:");
        FakeGpu.Recording both = recordFaster("-refused-graphs", "FAKE_CUDNN_REFUSED_GRAPH_OPS", "0");
        assertEveryConvolutionIsLegacy(both);
        assertTrue(both.probe().out().contains("fallbacks=1"), both.probe().text());
        assertTrue(both.probe().out().stream().anyMatch(l -> l.startsWith("first fallback=conv2d_1 (batch 2): cuDNN"
                + " backend engine search -> legacy algorithms for every convolution")), both.probe().text());
    }

    @Test
    void aPlanThatDoesNotFinalizeIsPassedOver() throws Exception {
        FakeGpu.Recording r = recordFaster("-refused-plan", "FAKE_CUDNN_REFUSED_PLAN", "0");
        List<String> engines = r.between("begin engines", "end engines");
        assertEquals(FUSED, count(engines, "backend execute engine 11 "), String.join("\n", engines));
        assertTrue(r.probe().out().stream().anyMatch(l -> l.contains("backend engine 11 (heuristic rank 1 of 3)")),
                r.probe().text());
        // rank 0 of each form refused once per geometry: the convolutions after the first of each reuse the
        // decision (the fused form's rank 1)
        assertSearch(r, "94 of 94 fused convolutions (0 of them the convolution alone + kernel bias_relu; 0 kept the"
                + " legacy algorithm, faster; 0 had no plan that runs; " + 2 * GEOMETRIES + " plans refused to"
                + " finalize)");
    }

    @Test
    void aPlanRefusedAtRunTimeFallsBackToTheLegacyCall() throws Exception {
        Path flag = tmp.resolve("refuse-executes");
        FakeGpu.Recording r = recordFaster("-refused-executes", "FAKE_CUDNN_EXECUTE_STATUS_FILE", flag.toString());
        // the refused plans are not tried again: the second pass is all legacy calls
        assertEveryConvolutionIsLegacy(r);
        assertTrue(r.probe().out().contains("fallbacks=" + FUSED), r.probe().text());
        assertTrue(r.probe().out().stream().anyMatch(l -> l.startsWith("first fallback=conv2d_1 (batch 2):"
                + " cudnnBackendExecute backend engine 10") && l.contains("cuDNN status 3000")), r.probe().text());
    }
}
