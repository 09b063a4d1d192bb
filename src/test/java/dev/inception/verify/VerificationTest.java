package dev.inception.verify;

import dev.inception.Precision;
import dev.inception.Tensor;
import dev.inception.model.Shape;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationTest {

    static Tensor vec(float... v) {
        return new Tensor(1, Shape.vector(v.length), v);
    }

    @Test
    void errorsAreRelativeToTheTensorsLargestValue() {
        // max |a| = 4, max |a - b| = 0.002 -> relative 5e-4
        double[] e = Verification.errors(new float[] {1, -4, 2}, new float[] {1.002f, -4, 2});
        assertEquals(0.002, e[0], 1e-6);
        assertEquals(5e-4, e[1], 1e-6);
        assertEquals(Double.POSITIVE_INFINITY, Verification.errors(new float[] {1}, new float[] {Float.NaN})[1]);
    }

    @Test
    void aTapOverToleranceOrADifferentTop5Fails() {
        Map<String, Tensor> ref = new LinkedHashMap<>();
        ref.put("mixed0", vec(1, 2, 3));
        ref.put("predictions", vec(0.5f, 0.2f, 0.1f, 0.1f, 0.05f, 0.05f));
        Map<String, Tensor> same = new LinkedHashMap<>(ref);
        assertTrue(Verification.compare(ref, same, Tolerances.forPrecision(Precision.FP32)).pass());

        Map<String, Tensor> off = new LinkedHashMap<>(ref);
        off.put("mixed0", vec(1, 2, 3.1f));
        Verification.Report r = Verification.compare(ref, off, 1e-3);
        assertFalse(r.pass());
        assertFalse(r.taps().get(0).pass());
        assertTrue(r.taps().get(1).pass());

        Map<String, Tensor> swapped = new LinkedHashMap<>(ref);
        swapped.put("predictions", vec(0.5f, 0.1f, 0.2f, 0.1f, 0.05f, 0.05f));
        Verification.Report s = Verification.compare(ref, swapped, 1.0);
        assertFalse(s.pass());
        assertEquals(1, s.top5Mismatches().size());
    }

    /** The real case: seeded weights, chelsea.png, ranks 5 and 6 at 0.015287 and 0.015180 (top 0.0475, say). */
    @Test
    void tf32AcceptsASwapOfNearTiesThatFp32Refuses() {
        float[] p = new float[1000];
        java.util.Arrays.fill(p, 0.0009f);
        p[10] = 0.0475f;
        p[20] = 0.031f;
        p[30] = 0.022f;
        p[40] = 0.018f;
        p[50] = 0.015287f;
        p[60] = 0.015180f;
        float[] q = p.clone();
        q[50] = 0.015170f;   // rank 5 and 6 swap, by 1e-5: well within TF32's error on this tap
        q[60] = 0.015190f;
        Map<String, Tensor> ref = Map.of("predictions", new Tensor(1, Shape.vector(1000), p));
        Map<String, Tensor> cand = Map.of("predictions", new Tensor(1, Shape.vector(1000), q));
        assertTrue(Verification.compare(ref, cand, Precision.TF32).pass());
        assertFalse(Verification.compare(ref, cand, Precision.FP32).pass());

        // a swap of ranks 1 and 2 (0.0475 vs 0.031) is a real disagreement, for TF32 too:
        // 0.0165 > 2 * 3e-2 * 0.0475 = 0.00285
        float[] r = p.clone();
        r[10] = 0.031f;
        r[20] = 0.0475f;
        Map<String, Tensor> wrong = Map.of("predictions", new Tensor(1, Shape.vector(1000), r));
        assertFalse(Verification.compare(ref, wrong, Precision.TF32).pass());
    }

    /** verify's GPU check of a graph replay: the replay's failure fails the whole report, under its own names. */
    @Test
    void aFailingSecondPassFailsTheCombinedReport() {
        Map<String, Tensor> ref = Map.of("mixed0", vec(1, 2, 4));
        Verification.Report first = Verification.compare(ref, Map.of("mixed0", vec(1, 2, 4)), 1e-4);
        Verification.Report replay = Verification.compare(ref, Map.of("mixed0", vec(1, 2, 4.01f)), 1e-4);
        assertTrue(first.pass());
        Verification.Report both = first.and("replay ", replay);
        assertFalse(both.pass());
        assertEquals(java.util.List.of("mixed0", "replay mixed0"), both.taps().stream()
                .map(Verification.TapResult::tap).toList());
        assertEquals(0.01 / 4, both.taps().get(1).maxRelativeError(), 1e-6);
        assertTrue(first.and("replay ", first).pass());
    }

    @Test
    void tf32IsLooserThanFp32() {
        assertTrue(Tolerances.forPrecision(Precision.TF32) > Tolerances.forPrecision(Precision.FP32));
    }

    /**
     * The 16-bit tolerances against the error 16-bit storage causes, modelled independently of this project's code
     * (src/test/python/storage_rounding.py on the float64 NumPy reference; committed output): each at least 4x the
     * largest modelled tap error, so rounding alone never fails a correct GPU, and at most 10x, so a tolerance
     * cannot drift into accepting anything.
     */
    @Test
    void sixteenBitTolerancesSitBetweenFourAndTenTimesTheModelledStorageError() throws Exception {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("src/test/resources/half/storage_rounding.txt"));
        for (Precision p : new Precision[] {Precision.FP16, Precision.BF16}) {
            double worst = lines.stream().filter(l -> l.startsWith(p.name().toLowerCase() + " "))
                    .mapToDouble(l -> Double.parseDouble(l.trim().split("\\s+")[2])).max().orElseThrow();
            assertEquals(14, lines.stream().filter(l -> l.startsWith(p.name().toLowerCase() + " ")).count());
            double t = Tolerances.forPrecision(p);
            assertTrue(t >= 4 * worst && t <= 10 * worst, p + ": tolerance " + t + ", modelled " + worst);
        }
    }
}
