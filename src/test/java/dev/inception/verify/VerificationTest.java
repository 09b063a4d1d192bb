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

    @Test
    void tf32IsLooserThanFp32() {
        assertTrue(Tolerances.forPrecision(Precision.TF32) > Tolerances.forPrecision(Precision.FP32));
    }
}
