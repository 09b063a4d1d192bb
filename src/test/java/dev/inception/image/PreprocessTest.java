package dev.inception.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PreprocessTest {

    @Test
    void kerasTfModeMapsBytesToMinusOneOne() {
        assertEquals(-1f, Preprocess.value(0));
        assertEquals(1f, Preprocess.value(255));
        // 127 / 127.5 - 1 = -0.00392157 (float32)
        assertEquals(-0.003921568f, Preprocess.value(127), 1e-7f);
        assertEquals(0.0039215684f, Preprocess.value(128), 1e-7f);
    }
}
