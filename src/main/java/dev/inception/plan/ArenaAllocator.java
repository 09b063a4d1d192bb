package dev.inception.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places tensors in one arena so that tensors alive at the same time never overlap. Lifetimes are step intervals
 * [firstStep, lastStep]; the output of a step is alive at that step together with its inputs, so no step ever
 * works in place. Greedy best-fit, largest tensors first: simple and within a few percent of optimal here.
 */
final class ArenaAllocator {

    /** Offsets are multiples of this many elements (256 bytes of float32), the alignment cuDNN and cuBLAS like. */
    static final long ALIGNMENT = 64;

    record Interval(int tensor, long size, int first, int last) {
        boolean overlapsInTime(Interval o) {
            return first <= o.last && o.first <= last;
        }
    }

    private ArenaAllocator() {
    }

    /** Returns the offset for each interval, indexed like the input list. */
    static long[] place(List<Interval> intervals) {
        long[] offsets = new long[intervals.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < intervals.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingLong(i -> -intervals.get(i).size()).thenComparingInt(i -> i));
        List<Integer> placed = new ArrayList<>();
        for (int i : order) {
            Interval t = intervals.get(i);
            // the busy ranges of tensors that live at the same time, by offset
            List<long[]> busy = new ArrayList<>();
            for (int j : placed) {
                if (intervals.get(j).overlapsInTime(t)) {
                    busy.add(new long[] {offsets[j], offsets[j] + intervals.get(j).size()});
                }
            }
            busy.sort(Comparator.comparingLong(r -> r[0]));
            long best = -1;
            long bestGap = Long.MAX_VALUE;
            long cursor = 0;
            for (long[] r : busy) {
                long gap = r[0] - cursor;
                if (gap >= t.size() && gap < bestGap) {
                    best = cursor;
                    bestGap = gap;
                }
                cursor = Math.max(cursor, align(r[1]));
            }
            offsets[i] = best >= 0 ? best : cursor;
            placed.add(i);
        }
        return offsets;
    }

    static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }
}
