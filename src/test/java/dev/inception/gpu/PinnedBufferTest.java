package dev.inception.gpu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The piecewise parallel copy into a staging buffer, on a heap buffer (no GPU needed). */
class PinnedBufferTest {

    @Test
    void piecesLandWhereTheyBelongAndNothingAfterIsTouched() {
        for (int length : new int[] {0, 1, 99, 100, 101, 1000, 1037}) {
            byte[] src = new byte[length];
            new SplittableRandom(length).nextBytes(src);
            ByteBuffer dst = ByteBuffer.allocate(length + 50);
            for (int i = 0; i < dst.capacity(); i++) {
                dst.put(i, (byte) 0x5a);
            }
            PinnedBuffer.copyInPieces(src, dst, 100);
            byte[] back = new byte[length];
            dst.get(0, back);
            assertArrayEquals(src, back, "length " + length);
            for (int i = length; i < dst.capacity(); i++) {
                assertEquals((byte) 0x5a, dst.get(i), "byte " + i + " after the copy");
            }
            assertEquals(0, dst.position(), "the buffer's position moved");
        }
    }
}
