package dev.inception.image;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /**
     * Images of different sizes (one already at the target size) resized in parallel land in the batch in their
     * order, each as resizing it alone gives.
     */
    @Test
    void packedBytesAreEachImageResizedInOrder() {
        SplittableRandom r = new SplittableRandom(4);
        List<RgbImage> images = new ArrayList<>();
        int[][] sizes = {{64, 48}, {20, 20}, {33, 57}, {20, 20}, {100, 7}, {5, 90}, {48, 64}, {21, 19}};
        for (int[] s : sizes) {
            byte[] px = new byte[s[0] * s[1] * 3];
            r.nextBytes(px);
            images.add(new RgbImage(s[0], s[1], px));
        }
        for (Interpolation how : Interpolation.values()) {
            byte[] packed = Preprocess.packBytes(images, 20, 20, how);
            assertEquals(images.size() * 20 * 20 * 3, packed.length);
            for (int i = 0; i < images.size(); i++) {
                byte[] alone = Resize.to(images.get(i), 20, 20, how).pixels();
                assertArrayEquals(alone, java.util.Arrays.copyOfRange(packed, i * alone.length, (i + 1) * alone.length),
                        how + " image " + i);
            }
        }
    }
}
