package dev.inception.nativelib;

import dev.inception.model.InceptionV3;
import dev.inception.plan.Branches;
import dev.inception.plan.ConcatPlacement;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Branch streams on the fake GPU, from its call log (FAKE_GPU_LOG; every cuDNN call recorded with its handle's
 * stream, every kernel launch with its stream, every event record and stream wait): the branches of each mixed
 * block run on their own streams (branch b on lane b, branch 0 on the main stream, everything else on the main
 * stream), each side lane starts after the block's fork event and the concatenation waits for every lane's join
 * event, concurrent convolutions use disjoint workspace slices, a profile runs everything on one stream, and a
 * captured pass with branch streams breaks no capture rule. The expectations come from the plan's branches
 * (Branches, checked against Keras's source by BranchesTest), not from the executor's code.
 */
class FakeGpuStreamsTest {

    @TempDir
    static Path tmp;

    static List<String> out;

    static FakeGpu.Recording recording;

    @BeforeAll
    static void record() throws Exception {
        recording = FakeGpu.record(tmp, "streams");
        out = recording.probe().out();
    }

    /** One recorded call that does a step's work, its position in the pass and the stream it ran on. */
    record Call(int at, String line, int stream, long workspace, long workspaceBytes) {
    }

    /** cuBLAS calls carry no stream in the log; the executor issues them on the main stream only. */
    static final int CUBLAS = -1;

    static List<Call> calls(List<String> pass) {
        List<Call> calls = new ArrayList<>();
        int stream = 0;
        long ws = -1;
        long wsBytes = 0;
        for (int i = 0; i < pass.size(); i++) {
            String[] f = pass.get(i).split(" ");
            String l = pass.get(i);
            if (l.startsWith("on stream ")) {
                stream = Integer.parseInt(f[2]);
                ws = f.length > 4 ? Long.parseLong(f[4]) : -1;
                wsBytes = f.length > 5 ? Long.parseLong(f[5]) : 0;
            } else if (l.startsWith("launch ")) {
                calls.add(new Call(i, l, Integer.parseInt(f[List.of(f).indexOf("stream") + 1]), -1, 0));
            } else if (l.startsWith("conv") || l.startsWith("pool") || l.startsWith("batchnorm")
                    || l.startsWith("activation") || l.startsWith("softmax")) {
                calls.add(new Call(i, l, stream, l.startsWith("conv") ? ws : -1, wsBytes));
            } else if (l.startsWith("sgemm")) {
                calls.add(new Call(i, l, CUBLAS, -1, 0));
            }
        }
        return calls;
    }

    /** How many recorded calls each step makes: one, or one concat launch per part. */
    static int callsOf(Step s) {
        return s instanceof Step.Concat c ? c.inputs().size() : 1;
    }

    static Plan plan(Lowering lowering) {
        return Planner.lower(InceptionV3.build(), lowering, List.of("avg_pool"), ConcatPlacement.COPY, true);
    }

    static List<String> between(String begin, String end) {
        return recording.between(begin, end);
    }

    /**
     * For each outermost block's concatenation, the steps that make its parts, in part order: with branch streams
     * each part is copied right after its step, on its branch's lane, not by the concatenation step itself.
     */
    static java.util.Map<Integer, List<Integer>> producers(Plan plan) {
        java.util.Map<Integer, List<Integer>> producers = new java.util.HashMap<>();
        for (Branches.Block b : Branches.outermost(Branches.of(plan))) {
            List<Integer> parts = plan.steps().get(b.concatStep()).inputs();
            List<Integer> steps = new ArrayList<>();
            for (int br = 0; br < parts.size(); br++) {
                int part = parts.get(br);
                steps.add(b.branches().get(br).stream().filter(st -> plan.steps().get(st).output() == part)
                        .findFirst().orElseThrow());
            }
            producers.put(b.concatStep(), steps);
        }
        return producers;
    }

    /**
     * Each step's calls, in plan order; an outermost concatenation's are its part copies, in part order, each
     * recorded right after the calls of the step that makes the part.
     */
    static List<List<Call>> byStep(Plan plan, List<Call> calls) {
        java.util.Map<Integer, List<Integer>> producers = producers(plan);
        java.util.Map<Integer, Integer> copyFor = new java.util.HashMap<>();   // producer step -> its concat step
        producers.forEach((concat, steps) -> steps.forEach(st -> copyFor.put(st, concat)));
        List<List<Call>> steps = new ArrayList<>();
        plan.steps().forEach(s -> steps.add(new ArrayList<>()));
        java.util.Map<Integer, Call[]> copies = new java.util.HashMap<>();
        producers.forEach((concat, ps) -> copies.put(concat, new Call[ps.size()]));
        int cursor = 0;
        for (int st = 0; st < plan.steps().size(); st++) {
            int own = producers.containsKey(st) ? 0 : callsOf(plan.steps().get(st));
            steps.get(st).addAll(calls.subList(cursor, cursor + own));
            cursor += own;
            if (copyFor.containsKey(st)) {
                int concat = copyFor.get(st);
                copies.get(concat)[producers.get(concat).indexOf(st)] = calls.get(cursor++);
            }
        }
        copies.forEach((concat, cs) -> steps.get(concat).addAll(List.of(cs)));
        assertEquals(calls.size(), cursor, "calls in one pass");
        return steps;
    }

    static int indexOf(List<String> pass, String line, int from, int to) {
        for (int i = from; i < to; i++) {
            if (pass.get(i).equals(line)) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void eachBranchRunsOnItsLaneBetweenForkAndJoinEvents(Lowering lowering) {
        Plan plan = plan(lowering);
        List<String> pass = between("begin streams " + lowering, "end streams " + lowering);
        List<List<Call>> steps = byStep(plan, calls(pass));
        int main = steps.get(0).get(0).stream();
        List<Branches.Block> blocks = Branches.outermost(Branches.of(plan));
        Set<Integer> sideStreams = new HashSet<>();
        for (Branches.Block b : blocks) {
            int lanes = Math.min(b.branches().size(), 4);
            int[] stream = new int[lanes];
            for (int br = 0; br < b.branches().size(); br++) {
                stream[br % lanes] = steps.get(b.branches().get(br).get(0)).get(0).stream();
            }
            for (int br = 0; br < b.branches().size(); br++) {
                for (int st : b.branches().get(br)) {
                    for (Call c : steps.get(st)) {
                        assertEquals(stream[br % lanes], c.stream(), b.name() + " branch " + br + ": " + c.line());
                    }
                }
            }
            assertEquals(main, stream[0], b.name() + ": the first branch stays on the main stream");
            Set<Integer> distinct = new HashSet<>();
            for (int lane = 0; lane < lanes; lane++) {
                assertTrue(distinct.add(stream[lane]), b.name() + ": two lanes share stream " + stream[lane]);
            }
            for (int lane = 1; lane < lanes; lane++) {
                sideStreams.add(stream[lane]);
            }
            int blockStart = b.branches().stream().mapToInt(br -> br.get(0)).min().orElseThrow();
            int inputReady = steps.get(blockStart - 1).get(callsOf(plan.steps().get(blockStart - 1)) - 1).at();
            // where the block is over: the first call after it (InceptionV3 has a step after every block)
            int concatAt = steps.get(b.concatStep() + 1).get(0).at();
            List<Integer> makers = producers(plan).get(b.concatStep());
            for (int lane = 1; lane < lanes; lane++) {
                int s = stream[lane];
                List<Call> onLane = new ArrayList<>();
                for (int br = lane; br < b.branches().size(); br += lanes) {
                    b.branches().get(br).forEach(st -> onLane.addAll(steps.get(st)));
                }
                int first = onLane.stream().mapToInt(Call::at).min().orElseThrow();
                int last = onLane.stream().mapToInt(Call::at).max().orElseThrow();
                // the fork: recorded on the main stream after the block's input, waited for by this lane
                int waitAt = -1;
                int forkAt = -1;
                for (int i = inputReady; i < first; i++) {
                    String l = pass.get(i);
                    if (l.startsWith("stream " + s + " waits for event ")) {
                        String fork = l.substring(l.lastIndexOf(' ') + 1);
                        waitAt = i;
                        forkAt = indexOf(pass, "event " + fork + " record on stream " + main, inputReady, i);
                    }
                }
                assertTrue(forkAt > inputReady && waitAt > forkAt, b.name() + " lane " + lane + ": no fork after the"
                        + " block input and before the lane's first call");
                // the join: recorded on this lane after its last call, waited for by the main stream before concat
                int joinAt = -1;
                String join = null;
                for (int i = last + 1; i < concatAt; i++) {
                    if (pass.get(i).startsWith("event ") && pass.get(i).endsWith(" record on stream " + s)) {
                        joinAt = i;
                        join = pass.get(i).split(" ")[1];
                    }
                }
                assertTrue(joinAt > last, b.name() + " lane " + lane + ": no join event after its last call");
                // each part this lane makes is copied into the block output on this lane, before the join
                for (int br = lane; br < b.branches().size(); br += lanes) {
                    Call copy = steps.get(b.concatStep()).get(br);
                    List<Call> maker = steps.get(makers.get(br));
                    assertTrue(copy.line().startsWith("launch concat_nhwc_"), copy.line());
                    assertEquals(s, copy.stream(), b.name() + " part " + br + " copied on another stream");
                    assertTrue(copy.at() > maker.get(maker.size() - 1).at() && copy.at() < joinAt,
                            b.name() + " part " + br + ": not copied between its step and the lane's join");
                }
                assertTrue(indexOf(pass, "stream " + main + " waits for event " + join, joinAt, concatAt) > joinAt,
                        b.name() + " lane " + lane + ": the concatenation does not wait for the lane");
            }
            // convolutions that may run at the same time have disjoint workspace slices
            List<Call> convs = new ArrayList<>();
            b.branches().forEach(br -> br.forEach(st -> steps.get(st).stream()
                    .filter(c -> c.workspace() >= 0).forEach(convs::add)));
            for (Call x : convs) {
                for (Call y : convs) {
                    if (x.stream() != y.stream()) {
                        assertTrue(x.workspace() + x.workspaceBytes() <= y.workspace()
                                || y.workspace() + y.workspaceBytes() <= x.workspace(), b.name() + ": " + x + " / " + y);
                    }
                }
            }
        }
        assertEquals(3, sideStreams.size(), "side streams: " + sideStreams);
        Set<Integer> inBlocks = new HashSet<>();
        blocks.forEach(b -> b.branches().forEach(inBlocks::addAll));
        // the first part's copy is on the main stream (branch 0's lane), the others checked above
        blocks.forEach(b -> assertEquals(main, steps.get(b.concatStep()).get(0).stream(), b.name()));
        blocks.forEach(b -> inBlocks.add(b.concatStep()));
        for (int st = 0; st < plan.steps().size(); st++) {
            for (Call c : steps.get(st)) {
                if (!inBlocks.contains(st) && c.stream() != CUBLAS) {
                    assertEquals(main, c.stream(), plan.steps().get(st).name() + " is not in a branch: " + c.line());
                }
            }
        }
    }

    /** A profile times each step alone: every call on one stream, with no fork or join. */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void aProfileRunsEveryStepOnOneStream(Lowering lowering) {
        List<String> profile = between("end streams " + lowering, "end profile " + lowering);
        assertEquals(1, streams(profile).size(), streams(profile).toString());
        assertTrue(profile.stream().noneMatch(l -> l.contains(" waits for event ")), "a wait in a profile");
    }

    /**
     * Above the largest batch that uses branch streams (here 1) a pass runs every call on one stream with no fork or
     * join; at or below it, the branches still go to their lanes.
     */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void largerBatchesThanTheStreamsMaximumRunOnOneStream(Lowering lowering) {
        List<String> above = between("begin above streams " + lowering, "end above streams " + lowering);
        assertEquals(1, streams(above).size(), streams(above).toString());
        assertTrue(above.stream().noneMatch(l -> l.contains(" waits for event ")), "a wait above the maximum");
        List<String> below = between("begin below streams " + lowering, "end below streams " + lowering);
        assertEquals(4, streams(below).size(), streams(below).toString());
    }

    /** The streams a pass's cuDNN calls and kernel launches went to. */
    static Set<Integer> streams(List<String> pass) {
        Set<Integer> streams = new HashSet<>();
        calls(pass).stream().filter(c -> c.stream() != CUBLAS).forEach(c -> streams.add(c.stream()));
        return streams;
    }

    /** Captured with branch streams: every fork and join inside the capture, nothing illegal, then one launch. */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void aPassWithBranchStreamsIsCapturedWhole(Lowering lowering) {
        List<String> pass = between("begin captured streams " + lowering, "end captured streams " + lowering);
        int begin = pass.indexOf("capture begin mode 1");
        int end = pass.indexOf("capture end");
        assertTrue(begin >= 0 && end > begin, pass.toString());
        assertTrue(pass.stream().noneMatch(l -> l.startsWith("illegal")), pass.toString());
        for (int i = 0; i < pass.size(); i++) {
            if (pass.get(i).contains(" waits for event ")) {
                assertTrue(i > begin && i < end, "a wait outside the capture: " + pass.get(i));
            }
        }
        assertEquals(1, pass.subList(end, pass.size()).stream().filter(l -> l.equals("graph launch")).count());
        assertTrue(out.stream().anyMatch(l -> l.startsWith(lowering + " gpu: Fake GPU, FP32, CUDA graphs off")
                && l.contains("branch streams 4")), String.join("\n", out));
    }
}
