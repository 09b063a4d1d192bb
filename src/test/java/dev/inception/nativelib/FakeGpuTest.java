package dev.inception.nativelib;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU executor's Java side end to end on a fake GPU (src/test/c/fake_gpu.c: device memory in host memory,
 * cuDNN and cuBLAS calls that succeed without computing), through the real loader and bridges, in a forked JVM.
 * Checks the wiring a GPU run depends on: every step compiles to calls with valid descriptors, every batch size
 * gets its program, the uint8 path launches the preprocess kernel, timing works, and close() releases every
 * allocation, descriptor, handle, stream, event and module, also over 20 open/close cycles. It checks no arithmetic:
 * that needs a real GPU (native-tests/).
 */
class FakeGpuTest {

    @TempDir
    static Path tmp;

    static List<String> out;
    static int exit;
    static FakeGpu gpu;

    @BeforeAll
    static void runProbe() throws Exception {
        gpu = FakeGpu.build(tmp);
        FakeGpu.Probe r = gpu.run(java.util.Map.of(), FakeGpuProbe.class);
        exit = r.exit();
        out = r.out();
    }

    /** Every driver, cuDNN and cuBLAS function the product calls is one the fake defines (NativeCalls says why). */
    @Test
    void theFakeDefinesEveryFunctionTheProductCalls() throws Exception {
        for (NativeCalls.Api api : NativeCalls.Api.values()) {
            assertTrue(NativeCalls.called(api).size() >= 7, api + ": the source scan found too little");
        }
        assertEquals(java.util.Set.of(), NativeCalls.missing(NativeCalls.Api.DRIVER,
                NativeCalls.exported(gpu.libs().resolve("libcuda.so.1"))), "libcuda.so.1");
        assertEquals(java.util.Set.of(), NativeCalls.missing(NativeCalls.Api.CUDNN,
                NativeCalls.exported(gpu.libs().resolve("libcudnn.so.9"))), "libcudnn.so.9");
        assertEquals(java.util.Set.of(), NativeCalls.missing(NativeCalls.Api.CUBLAS,
                NativeCalls.exported(gpu.libs().resolve("libcublas.so.13"))), "libcublas.so.13");
    }

    /**
     * `inception smoke` on the fake GPU gets through loading, handles, the convolution and the SGEMM to the
     * comparison with the CPU, which must fail (the fake computes nothing): a wrong GPU result is a reported
     * failure with its errors, also as JSON when an error is infinite (strict JSON has no Infinity).
     */
    @Test
    void smokeReachesTheComparisonAndReportsAWrongResultAsJson() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of(), dev.inception.cli.Main.class, "smoke", "--json");
        String text = r.text();
        assertEquals(1, r.exit(), text);
        String json = text.substring(text.indexOf('{'), text.lastIndexOf('}') + 1);
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        assertEquals("ok", o.get("handles").getAsString(), json);
        assertTrue(!o.has("error"), json);
        assertEquals(false, o.get("passed").getAsBoolean(), json);
        double conv = o.get("conv_max_relative_error").getAsDouble();
        double sgemm = o.get("sgemm_max_relative_error").getAsDouble();
        assertTrue(!(conv <= 1e-4) && !(sgemm <= 1e-4), json);
    }

    /** The JSON object a command printed, from the probe's output (the fake libraries' counts follow it). */
    static com.google.gson.JsonObject json(String text) {
        return com.google.gson.JsonParser.parseString(text.substring(text.indexOf('{'), text.lastIndexOf('}') + 1))
                .getAsJsonObject();
    }

    /**
     * `inception profile` on the fake GPU (an H100 SXM's attributes: 132 SMs at 1980 MHz, 5120-bit memory at 2619
     * MHz) gives each step its roofline bound, here checked by hand for conv2d_1 in fp16 at batch 2.
     */
    @Test
    void profileBoundsEachStepByTheDevicesRoofline() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of(), dev.inception.cli.Main.class, "profile", "--backend", "gpu",
                "--precision", "fp16", "--batch", "2", "--iters", "1", "--warmup", "0", "--json");
        String text = r.text();
        assertEquals(0, r.exit(), text);
        com.google.gson.JsonObject o = json(text);
        com.google.gson.JsonObject peaks = o.getAsJsonObject("roofline");
        double gflops = 132 * 1.98e9 * 4096 / 1e9;
        double gbytes = 2 * 2.619e9 * 5120 / 8 / 1e9;
        assertEquals(gflops, peaks.get("peak_gflops").getAsDouble(), 1e-6 * gflops);
        assertEquals(gbytes, peaks.get("peak_gbytes_per_s").getAsDouble(), 1e-6 * gbytes);
        com.google.gson.JsonObject conv1 = o.getAsJsonArray("steps").get(0).getAsJsonObject();
        assertEquals("conv2d_1", conv1.get("step").getAsString());
        // two images: 149x149x32 outputs of 27 multiply-adds; 299x299x3 in and 149x149x32 out, the 3x3x3x32 kernel
        // once, two bytes each in fp16
        double flops = 2.0 * 2 * 149 * 149 * 32 * 27;
        double bytes = (2.0 * (299 * 299 * 3 + 149 * 149 * 32) + 3 * 3 * 3 * 32) * 2;
        double expected = Math.max(flops / (gflops * 1e6), bytes / (gbytes * 1e6));
        assertEquals(expected, conv1.get("boundMilliseconds").getAsDouble(), 1e-9 * expected);
        double sum = 0;
        for (com.google.gson.JsonElement e : o.getAsJsonArray("steps")) {
            sum += e.getAsJsonObject().get("boundMilliseconds").getAsDouble();
        }
        assertEquals(sum, peaks.get("bound_ms").getAsDouble(), 1e-9 * sum);
    }

    /** info names each GPU's SMs, clocks and memory bus, and its peaks by precision (the fake's: an H100 SXM's). */
    @Test
    void infoGivesEachGpusPeaks() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of(), dev.inception.cli.Main.class, "info", "--json");
        String text = r.text();
        assertEquals(0, r.exit(), text);
        com.google.gson.JsonObject g = json(text).getAsJsonArray("gpus").get(0).getAsJsonObject();
        assertEquals(132, g.get("sms").getAsInt(), g.toString());
        com.google.gson.JsonObject peaks = g.getAsJsonObject("roofline");
        // 132 SMs x 1.98 GHz x 4096 (fp16, bf16), 2048 (tf32), 256 (fp32) operations per clock; 2 x 2.619 GHz x 640 B
        assertEquals(1070.5, peaks.get("fp16_tflops").getAsDouble(), 1e-9, g.toString());
        assertEquals(1070.5, peaks.get("bf16_tflops").getAsDouble(), 1e-9);
        assertEquals(535.3, peaks.get("tf32_tflops").getAsDouble(), 1e-9);
        assertEquals(66.9, peaks.get("fp32_tflops").getAsDouble(), 1e-9);
        assertEquals(3352, peaks.get("gbytes_per_s").getAsLong());
    }

    /** A GPU benchmark's JSON names the device's SMs, clocks and memory bus (the fake's: an H100 SXM's). */
    @Test
    void benchResultsRecordTheDevicesAttributes() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of(), dev.inception.cli.Main.class, "bench", "--backend", "gpu",
                "--batch", "1", "--iters", "1", "--warmup", "0", "--json");
        String text = r.text();
        assertEquals(0, r.exit(), text);
        com.google.gson.JsonObject machine = json(text).getAsJsonObject("machine");
        assertEquals(132, machine.get("sms").getAsInt(), machine.toString());
        assertEquals(1980, machine.get("clock_mhz").getAsInt());
        assertEquals(2619, machine.get("memory_clock_mhz").getAsInt());
        assertEquals(5120, machine.get("memory_bus_bits").getAsInt());
        assertEquals("9.0", machine.get("compute_capability").getAsString());
    }

    /** Transfers larger than the staging buffer go in pieces and arrive intact (the fake GPU's copies are real). */
    @Test
    void transfersLargerThanTheStagingBufferRoundTripInPieces() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of(), dev.inception.gpu.StagingProbe.class);
        String text = r.text();
        assertEquals(0, r.exit(), text);
        assertTrue(r.out().contains("staging bytes=64"), text);
        assertTrue(r.out().contains("staging floats round trip=true"), text);
        assertTrue(r.out().contains("staging bytes round trip=true"), text);
    }

    /**
     * cuDNN refusing the fused call (NOT_SUPPORTED) and the measured algorithm (WINOGRAD, 6) at run time: each
     * convolution falls back once to three calls, once to the next algorithm (IMPLICIT_PRECOMP_GEMM, 1), is
     * reported, and later passes take the fallback path directly.
     */
    @Test
    void refusedFusedCallsAndAlgorithmsFallBackAndAreReported() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of("FAKE_CUDNN_FUSED_STATUS", "3000", "FAKE_CUDNN_FAILING_ALGO", "6"),
                FakeGpuProbe.class, "fallbacks");
        String text = r.text();
        assertEquals(0, r.exit(), text);
        assertTrue(r.out().contains("fallbacks after one pass=" + 2 * 94), text);
        assertTrue(r.out().contains("fallbacks after two passes=" + 2 * 94), text);
        assertTrue(r.out().contains("first fallback=conv2d_1 (batch 2): cudnnConvolutionBiasActivationForward WINOGRAD"
                + " (FMA_MATH) -> cudnnConvolutionForward + cudnnAddTensor + cudnnActivationForward (CUDNN_STATUS_FAKE_ERROR (cuDNN"
                + " status 3000))"), text);
        assertTrue(r.out().contains("second fallback=conv2d_1 (batch 2): WINOGRAD (FMA_MATH) -> IMPLICIT_PRECOMP_GEMM (FMA_MATH)"
                + " (CUDNN_STATUS_FAKE_ERROR (cuDNN status 3000))"), text);
        assertTrue(r.out().stream().anyMatch(l -> l.startsWith("choice=conv2d_1 (batch 2): IMPLICIT_PRECOMP_GEMM")), text);
        // pass 1: 94 fused refused + 94 plain with algo 6 + 94 plain with algo 1; pass 2: 94 plain
        assertTrue(r.out().contains("fake-gpu: conv calls fused 94 plain " + 3 * 94), text);
    }

    /**
     * cudnnFind measures algorithm and math type as pairs, and a call should run the pair it takes. The fake's first
     * candidate carries the math type asked for, its second another (DEFAULT where TENSOR_OP or FMA was asked,
     * ALLOW_CONVERSION where DEFAULT was); with the first refused, every convolution of the second pass runs the
     * second (IMPLICIT_PRECOMP_GEMM, 1). JCudnn 11.7 does not pass a candidate's math type on (see ConvAlgorithms),
     * so each runs with the one its precision asks for: FMA (3) in FP32, DEFAULT (0) in TF32, TENSOR_OP (1) in FP16
     * and BF16 — never the unreported other one. (A JCudnn that passes math types on fails this test: then the
     * second candidate runs DEFAULT in FP16 and BF16, still FMA in FP32 and DEFAULT in TF32; see
     * CudnnGeometryTest.)
     */
    @Test
    void eachConvolutionRunsWithTheMathTypeItsAlgorithmWasMeasuredWith(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("math-calls.log");
        java.nio.file.Files.writeString(log, "");
        FakeGpu.Probe r = gpu.run(java.util.Map.of("FAKE_GPU_LOG", log.toString(), "FAKE_CUDNN_FAILING_ALGO", "6"),
                FakeGpuProbe.class, "math", log.toString());
        assertEquals(0, r.exit(), r.text());
        FakeGpu.Recording rec = new FakeGpu.Recording(r, java.nio.file.Files.readAllLines(log));
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("^conv.* (\\d+) algo (\\d+) y .*");
        java.util.Map<String, Integer> expected = java.util.Map.of("FP32", 3, "TF32", 0, "FP16", 1, "BF16", 1);
        java.util.Map<String, String> words = java.util.Map.of("FP32", "FMA_MATH", "TF32", "DEFAULT_MATH", "FP16",
                "TENSOR_OP_MATH", "BF16", "TENSOR_OP_MATH");
        for (String p : expected.keySet()) {
            List<java.util.regex.Matcher> convs = rec.between("begin math " + p, "end math " + p).stream()
                    .map(call::matcher).filter(java.util.regex.Matcher::matches).toList();
            assertEquals(94, convs.size(), p);
            for (java.util.regex.Matcher m : convs) {
                assertEquals("1", m.group(2), p + ": " + m.group());
                assertEquals(String.valueOf(expected.get(p)), m.group(1), p + " math type: " + m.group());
            }
            assertTrue(r.out().stream().anyMatch(l -> l.startsWith(p + " choice=conv2d_1 (batch 1):"
                    + " IMPLICIT_PRECOMP_GEMM (" + words.get(p) + ")")), r.text());
        }
    }

    /**
     * The driver refusing stream capture (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, 900): the pass that tried runs
     * call by call instead, the fallback is reported once with the driver's reason, and later passes at that batch
     * size do not try again.
     */
    @Test
    void aRefusedCaptureFallsBackToCallByCallLaunchesOnce() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of("FAKE_CUDA_CAPTURE_STATUS", "900"), FakeGpuProbe.class,
                "capture-refused");
        String text = r.text();
        assertEquals(0, r.exit(), text);
        assertTrue(r.out().stream().anyMatch(l -> l.startsWith("fallbacks=[forward pass (batch 2): one CUDA graph launch"
                + " -> call-by-call launches (stream capture failed: cuStreamEndCapture: CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED")
                && !l.contains("), forward pass")), text);
        assertTrue(r.out().stream().anyMatch(l -> l.startsWith("describe=gpu: Fake GPU, FP32, CUDA graphs on (none"
                + " captured yet)")), text);
        assertTrue(r.out().contains("fake-gpu: graph launches 0"), text);
        assertTrue(r.out().contains("fake-gpu: live graphs 0"), text);
        // four passes of 94 fused convolutions, plus the 94 the refused capture recorded before the pass ran call by call
        assertTrue(r.out().contains("fake-gpu: conv calls fused " + 5 * 94 + " plain 0"), text);
    }

    /**
     * Copy-free concatenation where cuDNN takes no strided output (the fake refuses them all): each such
     * convolution writes a dense scratch output and the concat kernel copies it into its slice; reported once per
     * convolution, and the second pass takes the detour directly.
     */
    @Test
    void refusedStridedOutputsDetourThroughAScratchCopy() throws Exception {
        FakeGpu.Probe r = gpu.run(java.util.Map.of("FAKE_CUDNN_REFUSE_STRIDED", "1"), FakeGpuProbe.class,
                "strided-refused");
        String text = r.text();
        assertEquals(0, r.exit(), text);
        dev.inception.plan.Plan plan = dev.inception.plan.Planner.lower(dev.inception.model.InceptionV3.build(),
                dev.inception.plan.Lowering.FUSED, List.of("avg_pool"), dev.inception.plan.ConcatPlacement.IN_PLACE,
                true);
        long slicedConvs = plan.steps().stream().filter(s -> s instanceof dev.inception.plan.Step.Conv
                && plan.tensor(s.output()).isSlice()).count();
        assertTrue(slicedConvs > 30, "convolutions writing slices: " + slicedConvs);
        assertTrue(r.out().contains("detours=" + slicedConvs), text);
        String counts = r.out().stream().filter(l -> l.startsWith("fallbacks after one pass=")).findFirst().orElseThrow();
        String[] n = counts.replace("fallbacks after one pass=", "").split(" after two=");
        assertEquals(n[0], n[1], "the second pass found something new to fall back from: " + counts);
        assertTrue(r.out().contains("conv2d_6: conv2d_6 (batch 2): output straight into the block's channel slice"
                + " -> dense output + concat kernel copy (CUDNN_STATUS_FAKE_ERROR (cuDNN status 3000))"), text);
        // the only kernels of a float pass here: one copy per detoured convolution, the copying concatenations,
        // and the poolings
        long copies = slicedConvs + plan.steps().stream().filter(s -> s instanceof dev.inception.plan.Step.Concat c
                && !plan.inPlace(c)).mapToLong(s -> s.inputs().size()).sum();
        long pools = plan.steps().stream().filter(s -> s instanceof dev.inception.plan.Step.Pool).count();
        assertEquals(13, pools, "four max and nine average poolings");
        assertTrue(r.out().contains("fake-gpu: kernel launches " + 2 * (copies + pools)), text);
    }

    private static String all() {
        return String.join("\n", out);
    }

    @Test
    void everyKindOfForwardPassRunsOnBothPlans() {
        assertEquals(0, exit, all());
        for (String plan : new String[] {"FAITHFUL", "FUSED"}) {
            assertTrue(out.contains(plan + " backend=gpu"), all());
            assertTrue(out.contains(plan + " taps=14 mixed10=" + 2 * 8 * 8 * 2048), all());
            assertTrue(out.contains(plan + " predict4=4"), all());
            assertTrue(out.contains(plan + " images=3"), all());
            assertTrue(out.contains(plan + " ms=1.5"), all());
            assertTrue(out.contains(plan + " replayed ms=1.5"), all());
            // per-step profile with CUDA events: every step of the plan (313 faithful, 125 fused), named and attributed
            assertTrue(out.contains(plan + " profile=" + (plan.equals("FUSED") ? 125 : 313)
                    + " first=StepTime[step=conv2d_1, milliseconds=1.5, implementation=cudnn WINOGRAD (FMA_MATH)]"), all());
            assertTrue(out.stream().anyMatch(l -> l.startsWith(plan + " describe=gpu: Fake GPU, FP32")), all());
        }
        assertTrue(out.contains("ok"), all());
    }

    @Test
    void convolutionAlgorithmsAreChosenPerBatchSizeWithinTheWorkspace() {
        // batch 4 (the maximum), then 2, 3 and 1, each measured on its first use: 94 convolutions each
        assertTrue(out.contains("FAITHFUL choices=" + 4 * 94), all());
        assertTrue(out.contains("FUSED choices=" + 4 * 94), all());
        // the fake's best algorithm wants 3 MiB, but the fake has 8 GiB free: one slice of 8 GiB / 16 / 4 = 128 MiB
        // for each of the 4 branch streams (Workspace.sliceBytes), so other batch sizes may choose up to that
        assertTrue(out.stream().anyMatch(l -> l.contains("workspace 512 MiB, branch streams 4")), all());
    }

    @Test
    void closeReleasesEverythingItCreated() {
        for (String counter : new String[] {"device_allocations", "host_allocations", "streams", "events", "contexts",
            "modules", "descriptors", "cudnn_handles", "cublas_handles", "graphs", "graph_execs"}) {
            assertTrue(out.contains("fake-gpu: live " + counter + " 0"), counter + ":\n" + all());
        }
        assertTrue(out.stream().anyMatch(l -> l.startsWith("fake-gpu: kernel launches ") && !l.endsWith(" 0")), all());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("fake-gpu: graph launches ") && !l.endsWith(" 0")), all());
    }
}
