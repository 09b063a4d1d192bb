package dev.inception.image;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
            // a direct buffer (the GPU's pinned upload buffer is one) takes the other path: an image, then a copy
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(packed.length + 7);
            for (int i = 0; i < direct.capacity(); i++) {
                direct.put(i, (byte) 0x5a);
            }
            Preprocess.packInto(images, 20, 20, how, direct);
            assertEquals(0, direct.position());
            for (int i = 0; i < images.size(); i++) {
                byte[] alone = Resize.to(images.get(i), 20, 20, how).pixels();
                assertArrayEquals(alone, java.util.Arrays.copyOfRange(packed, i * alone.length, (i + 1) * alone.length),
                        how + " image " + i);
                byte[] inDirect = new byte[alone.length];
                direct.get(i * alone.length, inDirect);
                assertArrayEquals(alone, inDirect, how + " image " + i + " in a direct buffer");
            }
            for (int i = packed.length; i < direct.capacity(); i++) {
                assertEquals((byte) 0x5a, direct.get(i), "byte " + i + " after the batch");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Preprocess.packInto(images, 20, 20, Interpolation.NEAREST,
                java.nio.ByteBuffer.allocateDirect(images.size() * 20 * 20 * 3 - 1)));
    }
}
