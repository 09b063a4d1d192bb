package dev.inception.plan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The independent branches of each concatenation, found from the plan's data flow alone: for a Concat step, the
 * block input is the latest tensor every part descends from, and a part's branch is the set of steps between that
 * input and the part. Branches of one concat share no step, and each reads only the block input and its own
 * outputs, so an executor may run them at the same time (the GPU's concurrent streams, issue #15). InceptionV3's
 * mixed0..mixed10 have 4, 3, 4, 3 or 4 branches; the inner concatenations of mixed9 and mixed10 have 2.
 */
public final class Branches {

    /** One concatenation: its step, the tensor its branches start from, and each branch's steps in plan order. */
    public record Block(int concatStep, String name, int input, List<List<Integer>> branches) {
    }

    private Branches() {
    }

    public static List<Block> of(Plan plan) {
        return of(plan.steps(), plan.input());
    }

    /**
     * The blocks that no other block contains: mixed0..mixed10, without mixed9's and mixed10's inner
     * concatenations, which run inside one of their block's branches.
     */
    public static List<Block> outermost(List<Block> blocks) {
        return blocks.stream().filter(b -> blocks.stream().noneMatch(o -> o != b && o.branches().stream()
                .anyMatch(br -> br.contains(b.concatStep())))).toList();
    }

    /** The same, from a plan's steps and input tensor (for the planner, before the plan exists). */
    static List<Block> of(List<Step> steps, int planInput) {
        Map<Integer, Integer> producer = new HashMap<>();
        for (int s = 0; s < steps.size(); s++) {
            producer.put(steps.get(s).output(), s);
        }
        // every step's ancestry, itself included, in plan order (inputs come before the steps that read them)
        List<BitSet> upTo = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            BitSet b = new BitSet();
            b.set(s);
            for (int t : steps.get(s).inputs()) {
                Integer p = producer.get(t);
                if (p != null) {
                    b.or(upTo.get(p));
                }
            }
            upTo.add(b);
        }
        List<Block> blocks = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            if (!(steps.get(s) instanceof Step.Concat c)) {
                continue;
            }
            BitSet common = null;
            List<BitSet> parts = new ArrayList<>();
            for (int t : c.inputs()) {
                Integer p = producer.get(t);
                BitSet a = p == null ? new BitSet() : (BitSet) upTo.get(p).clone();
                parts.add(a);
                if (common == null) {
                    common = (BitSet) a.clone();
                } else {
                    common.and(a);
                }
            }
            int last = common.length() - 1;            // the latest step every part descends from; -1: the input
            int input = last < 0 ? planInput : steps.get(last).output();
            List<List<Integer>> branches = new ArrayList<>();
            for (BitSet a : parts) {
                a.andNot(common);
                branches.add(a.stream().boxed().toList());
            }
            blocks.add(new Block(s, c.name(), input, branches));
        }
        return blocks;
    }
}
