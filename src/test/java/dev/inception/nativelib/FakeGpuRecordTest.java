package dev.inception.nativelib;

import dev.inception.Precision;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.plan.Window;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the GPU executor asks cuDNN, cuBLAS and the driver to do, recorded by the fake GPU (FAKE_GPU_LOG, see
 * src/test/c/fake_gpu.c) during one forward pass, against the plan: every convolution's tensor, filter and
 * convolution descriptors (format, dimensions, padding, strides, dilation, mode, math), every pooling's mode and
 * window, the SGEMM of the Dense layer, the kernels launched, and no allocation or descriptor creation during a
 * pass. The expected values come from the plan's steps and cuDNN's enum values, not from the executor's code.
 */
class FakeGpuRecordTest {

    // cuDNN's enum values (cudnn_graph.h / cudnn_ops.h, unchanged from cuDNN 8 to 9)
    static final int NHWC = 1;
    static final int FLOAT = 0;
    static final int CROSS_CORRELATION = 1;
    static final int FMA_MATH = 3;
    static final int TENSOR_OP_MATH = 1;
    static final int HALF = 2;
    static final int BFLOAT16 = 9;
    // cudaDataType (library_types.h) and cublasComputeType_t (cublas_api.h)
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16F = 2;
    static final int CUDA_R_16BF = 14;
    static final int CUBLAS_COMPUTE_32F = 68;
    static final int CUBLAS_GEMM_DEFAULT = -1;
    static final int POOLING_MAX = 0;
    static final int POOLING_AVERAGE_EXCLUDE_PADDING = 2;
    static final int FAKE_BEST_ALGO = 6;    // what the fake's cudnnFind answers first
    static final int BATCH = 2;

    @TempDir
    static Path tmp;

    static List<String> log;
    static List<String> out;

    static FakeGpu.Recording recording;

    @BeforeAll
    static void record() throws Exception {
        recording = FakeGpu.record(tmp, "record");
        out = recording.probe().out();
        log = recording.log();
    }

    static List<String> between(String begin, String end) {
        return recording.between(begin, end);
    }

    static String tensor(Shape s) {
        return tensor(s, FLOAT);
    }

    static String tensor(Shape s, int type) {
        return NHWC + " " + type + " " + BATCH + " " + s.channels() + " " + s.height() + " " + s.width();
    }

    /** cuDNN's type of the activations (and of the weights convolutions read) in a precision. */
    static int storage(Precision p) {
        return p == Precision.FP16 ? HALF : p == Precision.BF16 ? BFLOAT16 : FLOAT;
    }

    static List<String> expectedCalls(Plan plan) {
        return expectedCalls(plan, Precision.FP32);
    }

    /** The calls of a pass with branch streams (the default): see {@link #expectedCalls(Plan, Precision, boolean)}. */
    static List<String> expectedCalls(Plan plan, Precision precision) {
        return expectedCalls(plan, precision, true);
    }

    /**
     * The calls that do each step's work, in the plan's order. In FP16 and BF16: 16-bit tensors and filters,
     * float32 convolution arithmetic with tensor-core math, the 16-bit concat kernel, and the Dense layer as
     * cublasGemmEx reading 16-bit operands into float32 logits with float32 accumulation.
     */
    /** A step's output as the fake records it: packed, or (a channel slice) strided inside its parent. */
    static String output(Plan plan, int tensor, int type) {
        dev.inception.plan.TensorSpec t = plan.tensor(tensor);
        if (!t.isSlice()) {
            return tensor(t.shape(), type);
        }
        Shape s = t.shape();
        int parent = plan.tensor(t.slice().parent()).shape().channels();
        return "-1 " + type + " " + BATCH + " " + s.channels() + " " + s.height() + " " + s.width() + " strides "
                + s.height() * s.width() * parent + " 1 " + s.width() * parent + " " + parent;
    }

    /**
     * With branch streams, a mixed block's parts are each copied into the block output right after the step that
     * makes it (on that branch's stream), and the concatenation step itself launches nothing; a pass without them
     * (a profile) copies every part at the concatenation.
     */
    static List<String> expectedCalls(Plan plan, Precision precision, boolean branchStreams) {
        int type = storage(precision);
        int math = precision == Precision.FP32 ? FMA_MATH : precision == Precision.TF32 ? 0 : TENSOR_OP_MATH;
        Map<Integer, List<Integer>> producers = branchStreams ? FakeGpuStreamsTest.producers(plan) : Map.of();
        java.util.Set<Integer> copiedAfter = new java.util.HashSet<>();
        producers.forEach((concat, steps) -> {
            if (!plan.inPlace((Step.Concat) plan.steps().get(concat))) {
                copiedAfter.addAll(steps);
            }
        });
        List<String> calls = new ArrayList<>();
        for (int st = 0; st < plan.steps().size(); st++) {
            Step s = plan.steps().get(st);
            stepCalls(plan, s, type, math, producers.containsKey(st), calls);
            if (copiedAfter.contains(st)) {
                calls.add("launch concat_nhwc_chunk16");
            }
        }
        return calls;
    }

    /** What one step launches itself (nothing for a concatenation whose parts were copied early). */
    private static void stepCalls(Plan plan, Step s, int type, int math, boolean copiedEarly, List<String> calls) {
        if (s instanceof Step.Conv c) {
            Window w = c.window();
            Shape in = plan.tensor(c.input()).shape();
            calls.add((c.foldedBn() != null ? "conv+bias+relu" : "conv") + " x " + tensor(in, type)
                    + " w " + NHWC + " " + type + " " + c.filters() + " " + in.channels() + " " + w.rows() + " "
                    + w.cols() + " conv " + w.padTop() + " " + w.padLeft() + " " + w.strideRows() + " "
                    + w.strideCols() + " 1 1 " + CROSS_CORRELATION + " " + FLOAT + " " + math
                    + " algo " + FAKE_BEST_ALGO + " y " + output(plan, c.output(), type));
        } else if (s instanceof Step.Pool) {
            // kernels/pooling.cu, 16 bytes of channels per thread: InceptionV3's channel counts are multiples of 8
            calls.add("launch " + poolKernel(type));
        } else if (s instanceof Step.GlobalPool gp) {
            Shape in = plan.tensor(gp.input()).shape();
            calls.add("pool mode " + mode(gp.mode()) + " window " + in.height() + " " + in.width() + " pad 0 0"
                    + " stride " + in.height() + " " + in.width() + " x " + tensor(in, type) + " y "
                    + tensor(plan.tensor(gp.output()).shape(), type));
        } else if (s instanceof Step.Dense d) {
            // y^T (units x batch) = W^T (units x inputs) x^T (inputs x batch), column-major, no transposes
            int inputs = plan.tensor(d.input()).shape().channels();
            if (type == FLOAT) {
                calls.add("sgemm 0 0 m " + d.units() + " n " + BATCH + " k " + inputs + " lda " + d.units()
                        + " ldb " + inputs + " ldc " + d.units());
            } else {
                int cuda = type == HALF ? CUDA_R_16F : CUDA_R_16BF;
                calls.add("gemmEx 0 0 m " + d.units() + " n " + BATCH + " k " + inputs + " a " + cuda + " lda "
                        + d.units() + " b " + cuda + " ldb " + inputs + " c " + CUDA_R_32F + " ldc " + d.units()
                        + " compute " + CUBLAS_COMPUTE_32F + " algo " + CUBLAS_GEMM_DEFAULT);
            }
        } else if (s instanceof Step.Concat c && !plan.inPlace(c) && !copiedEarly) {
            // whole 16-byte chunks in every precision: InceptionV3's channel counts are multiples of 8
            c.inputs().forEach(i -> calls.add("launch concat_nhwc_chunk16"));
        }
    }

    static int mode(PoolMode m) {
        return m == PoolMode.MAX ? POOLING_MAX : POOLING_AVERAGE_EXCLUDE_PADDING;
    }

    /**
     * With --cudnn-pooling, every pooling step is cudnnPoolingForward with the plan's mode (cuDNN's average excludes
     * padding, as Keras's does), window, padding and strides, over the step's tensors.
     */
    @org.junit.jupiter.api.Test
    void cudnnPoolingDescribesThePlansPoolings() {
        Plan plan = Planner.lower(InceptionV3.build(), Lowering.FUSED, List.of("avg_pool"));
        List<String> expected = new ArrayList<>();
        for (Step s : plan.steps()) {
            if (s instanceof Step.Pool p) {
                Window w = p.window();
                expected.add("pool mode " + mode(p.mode()) + " window " + w.rows() + " " + w.cols() + " pad "
                        + w.padTop() + " " + w.padLeft() + " stride " + w.strideRows() + " " + w.strideCols() + " x "
                        + tensor(plan.tensor(p.input()).shape()) + " y " + tensor(plan.tensor(p.output()).shape()));
            }
        }
        List<String> pass = between("begin cudnn pooling", "end cudnn pooling");
        List<String> pools = pass.stream().filter(l -> l.startsWith("pool")).toList();
        // the global average pooling (avg_pool) is cuDNN's in every configuration
        assertEquals(expected, pools.subList(0, pools.size() - 1));
        assertTrue(pass.stream().noneMatch(l -> l.startsWith("launch pool")), "a pooling kernel ran");
    }

    static String poolKernel(int type) {
        return type == FLOAT ? "pool_nhwc_f32x4" : type == HALF ? "pool_nhwc_f16x8" : "pool_nhwc_bf16x8";
    }

    /** A recorded launch's arguments, after "args ": name value pairs and the twelve geometry numbers. */
    static List<String> args(String line) {
        return List.of(line.substring(line.indexOf(" args ") + 6).split(" "));
    }

    /**
     * Every pooling kernel launch of a forward pass carries the plan's geometry (kernels/pooling.cu's struct
     * PoolGeometry: input height, width, channels, output height, width, window, strides, padding before, output
     * pixel stride), mode (0 max, 1 average) and thread count (4 channels per thread in float32), reads its input
     * and writes its output where the arena puts them; and every concat launch copies whole 16-byte chunks (4
     * floats) at the part's channel offset. The numbers come from the plan, not from the executor.
     */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void poolingAndConcatKernelsGetThePlansGeometry(Lowering lowering) {
        // as the engine lowers it for branch streams (on by default): the offsets differ from a sequential plan's
        Plan plan = Planner.lower(InceptionV3.build(), lowering, List.of("avg_pool"),
                dev.inception.plan.ConcatPlacement.COPY, true);
        List<String> pass = between("begin forward " + lowering, "end forward " + lowering);
        List<String> launches = pass.stream().filter(l -> l.startsWith("launch pool")).toList();
        // with branch streams the part copies run in branch order, not plan order: compared as sorted lists
        List<String> copies = new ArrayList<>(pass.stream().filter(l -> l.startsWith("launch concat"))
                .map(l -> String.join(" ", args(l).subList(4, 12))).sorted().toList());
        List<String> expectedCopies = new ArrayList<>();
        int at = 0;
        for (Step s : plan.steps()) {
            if (s instanceof Step.Pool p) {
                Shape in = plan.tensor(p.input()).shape();
                Shape o = plan.tensor(p.output()).shape();
                Window w = p.window();
                List<String> a = args(launches.get(at++));
                assertEquals(List.of(String.valueOf(in.height()), String.valueOf(in.width()),
                        String.valueOf(in.channels()), String.valueOf(o.height()), String.valueOf(o.width()),
                        String.valueOf(w.rows()), String.valueOf(w.cols()), String.valueOf(w.strideRows()),
                        String.valueOf(w.strideCols()), String.valueOf(w.padTop()), String.valueOf(w.padLeft()),
                        String.valueOf(o.channels())), a.subList(5, 17), p.name());
                assertEquals(List.of("mode", p.mode() == PoolMode.MAX ? "0" : "1", "n",
                        String.valueOf((long) BATCH * o.height() * o.width() * o.channels() / 4)), a.subList(17, 21),
                        p.name());
                // arena offsets are per image, in floats: the batch multiplies them
                long arena = Long.parseLong(a.get(3)) - (long) plan.tensor(p.input()).offset() * BATCH * Float.BYTES;
                assertEquals(arena + (long) plan.tensor(p.output()).offset() * BATCH * Float.BYTES,
                        Long.parseLong(a.get(1)), p.name() + ": y");
            } else if (s instanceof Step.Concat c) {
                int total = plan.tensor(c.output()).shape().channels();
                int offset = 0;
                for (int part : c.inputs()) {
                    Shape ps = plan.tensor(part).shape();
                    expectedCopies.add(String.join(" ", "n",
                            String.valueOf((long) BATCH * ps.height() * ps.width() * ps.channels() / 4),
                            "part", String.valueOf(ps.channels() / 4), "total", String.valueOf(total / 4), "offset",
                            String.valueOf(offset / 4)));
                    offset += ps.channels();
                }
            }
        }
        assertEquals(launches.size(), at, "pooling launches left over");
        assertEquals(expectedCopies.stream().sorted().toList(), copies);
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void everyCallOfAForwardPassMatchesThePlan(Lowering lowering) {
        Graph g = InceptionV3.build();
        List<String> expected = expectedCalls(Planner.lower(g, lowering, List.of("avg_pool")));
        List<String> actual = between("begin forward " + lowering, "end forward " + lowering).stream()
                .filter(l -> l.startsWith("conv") || l.startsWith("pool") || l.startsWith("sgemm")
                        || l.startsWith("launch"))
                .map(l -> l.startsWith("launch") ? l.substring(0, l.indexOf(" grid")) : l)
                .toList();
        assertEquals(expected.size(), actual.size(), "calls in one forward pass");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "call " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void aForwardPassAllocatesNothingAndCreatesNoDescriptor(Lowering lowering) {
        for (String l : between("begin forward " + lowering, "end forward " + lowering)) {
            assertTrue(!l.startsWith("alloc") && !l.startsWith("create"), l);
        }
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void imagesArePreprocessedOnTheGpuExactlyOncePerBatch(Lowering lowering) {
        List<String> calls = between("begin images " + lowering, "end images " + lowering);
        assertEquals(1, calls.stream().filter(l -> l.startsWith("launch preprocess_u8_f32 ")).count(), calls.toString());
        // a float batch is uploaded as it is: no preprocessing
        assertEquals(0, between("begin forward " + lowering, "end forward " + lowering).stream()
                .filter(l -> l.startsWith("launch preprocess_u8_f32 ")).count());
        // the preprocess kernel writes the plan's input before the first convolution reads it
        int preprocess = indexOf(calls, "launch preprocess_u8_f32 ");
        int firstConv = indexOf(calls, "conv");
        assertTrue(preprocess >= 0 && preprocess < firstConv, calls.toString());
    }

    /**
     * Copy-free concatenation: each branch's last convolution or pooling writes into its channel slice of the block
     * output, through a strided descriptor or the pooling kernel's pixel stride (pixels as far apart as the block
     * output has channels) and a pointer at its channel offset, and no concat kernel runs.
     */
    @org.junit.jupiter.api.Test
    void copyFreeConcatWritesEachBranchIntoItsChannelSlice() {
        Plan plan = Planner.lower(InceptionV3.build(), Lowering.FUSED, List.of("avg_pool"),
                dev.inception.plan.ConcatPlacement.IN_PLACE, true);
        List<String> pass = between("begin copyfree", "end copyfree");
        assertEquals(expectedCalls(plan), work(pass));
        assertTrue(pass.stream().noneMatch(l -> l.startsWith("launch concat")), "a concat kernel ran");
        // the y pointer each convolution wrote to, in plan order
        List<Long> ys = pass.stream().filter(l -> l.startsWith("on stream ") && l.contains(" y "))
                .map(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).toList();
        List<String> pools = pass.stream().filter(l -> l.startsWith("launch pool")).toList();
        Map<Integer, Long> yOf = new java.util.HashMap<>();
        int conv = 0;
        int pool = 0;
        int slicedPools = 0;
        for (Step s : plan.steps()) {
            if (s instanceof Step.Conv) {
                yOf.put(s.output(), ys.get(conv++));
            } else if (s instanceof Step.Pool) {
                List<String> a = args(pools.get(pool++));
                yOf.put(s.output(), Long.parseLong(a.get(1)));
                dev.inception.plan.TensorSpec t = plan.tensor(s.output());
                if (t.isSlice()) {
                    // the kernel's output pixels are as far apart as the block output has channels
                    assertEquals(String.valueOf(plan.tensor(t.slice().parent()).shape().channels()), a.get(16),
                            s.name());
                    slicedPools++;
                }
            }
        }
        assertEquals(ys.size(), conv);
        assertEquals(pools.size(), pool);
        assertEquals(2, slicedPools, "mixed3's and mixed8's max pooling branches");
        int checked = 0;
        for (Step s : plan.steps()) {
            if (s instanceof Step.Concat c && plan.inPlace(c)) {
                long base = -1;
                for (int part : c.inputs()) {
                    dev.inception.plan.TensorSpec t = plan.tensor(part);
                    if (yOf.containsKey(part)) {
                        long at = yOf.get(part) - (long) t.slice().channelOffset() * Float.BYTES;
                        assertTrue(base < 0 || base == at, c.name() + ": " + t.name() + " is not at its channel offset");
                        base = at;
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 30, checked + " branch outputs checked");
    }

    /** Every batch size's algorithms are measured (cudnnFind), never taken from the heuristic. */
    @org.junit.jupiter.api.Test
    void algorithmsAreMeasuredNeverGuessed() {
        assertTrue(log.stream().anyMatch(l -> l.equals("algorithm search: find")));
        assertTrue(log.stream().noneMatch(l -> l.equals("algorithm search: heuristic")));
    }

    /** The calls that do a step's work (or replay them all), as the plan-derived expectations spell them. */
    static List<String> work(List<String> lines) {
        return lines.stream()
                .filter(l -> l.startsWith("conv") || l.startsWith("pool") || l.startsWith("sgemm")
                        || l.startsWith("gemmEx") || l.startsWith("launch") || l.startsWith("graph launch"))
                .map(l -> l.startsWith("launch") ? l.substring(0, l.indexOf(" grid")) : l)
                .toList();
    }

    /**
     * With CUDA graphs on, the second pass at a batch size is recorded by stream capture (thread-local mode, 1):
     * the same calls as an eager pass, all inside the capture, nothing that allocates, waits, creates or searches
     * for algorithms (the fake driver refuses those during capture, as the real one does), then one launch.
     */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void theSecondPassIsCapturedCallForCallAndLaunchedOnce(Lowering lowering) {
        List<String> pass = between("begin capture " + lowering, "end capture " + lowering);
        int begin = pass.indexOf("capture begin mode 1");
        int end = pass.indexOf("capture end");
        assertTrue(begin >= 0 && end > begin, pass.toString());
        List<String> expected = new ArrayList<>(expectedCalls(Planner.lower(InceptionV3.build(), lowering,
                List.of("avg_pool"))));
        assertEquals(expected, work(pass.subList(begin + 1, end)), "captured calls");
        assertEquals(List.of("graph launch"), work(pass.subList(end + 1, pass.size())), "after the capture");
        for (String l : pass) {
            assertTrue(!l.startsWith("illegal") && !l.startsWith("algorithm search") && !l.startsWith("alloc")
                    && !l.startsWith("create"), l);
        }
    }

    /**
     * Later passes are one graph launch each; images add only their preprocess kernel before it. --verbose says how
     * many operations a replayed pass launches: the graph's nodes as the driver counts them, here as many as the
     * fake recorded kernel launches and copies during the capture (its cuDNN and cuBLAS launch none of their own).
     */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void laterPassesAreOneGraphLaunch(Lowering lowering) {
        assertEquals(List.of("graph launch"), work(between("end capture " + lowering, "end replay " + lowering)));
        assertEquals(List.of("launch preprocess_u8_f32", "graph launch"),
                work(between("end replay " + lowering, "end replayed images " + lowering)));
        List<String> pass = between("begin capture " + lowering, "end capture " + lowering);
        long nodes = pass.subList(pass.indexOf("capture begin mode 1"), pass.indexOf("capture end")).stream()
                .filter(l -> l.startsWith("launch ") || l.startsWith("copy dtod ")).count();
        assertTrue(nodes > 10, "pooling and concat kernels, the branches' copies: " + nodes);
        assertTrue(out.stream().anyMatch(l -> l.startsWith(lowering + " graphs gpu: Fake GPU, FP32, CUDA graphs on"
                + " (replaying batch 2 (" + nodes + " graph nodes)),")), String.join("\n", out));
    }

    /**
     * A profile times each step between two events: on a batch size's first profile by running it (the calls of a
     * pass, in order), on later ones by capturing it alone into a graph of its own (once per step) and replaying that
     * graph five times, its time divided by five (the fake's events always measure 1.5 ms).
     */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void laterProfilesReplayEachStepFromAGraphOfItsOwn(Lowering lowering) {
        Plan plan = Planner.lower(InceptionV3.build(), lowering, List.of("avg_pool"), dev.inception.plan.ConcatPlacement.COPY,
                true);
        List<String> first = between("begin first profile " + lowering, "begin step graphs " + lowering);
        assertEquals(expectedCalls(plan, Precision.FP32, false), work(first));
        assertTrue(work(first).stream().noneMatch(l -> l.equals("graph launch")), "a graph in the first profile");
        List<String> later = between("begin step graphs " + lowering, "end step graphs " + lowering);
        int steps = plan.steps().size();
        assertEquals(steps, later.stream().filter(l -> l.equals("capture begin mode 1")).count());
        assertEquals(5L * steps, later.stream().filter(l -> l.equals("graph launch")).count());
        // every call of the pass inside a capture, nothing illegal
        assertEquals(expectedCalls(plan, Precision.FP32, false),
                work(later).stream().filter(l -> !l.equals("graph launch")).toList());
        assertTrue(later.stream().noneMatch(l -> l.startsWith("illegal")), later.toString());
        String name = plan.steps().get(0).name();
        // (0 graph nodes: the fake cuDNN launches nothing through the driver; a real convolution is one or more)
        assertTrue(out.contains(lowering + " step graphs " + steps + " first=StepTime[step=" + name
                + ", milliseconds=0.3, implementation=cudnn WINOGRAD (FMA_MATH) (0 graph nodes)]"), String.join("\n", out));
        // each step's node count, as the driver counts its graph's nodes, is what its capture launched and copied
        List<String> reported = out.stream().filter(l -> l.startsWith(lowering + " step ")
                && !l.startsWith(lowering + " step graphs ")).toList();
        assertEquals(steps, reported.size());
        int at = 0;
        for (String step : reported) {
            int begin = later.subList(at, later.size()).indexOf("capture begin mode 1") + at;
            int end = later.subList(begin, later.size()).indexOf("capture end") + begin;
            long launched = later.subList(begin, end).stream()
                    .filter(l -> l.startsWith("launch ") || l.startsWith("copy dtod ")).count();
            assertTrue(step.endsWith(" (" + launched + (launched == 1 ? " graph node)" : " graph nodes)")), step);
            at = end;
        }
        assertTrue(reported.stream().anyMatch(l -> l.endsWith("(4 graph nodes)")), "a concat of four parts");
        assertTrue(later.stream().noneMatch(l -> l.startsWith("illegal")), "cuGraphGetNodes with an array");
    }

    /**
     * FP16 and BF16 passes: every call as the plan implies in 16 bits; batch-norm parameters float32 beside 16-bit
     * x and y (cuDNN's rule); the classifier's end float32 (the Dense bias added to float32 logits, the softmax
     * reading and writing float32); images preprocessed by the kernel that writes the precision's type.
     */
    @ParameterizedTest
    @CsvSource({"FP16,FUSED", "FP16,FAITHFUL", "BF16,FUSED", "BF16,FAITHFUL"})
    void sixteenBitPassesStoreActivationsIn16BitsAndTheLogitsInFloat32(Precision precision, Lowering lowering) {
        List<String> pass = between("begin forward " + precision + " " + lowering, "end forward " + precision + " "
                + lowering);
        Plan plan = Planner.lower(InceptionV3.build(), lowering, List.of("avg_pool"));
        // a float32 batch goes up as it is (4 bytes an element) and is narrowed on the device once, before the first
        // convolution reads it (anInputRoundTripsThroughTheArenaAsItsPrecisionStoresIt checks where it lands)
        List<String> calls = work(pass);
        String narrow = precision == Precision.FP16 ? "launch narrow_f32_f16" : "launch narrow_f32_bf16";
        assertEquals(narrow, calls.get(0), "the first call of a pass from float32 inputs");
        long floatBytes = 2 * InceptionV3.build().input().shape().elements() * 4;
        assertEquals(floatBytes, pass.stream().filter(l -> l.startsWith("copy htod "))
                .mapToLong(l -> Long.parseLong(l.split(" ")[2])).sum(), "bytes uploaded");
        assertEquals(expectedCalls(plan, precision), calls.subList(1, calls.size()), "calls in one forward pass");
        int type = storage(precision);
        Shape logits = Shape.vector(1000);
        assertTrue(pass.contains("softmax x " + tensor(logits) + " y " + tensor(logits)), pass.toString());
        assertTrue(pass.contains("add a " + NHWC + " " + FLOAT + " 1 1000 1 1 c " + tensor(logits)), pass.toString());
        List<String> norms = pass.stream().filter(l -> l.startsWith("batchnorm")).toList();
        assertEquals(lowering == Lowering.FAITHFUL ? 94 : 0, norms.size());
        for (String l : norms) {
            String[] f = l.split(" ");
            // "batchnorm x fmt type n c h w y fmt type ... params fmt type ..."
            assertEquals(type, Integer.parseInt(f[3]), l);
            assertEquals(type, Integer.parseInt(f[10]), l);
            assertEquals(FLOAT, Integer.parseInt(f[17]), l);
        }
        String kernel = precision == Precision.FP16 ? "launch preprocess_u8_f16" : "launch preprocess_u8_bf16";
        assertEquals(1, work(between("end forward " + precision + " " + lowering, "end images " + precision + " "
                + lowering)).stream().filter(kernel::equals).count());
    }

    /**
     * An input comes back from the arena as float32: unchanged, or rounded to 16 bits (by the fake's narrowing
     * kernel, whose rounding is not HalfFloats', which gives the expected values), so the float32 upload and the
     * kernel's source, destination and count all were right.
     */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void anInputRoundTripsThroughTheArenaAsItsPrecisionStoresIt(Precision p) {
        boolean sixteen = p == Precision.FP16 || p == Precision.BF16;
        assertTrue(out.contains("input round trip " + p + "=true unchanged=" + !sixteen), String.join("\n", out));
        assertTrue(out.contains("submitted round trip " + p + "=true"), String.join("\n", out));
        assertTrue(out.contains("images too large for a slot " + p + "=true"), String.join("\n", out));
    }

    static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
