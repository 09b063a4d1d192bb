package dev.inception.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LatencyStatsTest {

    @Test
    void percentilesOfAKnownSample() {
        // 1..100 shuffled: rank for p is p/100 * 99 -> p50 = 50.5, p90 = 90.1, p99 = 99.01 (numpy's linear method)
        double[] s = new double[100];
        for (int i = 0; i < 100; i++) {
            s[i] = ((i * 37) % 100) + 1;
        }
        LatencyStats st = LatencyStats.of(s);
        assertEquals(50.5, st.p50(), 1e-9);
        assertEquals(90.1, st.p90(), 1e-9);
        assertEquals(99.01, st.p99(), 1e-9);
        assertEquals(50.5, st.mean(), 1e-9);
        assertEquals(1, st.min());
        assertEquals(100, st.max());
    }

    @Test
    void singleSampleAndEmpty() {
        LatencyStats one = LatencyStats.of(new double[] {4.2});
        assertEquals(4.2, one.p99());
        assertEquals(4.2, one.p50());
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new double[0]));
    }
}
