package dev.inception.plan;

import dev.inception.model.InceptionV3;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The branches found in the plan against Keras's inception_v3.py, counted by hand: per block, the conv2d_bn calls of
 * each branch (a conv step in the fused plan, conv + BN + ReLU in the faithful one) plus its pooling and inner
 * concatenation steps.
 */
class BranchesTest {

    /** Conv2d_bn calls and other steps per branch, in Keras's order of the branches, for each concat. */
    static Map<String, int[][]> keras() {
        Map<String, int[][]> m = new LinkedHashMap<>();
        int[][] a = {{1, 0}, {2, 0}, {3, 0}, {1, 1}};              // 1x1 | 5x5 | 3x3dbl | avgpool + 1x1
        int[][] c = {{1, 0}, {3, 0}, {5, 0}, {1, 1}};              // 1x1 | 7x7 | 7x7dbl | avgpool + 1x1
        int[][] e = {{1, 0}, {3, 1}, {4, 1}, {1, 1}};              // 1x1 | 3x3 (+ split + concat) | 3x3dbl | pool
        m.put("mixed0", a);
        m.put("mixed1", a);
        m.put("mixed2", a);
        m.put("mixed3", new int[][] {{1, 0}, {3, 0}, {0, 1}});      // 3x3/2 | 3x3dbl | maxpool
        for (int i = 4; i <= 7; i++) {
            m.put("mixed" + i, c);
        }
        m.put("mixed8", new int[][] {{2, 0}, {4, 0}, {0, 1}});      // 3x3 | 7x7x3 | maxpool
        m.put("mixed9_0", new int[][] {{1, 0}, {1, 0}});            // branch3x3's split
        m.put("mixed9_1", new int[][] {{1, 0}, {1, 0}});
        m.put("mixed9", e);
        m.put("mixed10", e);
        return m;
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void everyMixedBlockHasKerassBranches(Lowering lowering) {
        Plan plan = Planner.lower(InceptionV3.build(), lowering);
        Map<String, Branches.Block> byName = new LinkedHashMap<>();
        Branches.of(plan).forEach(b -> byName.put(b.name(), b));
        int perConv = lowering == Lowering.FUSED ? 1 : 3;
        for (Map.Entry<String, int[][]> k : keras().entrySet()) {
            Branches.Block b = byName.get(k.getKey());
            assertTrue(b != null, k.getKey() + " in " + byName.keySet());
            assertEquals(k.getValue().length, b.branches().size(), k.getKey());
            for (int i = 0; i < k.getValue().length; i++) {
                int expected = k.getValue()[i][0] * perConv + k.getValue()[i][1];
                assertEquals(expected, b.branches().get(i).size(), k.getKey() + " branch " + i + ": "
                        + b.branches().get(i).stream().map(s -> plan.steps().get(s).name()).toList());
            }
        }
    }

    /** Independence, checked from the steps themselves: disjoint, and reading only the block input or their own. */
    @ParameterizedTest
    @EnumSource(Lowering.class)
    void branchesShareNothingAndReadOnlyTheBlockInputOrThemselves(Lowering lowering) {
        Plan plan = Planner.lower(InceptionV3.build(), lowering);
        List<Branches.Block> blocks = Branches.of(plan);
        assertEquals(15, blocks.size(), "mixed0..10 and the four inner concatenations of mixed9 and mixed10");
        for (Branches.Block b : blocks) {
            Set<Integer> seen = new HashSet<>();
            for (List<Integer> branch : b.branches()) {
                Set<Integer> outputs = new HashSet<>();
                for (int s : branch) {
                    assertTrue(seen.add(s), b.name() + ": step " + plan.steps().get(s).name() + " in two branches");
                    assertTrue(s < b.concatStep(), "a branch runs before its concat");
                    for (int t : plan.steps().get(s).inputs()) {
                        assertTrue(t == b.input() || outputs.contains(t), b.name() + ": " + plan.steps().get(s).name()
                                + " reads outside its branch");
                    }
                    outputs.add(plan.steps().get(s).output());
                }
            }
        }
    }
}
