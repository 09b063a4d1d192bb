package dev.inception.verify;

import dev.inception.Precision;
import dev.inception.Tensor;
import dev.inception.imagenet.Labels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compares a candidate's taps with the reference's, tap by tap, and the top-5 classes image by image. */
public final class Verification {

    public record TapResult(String tap, double maxAbsError, double maxRelativeError, double tolerance, boolean pass) {
    }

    /** @param top5Mismatches one line per image whose top-5 classes differ (order included) */
    public record Report(List<TapResult> taps, List<String> top5Mismatches) {
        public boolean pass() {
            return top5Mismatches.isEmpty() && taps.stream().allMatch(TapResult::pass);
        }

        /** This report followed by another pass's, whose taps and mismatches are prefixed (e.g. "replay "). */
        public Report and(String prefix, Report other) {
            List<TapResult> all = new ArrayList<>(taps);
            other.taps.forEach(t -> all.add(new TapResult(prefix + t.tap(), t.maxAbsError(), t.maxRelativeError(),
                    t.tolerance(), t.pass())));
            List<String> mismatches = new ArrayList<>(top5Mismatches);
            other.top5Mismatches.forEach(m -> mismatches.add(prefix + m));
            return new Report(all, mismatches);
        }
    }

    private Verification() {
    }

    /** Every tap within the precision's tolerance, and top-5 by the precision's rule for near-ties. */
    public static Report compare(Map<String, Tensor> reference, Map<String, Tensor> candidate, Precision precision) {
        return compare(reference, candidate, Tolerances.forPrecision(precision), Tolerances.top5Ties(precision));
    }

    /** Strict top-5: the same classes in the same order. */
    public static Report compare(Map<String, Tensor> reference, Map<String, Tensor> candidate, double tolerance) {
        return compare(reference, candidate, tolerance, 0);
    }

    /**
     * @param tieTolerance top-5 rule: at each rank, the candidate's class must have a reference probability within
     *                     {@code tieTolerance * max reference probability} of the reference's class at that rank.
     *                     0 means the same classes in the same order (exact ties aside). A candidate whose
     *                     predictions are within the tap tolerance t can only swap classes whose reference
     *                     probabilities differ by less than 2 t max p, so 2 t accepts exactly the swaps the tap
     *                     tolerance allows and nothing else.
     */
    public static Report compare(Map<String, Tensor> reference, Map<String, Tensor> candidate, double tolerance,
                                 double tieTolerance) {
        List<TapResult> results = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            Tensor c = candidate.get(e.getKey());
            if (c == null || c.data().length != e.getValue().data().length) {
                results.add(new TapResult(e.getKey(), Double.NaN, Double.NaN, tolerance, false));
                continue;
            }
            double[] err = errors(e.getValue().data(), c.data());
            results.add(new TapResult(e.getKey(), err[0], err[1], tolerance, err[1] <= tolerance));
        }
        List<String> mismatches = new ArrayList<>();
        Tensor refP = reference.get("predictions");
        Tensor candP = candidate.get("predictions");
        if (refP != null && candP != null) {
            for (int i = 0; i < refP.batch(); i++) {
                float[] p = refP.image(i);
                int[] a = Labels.topIndices(p, 5);
                int[] b = Labels.topIndices(candP.image(i), 5);
                if (!top5Agree(p, a, b, tieTolerance)) {
                    mismatches.add("image " + i + ": reference top-5 " + Arrays.toString(a) + ", candidate "
                            + Arrays.toString(b));
                }
            }
        }
        return new Report(results, mismatches);
    }

    static boolean top5Agree(float[] referenceP, int[] reference, int[] candidate, double tieTolerance) {
        if (Arrays.equals(reference, candidate)) {
            return true;
        }
        double max = 0;
        for (float v : referenceP) {
            max = Math.max(max, v);
        }
        double eps = tieTolerance * max;
        for (int r = 0; r < reference.length; r++) {
            if (Math.abs((double) referenceP[candidate[r]] - referenceP[reference[r]]) > eps) {
                return false;
            }
        }
        return true;
    }

    /** max |a - b| / max |a|: the error measure of docs/VERIFICATION.md. */
    public static double relativeError(float[] reference, float[] candidate) {
        return errors(reference, candidate)[1];
    }

    /** {max |a - b|, max |a - b| / max |a|}; NaN anywhere in b is an infinite error. */
    static double[] errors(float[] a, float[] b) {
        double maxA = 0;
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxA = Math.max(maxA, Math.abs(a[i]));
            double d = Math.abs((double) a[i] - b[i]);
            maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
        }
        return new double[] {maxDiff, maxA == 0 ? (maxDiff == 0 ? 0 : Double.POSITIVE_INFINITY) : maxDiff / maxA};
    }

    /** The report as maps and lists, for the JSON output. */
    public static Map<String, Object> toJson(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pass", r.pass());
        m.put("taps", r.taps());
        m.put("top5_mismatches", r.top5Mismatches());
        return m;
    }
}
