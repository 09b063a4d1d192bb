package dev.inception.plan;

import dev.inception.Taps;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PlannerTest {

    private final Graph graph = InceptionV3.build();

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void everyTensorIsWrittenBeforeItIsRead(Lowering lowering) {
        Plan plan = Planner.lower(graph, lowering);
        Set<Integer> written = new HashSet<>(List.of(plan.input()));
        for (Step s : plan.steps()) {
            for (int in : s.inputs()) {
                assertTrue(written.contains(in), s.name() + " reads tensor " + plan.tensor(in).name() + " before it is written");
            }
            assertTrue(written.add(s.output()), s.name() + " writes a tensor that was already written");
        }
        assertTrue(written.contains(plan.output()));
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void tensorsAliveAtTheSameTimeNeverOverlap(Lowering lowering) {
        Plan plan = Planner.lower(graph, lowering, Taps.of(graph).values());
        int n = plan.tensors().size();
        int[][] life = lifetimes(plan);
        int[] first = life[0];
        int[] last = life[1];
        for (int a = 0; a < n; a++) {
            TensorSpec ta = plan.tensor(a);
            assertTrue(ta.offset() >= 0 && ta.offset() + ta.elements() <= plan.arenaElements(), ta.name() + " outside the arena");
            for (int b = a + 1; b < n; b++) {
                TensorSpec tb = plan.tensor(b);
                boolean liveTogether = first[a] <= last[b] && first[b] <= last[a];
                boolean overlap = ta.offset() < tb.offset() + tb.elements() && tb.offset() < ta.offset() + ta.elements();
                if (liveTogether && overlap) {
                    fail(ta.name() + " and " + tb.name() + " are alive together and overlap in the arena");
                }
            }
        }
    }

    /**
     * In-place concatenation: each branch's last output is a channel slice of its block's output (mixed9's nested
     * concatenations resolved to mixed9), and no two tensors alive at the same time share memory unless one is a
     * slice of the other or both are slices of one tensor at different channels.
     */
    @Test
    void inPlaceConcatenationSlicesTheBlockOutputAndKeepsLiveTensorsApart() {
        Plan plan = Planner.lower(graph, Lowering.FUSED, Taps.of(graph).values(), ConcatPlacement.IN_PLACE);
        int mixed0 = plan.tensorOf("mixed0").id();
        // Keras: mixed0 = [activation_6 (64), activation_8 (64), activation_11 (96), activation_12 (32)]
        int[] expectedOffsets = {0, 64, 128, 224};
        String[] parts = {"activation_6", "activation_8", "activation_11", "activation_12"};
        for (int i = 0; i < parts.length; i++) {
            TensorSpec t = tensorNamed(plan, parts[i]);
            assertEquals(new TensorSpec.Slice(mixed0, expectedOffsets[i]), t.slice(), parts[i]);
        }
        // mixed9 = [activation_77 (320), mixed9_0 (768), concatenate_1 (768), activation_85 (192)]; mixed9_0's
        // parts activation_79 and activation_80 land at 320 and 704 of mixed9
        int mixed9 = plan.tensorOf("mixed9").id();
        assertEquals(new TensorSpec.Slice(mixed9, 320), tensorNamed(plan, "activation_79").slice());
        assertEquals(new TensorSpec.Slice(mixed9, 704), tensorNamed(plan, "activation_80").slice());
        assertTrue(plan.steps().stream().filter(st -> st instanceof Step.Concat).map(st -> (Step.Concat) st)
                .allMatch(plan::inPlace), "every concatenation is in place in the fused plan");

        int n = plan.tensors().size();
        int[][] life = lifetimes(plan);
        int[] first = life[0];
        int[] last = life[1];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                TensorSpec ta = plan.tensor(plan.root(a));
                TensorSpec tb = plan.tensor(plan.root(b));
                boolean liveTogether = first[a] <= last[b] && first[b] <= last[a];
                boolean overlap = ta.offset() < tb.offset() + tb.elements() && tb.offset() < ta.offset() + ta.elements();
                if (liveTogether && overlap && ta.id() != tb.id()) {
                    fail(plan.tensor(a).name() + " and " + plan.tensor(b).name() + " are alive together and overlap");
                }
                if (ta.id() == tb.id() && plan.tensor(a).isSlice() && plan.tensor(b).isSlice()) {
                    TensorSpec.Slice sa = plan.tensor(a).slice();
                    TensorSpec.Slice sb = plan.tensor(b).slice();
                    boolean channelsOverlap = sa.channelOffset() < sb.channelOffset() + plan.tensor(b).shape().channels()
                            && sb.channelOffset() < sa.channelOffset() + plan.tensor(a).shape().channels();
                    // nested slices (mixed9_0 and its parts) share channels by design; siblings must not
                    int ia = a;
                    int ib = b;
                    boolean nested = plan.steps().stream().anyMatch(st -> st instanceof Step.Concat c
                            && (c.output() == ia && c.inputs().contains(ib) || c.output() == ib && c.inputs().contains(ia)));
                    assertTrue(!channelsOverlap || nested, plan.tensor(a).name() + " and " + plan.tensor(b).name());
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new dev.inception.cpu.CpuExecutor(plan,
                dev.inception.weights.SeededWeights.forGraph(graph, 1)), "the reference writes dense tensors only");
    }

    /** {first step, last step} of every tensor, from the steps alone (kept tensors live to the end). */
    static int[][] lifetimes(Plan plan) {
        int n = plan.tensors().size();
        int[] first = new int[n];
        int[] last = new int[n];
        java.util.Arrays.fill(first, Integer.MAX_VALUE);
        first[plan.input()] = -1;
        for (int s = 0; s < plan.steps().size(); s++) {
            Step step = plan.steps().get(s);
            first[step.output()] = Math.min(first[step.output()], s);
            last[step.output()] = Math.max(last[step.output()], s);
            for (int in : step.inputs()) {
                last[in] = Math.max(last[in], s);
            }
        }
        for (int k : plan.kept()) {
            last[k] = plan.steps().size();
        }
        return new int[][] {first, last};
    }

    static TensorSpec tensorNamed(Plan plan, String name) {
        return plan.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void memoryIsReused(Lowering lowering) {
        Plan plan = Planner.lower(graph, lowering);
        assertTrue(plan.arenaElements() * 3 < plan.unsharedElements(),
                "peak " + plan.arenaElements() + " vs unshared " + plan.unsharedElements());
        // lower bound: a step's input and output live together; the largest such pair is conv2d_3 (147x147x32 -> x64)
        assertTrue(plan.arenaElements() >= 147L * 147 * (32 + 64));
    }

    @Test
    void fusedPlanHasOneStepPerConvBlock() {
        Plan plan = Planner.lower(graph, Lowering.FUSED);
        long convs = plan.steps().stream().filter(s -> s instanceof Step.Conv c && c.foldedBn() != null && c.relu()).count();
        assertEquals(94, convs);
        assertFalse(plan.steps().stream().anyMatch(s -> s instanceof Step.BatchNorm || s instanceof Step.Relu));
        Step.Conv first = (Step.Conv) plan.steps().get(0);
        assertEquals("batch_normalization_1", first.foldedBn());
        assertEquals("activation_1", plan.tensor(first.output()).name());
    }

    @Test
    void faithfulPlanHasOneStepPerKerasLayer() {
        Plan plan = Planner.lower(graph, Lowering.FAITHFUL);
        // every layer but the input; predictions is Dense + Softmax
        assertEquals(graph.nodes().size() - 1 + 1, plan.steps().size());
        assertEquals(94, plan.steps().stream().filter(s -> s instanceof Step.BatchNorm).count());
    }

    @Test
    void fusedPlanRefusesToKeepAFusedAwayLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Planner.lower(graph, Lowering.FUSED, List.of("batch_normalization_5")));
        assertTrue(e.getMessage().contains("FAITHFUL"), e.getMessage());
    }

    @Test
    void convWindowsCarryTensorFlowPadding() {
        Plan plan = Planner.lower(graph, Lowering.FUSED);
        Step.Conv c = plan.steps().stream().filter(s -> s.name().equals("conv2d_8")).map(Step.Conv.class::cast)
                .findFirst().orElseThrow();
        // conv2d_8 is mixed0's 5x5 'same' conv: pad 2 on every side
        assertEquals(new Window(5, 5, 1, 1, 2, 2, 2, 2), c.window());
    }

    @Test
    void offsetsAreAligned() {
        for (TensorSpec t : Planner.lower(graph, Lowering.FUSED).tensors()) {
            assertEquals(0, t.offset() % ArenaAllocator.ALIGNMENT, t.name());
        }
    }

    /** The tensors one branch of a block writes, each as its arena range [offset, offset + elements). */
    static List<long[]> ranges(Plan plan, List<Integer> branch) {
        return branch.stream().map(st -> plan.tensor(plan.steps().get(st).output()))
                .map(t -> new long[] {t.offset(), t.offset() + t.elements()}).toList();
    }

    static boolean disjoint(List<long[]> a, List<long[]> b) {
        return a.stream().allMatch(x -> b.stream().allMatch(y -> x[1] <= y[0] || y[1] <= x[0]));
    }

    /**
     * Branches that run at the same time must not share memory: in a plan lowered for concurrent branches, what
     * any two branches of an outermost block write is disjoint, and none of it overlaps the block's input or output
     * (into which a part may be copied while other branches run). The
     * sequential plan does reuse one branch's memory in another (which is why the option exists), and the
     * concurrent arena costs less than a third more.
     */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void concurrentBranchesNeverShareMemoryWithinABlock(Lowering lowering) {
        Graph g = InceptionV3.build();
        Plan concurrent = Planner.lower(g, lowering, List.of(), ConcatPlacement.COPY, true);
        Plan sequential = Planner.lower(g, lowering, List.of());
        assertTrue(concurrent.concurrentBranches() && !sequential.concurrentBranches());
        List<Branches.Block> blocks = Branches.outermost(Branches.of(concurrent));
        assertEquals(11, blocks.size(), blocks.stream().map(Branches.Block::name).toList().toString());
        boolean sequentialShares = false;
        for (Branches.Block b : blocks) {
            dev.inception.plan.TensorSpec in = concurrent.tensor(b.input());
            List<long[]> input = List.<long[]>of(new long[] {in.offset(), in.offset() + in.elements()});
            dev.inception.plan.TensorSpec o = concurrent.tensor(concurrent.steps().get(b.concatStep()).output());
            List<long[]> output = List.<long[]>of(new long[] {o.offset(), o.offset() + o.elements()});
            assertTrue(disjoint(output, input), b.name() + ": the block output overlaps its input");
            for (int i = 0; i < b.branches().size(); i++) {
                List<long[]> a = ranges(concurrent, b.branches().get(i));
                assertTrue(disjoint(a, input), b.name() + " branch " + i + " overlaps the block input");
                // a part may be copied into the output while other branches still run
                assertTrue(disjoint(a, output), b.name() + " branch " + i + " overlaps the block output");
                for (int j = i + 1; j < b.branches().size(); j++) {
                    assertTrue(disjoint(a, ranges(concurrent, b.branches().get(j))),
                            b.name() + " branches " + i + " and " + j + " share memory");
                    sequentialShares |= !disjoint(ranges(sequential, b.branches().get(i)),
                            ranges(sequential, b.branches().get(j)));
                }
            }
        }
        assertTrue(sequentialShares, "the sequential plan shares no memory between branches: nothing to protect");
        assertTrue(concurrent.arenaElements() < 4 * sequential.arenaElements() / 3,
                concurrent.arenaElements() + " vs " + sequential.arenaElements());
    }
}
