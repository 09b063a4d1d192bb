package dev.inception.bench;

import java.util.Arrays;

/**
 * Summary statistics of latency samples. Percentiles interpolate linearly between the closest ranks (numpy's
 * default), so p50 of an even-sized sample is the mean of the two middle values.
 */
public record LatencyStats(int count, double min, double mean, double p50, double p90, double p99, double max) {

    public static LatencyStats of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return new LatencyStats(s.length, s[0], sum / s.length, percentile(s, 50), percentile(s, 90),
                percentile(s, 99), s[s.length - 1]);
    }

    /** @param sorted ascending samples */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
