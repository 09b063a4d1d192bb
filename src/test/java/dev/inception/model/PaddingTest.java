package dev.inception.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PaddingTest {

    @Test
    void validDropsTheRemainder() {
        assertEquals(new Padding.Axis(149, 0, 0), Padding.VALID.axis(299, 3, 2));
        assertEquals(new Padding.Axis(147, 0, 0), Padding.VALID.axis(149, 3, 1));
        assertEquals(new Padding.Axis(73, 0, 0), Padding.VALID.axis(147, 3, 2));
    }

    @Test
    void sameIsSymmetricForOddKernelsAtStrideOne() {
        assertEquals(new Padding.Axis(17, 3, 3), Padding.SAME.axis(17, 7, 1));
        assertEquals(new Padding.Axis(35, 1, 1), Padding.SAME.axis(35, 3, 1));
        assertEquals(new Padding.Axis(8, 0, 0), Padding.SAME.axis(8, 1, 1));
    }

    @Test
    void sameOddTotalPutsTheExtraCellAfter() {
        // TensorFlow: out = ceil(4/2) = 2, total = (2-1)*2 + 3 - 4 = 1 -> 0 before, 1 after
        assertEquals(new Padding.Axis(2, 0, 1), Padding.SAME.axis(4, 3, 2));
        // even kernel: total 1 at stride 1 -> 0 before, 1 after
        assertEquals(new Padding.Axis(5, 0, 1), Padding.SAME.axis(5, 2, 1));
    }

    @Test
    void validWindowLargerThanInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Padding.VALID.axis(2, 3, 1));
    }
}
