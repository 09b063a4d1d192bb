package dev.inception.nativelib;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;
import dev.inception.image.Interpolation;
import dev.inception.image.RgbImage;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;

import java.util.List;
import java.util.Map;

/**
 * Run in a forked JVM by FakeGpuTest against the fake GPU libraries (src/test/c/fake_gpu.c): drives the real GPU
 * executor through open, every kind of forward pass, timing and close, and prints what it saw.
 */
public final class FakeGpuProbe {

    public static void main(String[] args) {
        Graph g = InceptionV3.build();
        Weights w = SeededWeights.forGraph(g, 1);
        if (args.length > 0 && args[0].equals("fallbacks")) {
            fallbacks(g, w);
            return;
        }
        if (args.length > 0 && args[0].equals("strided-refused")) {
            stridedRefused(g, w);
            return;
        }
        if (args.length > 0 && args[0].equals("capture-refused")) {
            captureRefused(g, w);
            return;
        }
        if (args.length > 1 && args[0].equals("pipeline")) {
            pipeline(g, w, java.nio.file.Path.of(args[1]));
            return;
        }
        if (args.length > 1 && args[0].equals("streams")) {
            streams(g, w, java.nio.file.Path.of(args[1]));
            return;
        }
        if (args.length > 1 && args[0].equals("math")) {
            math(g, w, java.nio.file.Path.of(args[1]));
            return;
        }
        if (args.length > 1 && args[0].equals("engines")) {
            String refuse = System.getenv("FAKE_CUDNN_EXECUTE_STATUS_FILE");
            engines(g, w, java.nio.file.Path.of(args[1]), refuse == null ? null : java.nio.file.Path.of(refuse));
            return;
        }
        if (args.length > 1 && args[0].equals("gemm")) {
            String refuse = System.getenv("FAKE_CUBLAS_GEMM_STATUS_FILE");
            gemm(g, w, java.nio.file.Path.of(args[1]), refuse == null ? null : java.nio.file.Path.of(refuse));
            return;
        }
        if (args.length > 1 && args[0].equals("bias-relu")) {
            biasRelu(g, w, java.nio.file.Path.of(args[1]));
            return;
        }
        if (args.length > 1 && args[0].equals("record")) {
            record(g, w, java.nio.file.Path.of(args[1]));
            return;
        }
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(4).withTaps(true);
        for (Lowering l : Lowering.values()) {
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withLowering(l))) {
                System.out.println(l + " backend=" + e.backend());
                Map<String, Tensor> taps = e.taps(Tensor.zeros(2, g.input().shape()));
                System.out.println(l + " taps=" + taps.size() + " mixed10=" + taps.get("mixed10").data().length);
                System.out.println(l + " predict4=" + e.predict(Tensor.zeros(4, g.input().shape())).length);
                RgbImage img = new RgbImage(320, 240, new byte[320 * 240 * 3]);
                System.out.println(l + " images=" + e.predict(List.of(img, img, img), Interpolation.NEAREST).length);
                System.out.println(l + " ms=" + e.timeForward(Tensor.zeros(1, g.input().shape())));
                System.out.println(l + " replayed ms=" + e.timeForward(Tensor.zeros(1, g.input().shape())));
                List<dev.inception.StepTime> profile = e.profile(Tensor.zeros(1, g.input().shape()));
                System.out.println(l + " profile=" + profile.size() + " first=" + profile.get(0));
                List<dev.inception.StepTime> replayed = e.profile(Tensor.zeros(1, g.input().shape()));
                System.out.println(l + " step graphs first=" + replayed.get(0));
                List<String> d = e.describe();
                System.out.println(l + " describe=" + d.get(0));
                System.out.println(l + " choices=" + (d.size() - 1));
            }
        }
        for (int i = 0; i < 20; i++) {
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
                e.forward(Tensor.zeros(1, g.input().shape()));
            }
        }
        System.out.println("ok");
    }

    /**
     * With FAKE_GPU_LOG set: marks the log around one forward pass of each kind at the maximum batch (2), so the test
     * can compare the recorded calls with the plan, first with CUDA graphs off (every pass call by call), then on
     * (an eager pass, the captured pass, replays); and round-trips an input through the arena.
     */
    static void record(Graph g, Weights w, java.nio.file.Path log) {
        RgbImage img = new RgbImage(320, 240, new byte[320 * 240 * 3]);
        for (Lowering l : Lowering.values()) {
            EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2).withLowering(l);
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "begin capture " + l);
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "end capture " + l);
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "end replay " + l);
                e.predict(List.of(img, img), Interpolation.NEAREST);
                mark(log, "end replayed images " + l);
                System.out.println(l + " graphs " + e.describe().get(0));
                mark(log, "begin first profile " + l);
                e.profile(Tensor.zeros(2, g.input().shape()));
                mark(log, "begin step graphs " + l);
                List<dev.inception.StepTime> replayed = e.profile(Tensor.zeros(2, g.input().shape()));
                mark(log, "end step graphs " + l);
                System.out.println(l + " step graphs " + replayed.size() + " first=" + replayed.get(0));
                replayed.forEach(t -> System.out.println(l + " step " + t.step() + " " + t.implementation()));
            }
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withCudaGraphs(false))) {
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "begin forward " + l);
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "end forward " + l);
                mark(log, "begin images " + l);
                e.predict(List.of(img, img), Interpolation.NEAREST);
                mark(log, "end images " + l);
            }
        }
        EngineOptions copyFree = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2)
                .withLowering(Lowering.FUSED).withCudaGraphs(false).withCopyFreeConcat(true);
        try (InceptionV3Engine e = InceptionV3Engine.open(w, copyFree)) {
            e.forward(Tensor.zeros(2, g.input().shape()));
            mark(log, "begin copyfree");
            e.forward(Tensor.zeros(2, g.input().shape()));
            mark(log, "end copyfree");
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(w, copyFree.withCopyFreeConcat(false).withCudnnPooling(true))) {
            e.forward(Tensor.zeros(2, g.input().shape()));
            mark(log, "begin cudnn pooling");
            e.forward(Tensor.zeros(2, g.input().shape()));
            mark(log, "end cudnn pooling");
        }
        for (dev.inception.Precision p : List.of(dev.inception.Precision.FP16, dev.inception.Precision.BF16)) {
            for (Lowering l : Lowering.values()) {
                EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2).withLowering(l)
                        .withPrecision(p).withCudaGraphs(false);
                try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
                    e.forward(Tensor.zeros(2, g.input().shape()));
                    mark(log, "begin forward " + p + " " + l);
                    e.forward(Tensor.zeros(2, g.input().shape()));
                    mark(log, "end forward " + p + " " + l);
                    e.predict(List.of(img, img), Interpolation.NEAREST);
                    mark(log, "end images " + p + " " + l);
                }
            }
        }
        dev.inception.plan.Plan plan = dev.inception.plan.Planner.lower(g, Lowering.FUSED, List.of("input_1"));
        Tensor x = Tensor.uniform(2, g.input().shape(), 7);
        for (dev.inception.Precision p : dev.inception.Precision.values()) {
            try (dev.inception.gpu.GpuExecutor e = new dev.inception.gpu.GpuExecutor(plan, w,
                    EngineOptions.defaults().withMaxBatch(2).withPrecision(p))) {
                float[] back = e.forward(x, List.of("input_1")).get("input_1").data();
                // stored as the precision stores it (16-bit inputs go up as float32 and are narrowed on the device:
                // the fake runs that kernel, with rounding of its own), brought back as float32: the 16-bit rounding
                // of each value (HalfFloats is checked against NumPy by HalfFloatsTest)
                float[] expected = stored(x.data(), p);
                System.out.println("input round trip " + p + "=" + java.util.Arrays.equals(expected, back)
                        + " unchanged=" + java.util.Arrays.equals(x.data(), back));
                // the same batch submitted (the float pipeline: pinned slot, copy stream, copied or narrowed from the
                // slot into the input tensor), the input brought back through the staging buffers (2 MB: too large
                // for a slot's outputs)
                float[] submitted = e.submit(x, List.of("input_1")).await().get("input_1").data();
                System.out.println("submitted round trip " + p + "=" + java.util.Arrays.equals(expected, submitted));
                // images whose outputs (here the 2 MB input tensor) exceed a pipeline slot come back through the
                // staging buffers; the fake's preprocess kernel writes nothing, so the arena still holds x
                byte[] rgb = new byte[(int) (2 * g.input().shape().elements())];
                float[] viaImages = e.forwardImages(rgb, 2, g.input().shape(), List.of("input_1")).get("input_1").data();
                System.out.println("images too large for a slot " + p + "=" + java.util.Arrays.equals(expected, viaImages));
            }
        }
        System.out.println("ok");
    }

    /** Values as an input of precision p stores them, widened back to float32 (HalfFloats, checked against NumPy). */
    private static float[] stored(float[] x, dev.inception.Precision p) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            float v = out[i];
            out[i] = switch (p) {
                case FP32, TF32 -> v;
                case FP16 -> dev.inception.gpu.HalfFloats.fromFp16(dev.inception.gpu.HalfFloats.toFp16(v));
                case BF16 -> dev.inception.gpu.HalfFloats.fromBf16(dev.inception.gpu.HalfFloats.toBf16(v));
            };
        }
        return out;
    }

    private static void mark(java.nio.file.Path log, String what) {
        try {
            java.nio.file.Files.writeString(log, "mark " + what + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * With FAKE_GPU_LOG set: one pass with branch streams, call by call, and one captured, for each plan, marked in
     * the log; then a profile, which must run every step on one stream.
     */
    static void streams(Graph g, Weights w, java.nio.file.Path log) {
        for (Lowering l : Lowering.values()) {
            EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2).withLowering(l);
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withCudaGraphs(false))) {
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "begin streams " + l);
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "end streams " + l);
                e.profile(Tensor.zeros(2, g.input().shape()));
                mark(log, "end profile " + l);
                System.out.println(l + " " + e.describe().get(0));
            }
            // batches above the largest that uses branch streams run on one stream; smaller ones still use them
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withCudaGraphs(false).withStreamsMaxBatch(1))) {
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "begin above streams " + l);
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "end above streams " + l);
                e.forward(Tensor.zeros(1, g.input().shape()));
                mark(log, "begin below streams " + l);
                e.forward(Tensor.zeros(1, g.input().shape()));
                mark(log, "end below streams " + l);
            }
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "begin captured streams " + l);
                e.forward(Tensor.zeros(2, g.input().shape()));
                mark(log, "end captured streams " + l);
            }
        }
        System.out.println("ok");
    }

    /** FNV-1a, 64 bits, as fake_gpu.c hashes an upload. */
    static String fnv1a(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return String.format("%016x", h);
    }

    /**
     * --gpu-resize, for each precision: a batch of two sizes (resized on the host, reported once) left in flight, a
     * batch of two 400x300 images (larger than the slots made for the input size: they grow, collecting the batch in
     * flight first) resized by the fake's run of the kernel into the input tensor and brought back, and the batch of
     * two sizes again (not reported again), then the same-sized pair resized by bilinear.
     */
    static void gpuResize(Graph g, Weights w, java.nio.file.Path log, RgbImage img, RgbImage other) {
        dev.inception.model.Shape shape = g.input().shape();
        byte[] flipped = other.pixels().clone();
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = (byte) ~flipped[i];
        }
        List<RgbImage> same = List.of(other, new RgbImage(other.width(), other.height(), flipped));
        dev.inception.plan.Plan plan = dev.inception.plan.Planner.lower(g, Lowering.FUSED, List.of("input_1"));
        for (dev.inception.Precision p : List.of(dev.inception.Precision.FP32, dev.inception.Precision.FP16,
                dev.inception.Precision.BF16)) {
            EngineOptions o = EngineOptions.defaults().withMaxBatch(2).withPrecision(p).withGpuResize(true);
            try (dev.inception.gpu.GpuExecutor e = new dev.inception.gpu.GpuExecutor(plan, w, o)) {
                mark(log, "begin gpu resize " + p);
                dev.inception.Executor.Pending inFlight = e.submitImages(List.of(img, other), Interpolation.NEAREST,
                        shape, List.of("predictions"));
                float[] back = e.submitImages(same, Interpolation.NEAREST, shape, List.of("input_1")).await()
                        .get("input_1").data();
                e.submitImages(List.of(other, img), Interpolation.NEAREST, shape, List.of("predictions")).await();
                float[] bilinear = e.submitImages(same, Interpolation.BILINEAR, shape, List.of("input_1")).await()
                        .get("input_1").data();
                mark(log, "end gpu resize " + p);
                float[] expected = stored(dev.inception.image.Preprocess.batch(same, shape.height(), shape.width(),
                        Interpolation.NEAREST).data(), p);
                float[] expectedBilinear = stored(dev.inception.image.Preprocess.batch(same, shape.height(),
                        shape.width(), Interpolation.BILINEAR).data(), p);
                System.out.println("gpu resize " + p + "=" + java.util.Arrays.equals(expected, back) + " bilinear="
                        + java.util.Arrays.equals(expectedBilinear, bilinear) + " in flight="
                        + inFlight.await().get("predictions").batch() + " fallbacks=" + e.fallbacks());
            }
        }
    }

    /**
     * With FAKE_GPU_LOG set: three batches streamed through predictLater, each submitted before the one before is
     * collected; then a batch submitted and never collected before the engine closes.
     */
    static void pipeline(Graph g, Weights w, java.nio.file.Path log) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        byte[] pa = new byte[320 * 240 * 3];
        byte[] pb = new byte[400 * 300 * 3];
        r.nextBytes(pa);
        r.nextBytes(pb);
        RgbImage img = new RgbImage(320, 240, pa);
        RgbImage other = new RgbImage(400, 300, pb);
        List<List<RgbImage>> batches = List.of(List.of(img, other), List.of(other, img), List.of(img, img));
        // what each upload must carry: the batch packed on the host, as the CPU executors are given it
        StringBuilder expected = new StringBuilder("expected uploads");
        for (List<RgbImage> b : batches) {
            expected.append(' ').append(fnv1a(dev.inception.image.Preprocess.packBytes(b, g.input().shape().height(),
                    g.input().shape().width(), Interpolation.NEAREST)));
        }
        System.out.println(expected);
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2);
        java.util.function.Supplier<float[][]> late;
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
            e.predict(batches.get(0), Interpolation.NEAREST);
            mark(log, "begin pipeline");
            java.util.function.Supplier<float[][]> first = e.predictLater(batches.get(0), Interpolation.NEAREST);
            java.util.function.Supplier<float[][]> second = e.predictLater(batches.get(1), Interpolation.NEAREST);
            System.out.println("first=" + first.get().length);
            java.util.function.Supplier<float[][]> third = e.predictLater(batches.get(2), Interpolation.NEAREST);
            System.out.println("second=" + second.get().length + " third=" + third.get().length);
            System.out.println("first again=" + first.get().length);
            mark(log, "end pipeline");
            late = e.predictLater(List.of(img), Interpolation.NEAREST);
        }
        // float32 batches (the server's clients' tensors) through the float pipeline of an fp16 engine, streamed the
        // same way: each upload must carry its batch's float32 bytes, narrowed on the device
        List<Tensor> floats = List.of(Tensor.uniform(2, g.input().shape(), 11), Tensor.uniform(2, g.input().shape(), 12),
                Tensor.uniform(2, g.input().shape(), 13));
        StringBuilder floatHashes = new StringBuilder("expected float uploads");
        for (Tensor t : floats) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(t.data().length * 4)
                    .order(java.nio.ByteOrder.nativeOrder());
            bytes.asFloatBuffer().put(t.data());
            floatHashes.append(' ').append(fnv1a(bytes.array()));
        }
        System.out.println(floatHashes);
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withPrecision(dev.inception.Precision.FP16))) {
            e.predict(floats.get(0));
            mark(log, "begin float pipeline");
            java.util.function.Supplier<float[][]> first = e.predictLater(floats.get(0));
            java.util.function.Supplier<float[][]> second = e.predictLater(floats.get(1));
            System.out.println("float first=" + first.get().length);
            java.util.function.Supplier<float[][]> third = e.predictLater(floats.get(2));
            System.out.println("float second=" + second.get().length + " third=" + third.get().length);
            mark(log, "end float pipeline");
        }
        gpuResize(g, w, log, img, other);
        try {
            late.get();
            System.out.println("after close: answered");
        } catch (IllegalStateException ex) {
            System.out.println("after close: " + ex.getMessage());
        }
        System.out.println("ok");
    }

    /**
     * With FAKE_GPU_LOG set, fp16, the fused plan, batch 2, graphs off unless said: a legacy pass (the pointers to
     * compare with), then engines opened with --cudnn-engines 2 (the open times the plans), one of their passes, a
     * second engine (decisions remembered), a captured pass, and fp32 (no engines). With refuse set (the fake's
     * FAKE_CUDNN_EXECUTE_STATUS_FILE): written once the plans were timed, it makes the fake refuse every execute
     * (status 3000) from then on. PROBE_SEARCH_SECONDS sets the plan search's time budget.
     */
    static void engines(Graph g, Weights w, java.nio.file.Path log, java.nio.file.Path refuse) {
        String budget = System.getenv("PROBE_SEARCH_SECONDS");
        if (budget != null) {
            System.setProperty(dev.inception.gpu.GpuProperties.ENGINE_SEARCH_SECONDS, budget);
        }
        EngineOptions o = legacyPass(g, w, log);
        Tensor x = Tensor.zeros(2, g.input().shape());
        mark(log, "begin open");
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withCudnnEngines(2))) {
            mark(log, "end open");
            if (refuse != null) {
                writeString(refuse, "3000");
            }
            e.forward(x);
            mark(log, "begin engines");
            e.forward(x);
            mark(log, "end engines");
            e.describe().stream().filter(l -> l.contains("conv2d_1 ")).forEach(l ->
                    System.out.println("choice=" + l.strip()));
            e.describe().stream().filter(l -> l.contains("backend plans for")).forEach(l ->
                    System.out.println("search=" + l.strip()));
            System.out.println("fallbacks=" + e.fallbacks().size());
            e.fallbacks().stream().limit(1).forEach(f -> System.out.println("first fallback=" + f));
        }
        mark(log, "begin remembered open");
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withCudnnEngines(2).withCudaGraphs(true))) {
            mark(log, "end remembered open");
            e.forward(x);
            mark(log, "begin capture");
            e.forward(x);
            mark(log, "end capture");
            e.forward(x);
            mark(log, "end replay");
        }
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withPrecision(dev.inception.Precision.FP32)
                .withCudnnEngines(2))) {
            mark(log, "begin fp32");
            e.forward(x);
            mark(log, "end fp32");
        }
        System.out.println("ok");
    }

    /**
     * With FAKE_GPU_LOG set, fp16, the fused plan, batch 2, graphs off: a pass with cuDNN's fused calls, one with
     * --bias-relu-kernel, and one with it and copy-free concatenation (FAKE_CUDNN_REFUSE_STRIDED=1 makes every
     * strided output take the dense detour).
     */
    static void biasRelu(Graph g, Weights w, java.nio.file.Path log) {
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2).withLowering(Lowering.FUSED)
                .withPrecision(dev.inception.Precision.FP16).withCudaGraphs(false);
        Tensor x = Tensor.zeros(2, g.input().shape());
        String[] runs = {"fused", "kernel", "copyfree"};
        EngineOptions[] options = {o, o.withBiasReluKernel(true), o.withBiasReluKernel(true).withCopyFreeConcat(true)};
        for (int r = 0; r < runs.length; r++) {
            try (InceptionV3Engine e = InceptionV3Engine.open(w, options[r])) {
                e.forward(x);
                mark(log, "begin " + runs[r]);
                e.forward(x);
                mark(log, "end " + runs[r]);
                System.out.println(runs[r] + " " + e.describe().get(0));
                System.out.println(runs[r] + " fallbacks=" + e.fallbacks().size());
            }
        }
        System.out.println("ok");
    }

    /**
     * With FAKE_GPU_LOG set, fp16, the fused plan, batch 2 (branch streams on), graphs off: a legacy pass (the
     * pointers and streams to compare with), then engines opened with --gemm-1x1 (the open times the GEMMs), one of
     * their passes, one with copy-free concatenation too, and an fp32 one. With refuse set (the fake's
     * FAKE_CUBLAS_GEMM_STATUS_FILE), the status in it (if it exists) refuses the 1x1 GEMMs; PROBE_REFUSE_AFTER_OPEN=1
     * writes 15 (NOT_SUPPORTED) there once the first --gemm-1x1 engine has timed them. PROBE_GEMM_ALWAYS=1 sets
     * GpuProperties.GEMM_1X1_ALWAYS (every 1x1 convolution a GEMM, whatever its time).
     */
    static void gemm(Graph g, Weights w, java.nio.file.Path log, java.nio.file.Path refuse) {
        if ("1".equals(System.getenv("PROBE_GEMM_ALWAYS"))) {
            System.setProperty(dev.inception.gpu.GpuProperties.GEMM_1X1_ALWAYS, "true");
        }
        EngineOptions o = legacyPass(g, w, log);
        Tensor x = Tensor.zeros(2, g.input().shape());
        mark(log, "begin open");
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o.withGemm1x1(true))) {
            mark(log, "end open");
            if (refuse != null && "1".equals(System.getenv("PROBE_REFUSE_AFTER_OPEN"))) {
                writeString(refuse, "15");
            }
            e.forward(x);
            mark(log, "begin gemm");
            e.forward(x);
            mark(log, "end gemm");
            e.describe().stream().filter(l -> l.contains("conv2d_6 ") || l.contains("as cuBLAS GEMMs")
                    || l.startsWith("gpu:")).forEach(l -> System.out.println("describe=" + l.strip()));
            System.out.println("fallbacks=" + e.fallbacks().size());
            e.fallbacks().stream().limit(1).forEach(f -> System.out.println("first fallback=" + f));
            e.profile(Tensor.zeros(1, g.input().shape())).stream().filter(t -> t.step().equals("conv2d_6"))
                    .forEach(t -> System.out.println("profile=" + t.implementation()));
        }
        for (String run : new String[] {"copyfree", "fp32"}) {
            EngineOptions with = run.equals("fp32") ? o.withGemm1x1(true).withPrecision(dev.inception.Precision.FP32)
                    : o.withGemm1x1(true).withCopyFreeConcat(true);
            try (InceptionV3Engine e = InceptionV3Engine.open(w, with)) {
                e.forward(x);
                mark(log, "begin " + run);
                e.forward(x);
                mark(log, "end " + run);
            }
        }
        System.out.println("ok");
    }

    /**
     * fp16, the fused plan, batch 2, graphs off: these options, after one of their passes marked "begin legacy" ..
     * "end legacy" (the pointers and streams a test compares a switched pass with).
     */
    private static EngineOptions legacyPass(Graph g, Weights w, java.nio.file.Path log) {
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2).withLowering(Lowering.FUSED)
                .withPrecision(dev.inception.Precision.FP16).withCudaGraphs(false);
        Tensor x = Tensor.zeros(2, g.input().shape());
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
            e.forward(x);
            mark(log, "begin legacy");
            e.forward(x);
            mark(log, "end legacy");
        }
        return o;
    }

    private static void writeString(java.nio.file.Path file, String text) {
        try {
            java.nio.file.Files.writeString(file, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Copy-free concatenation with the fake cuDNN refusing every strided output: the detour, then its reuse. */
    static void stridedRefused(Graph g, Weights w) {
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2).withCopyFreeConcat(true)
                .withCudaGraphs(false);
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
            e.forward(Tensor.zeros(2, g.input().shape()));
            int first = e.fallbacks().size();
            e.forward(Tensor.zeros(2, g.input().shape()));
            System.out.println("fallbacks after one pass=" + first + " after two=" + e.fallbacks().size());
            System.out.println("detours=" + e.fallbacks().stream().filter(f -> f.contains("dense output + concat"))
                    .count());
            e.fallbacks().stream().filter(f -> f.startsWith("conv2d_6 ")).forEach(f -> System.out.println("conv2d_6: " + f));
        }
        System.out.println("ok");
    }

    /** With the fake driver refusing every stream capture: one fallback, then every pass call by call. */
    static void captureRefused(Graph g, Weights w) {
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2);
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
            for (int i = 0; i < 4; i++) {
                e.forward(Tensor.zeros(2, g.input().shape()));
            }
            System.out.println("fallbacks=" + e.fallbacks());
            System.out.println("describe=" + e.describe().get(0));
        }
        System.out.println("ok");
    }

    /**
     * In each precision, with the fake refusing the first candidate (FAKE_CUDNN_FAILING_ALGO=6): the first pass falls
     * back to the second candidate, the second pass (marked in the log) runs it; prints conv2d_1's choice.
     */
    static void math(Graph g, Weights w, java.nio.file.Path log) {
        for (dev.inception.Precision p : dev.inception.Precision.values()) {
            EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(1)
                    .withLowering(Lowering.FUSED).withPrecision(p).withCudaGraphs(false);
            try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
                e.forward(Tensor.zeros(1, g.input().shape()));
                mark(log, "begin math " + p);
                e.forward(Tensor.zeros(1, g.input().shape()));
                mark(log, "end math " + p);
                e.describe().stream().filter(l -> l.contains("conv2d_1 ")).forEach(l ->
                        System.out.println(p + " choice=" + l.strip()));
            }
        }
    }

    /** With the fake cuDNN refusing fused calls and algorithm 6: every convolution falls back, then runs. */
    static void fallbacks(Graph g, Weights w) {
        EngineOptions o = EngineOptions.defaults().withBackend(Backend.GPU).withMaxBatch(2)
                .withLowering(Lowering.FUSED);
        try (InceptionV3Engine e = InceptionV3Engine.open(w, o)) {
            e.forward(Tensor.zeros(2, g.input().shape()));
            System.out.println("fallbacks after one pass=" + e.fallbacks().size());
            e.forward(Tensor.zeros(2, g.input().shape()));
            System.out.println("fallbacks after two passes=" + e.fallbacks().size());
            System.out.println("first fallback=" + e.fallbacks().get(0));
            System.out.println("second fallback=" + e.fallbacks().get(1));
            e.describe().stream().filter(l -> l.contains("conv2d_1 ")).forEach(l -> System.out.println("choice=" + l.strip()));
        }
        System.out.println("ok");
    }
}
