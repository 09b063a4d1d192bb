package dev.inception.gpu;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fp16 against NumPy's conversion (src/test/python/half_fixtures.py: 20,027 cases, the edges and random bit
 * patterns over every exponent); bf16 against hand-computed cases and, for random floats, against the definition
 * worked out in double arithmetic: the nearer of the two bf16 neighbours, the even one on a tie.
 */
class HalfFloatsTest {

    static boolean isNaN16(short h) {
        return (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
    }

    @Test
    void fp16MatchesNumpyBitForBitAndNaNStaysNaN() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/half/fp16.csv"));
        assertTrue(lines.size() > 20_000);
        int nans = 0;
        for (String line : lines) {
            String[] p = line.split(",");
            float f = Float.intBitsToFloat((int) Long.parseLong(p[0], 16));
            short expected = (short) Integer.parseInt(p[1], 16);
            short mine = HalfFloats.toFp16(f);
            if (Float.isNaN(f)) {
                nans++;
                assertTrue(isNaN16(mine) && (mine & 0x8000) == (expected & 0x8000), line);
            } else {
                assertEquals(expected, mine, line + " (" + f + ")");
            }
        }
        assertTrue(nans >= 3);
    }

    @Test
    void fp16EdgesByHand() {
        assertEquals((short) 0x3c00, HalfFloats.toFp16(1f));
        assertEquals((short) 0x7bff, HalfFloats.toFp16(65504f));            // the largest half
        assertEquals((short) 0x7bff, HalfFloats.toFp16(65519.99f));         // still below the midpoint to 65536
        assertEquals((short) 0x7c00, HalfFloats.toFp16(65520f));            // the midpoint rounds to even: infinity
        assertEquals((short) 0x0001, HalfFloats.toFp16(0x1p-24f));          // the smallest subnormal
        assertEquals((short) 0x0000, HalfFloats.toFp16(0x1p-25f));          // half of it: a tie, to even (zero)
        assertEquals((short) 0x0002, HalfFloats.toFp16(3 * 0x1p-25f));      // 1.5 steps: a tie, to even (2)
        assertEquals((short) 0x3c00, HalfFloats.toFp16(1f + 0x1p-11f));     // tie between 1 and 1+2^-10: even
        assertEquals((short) 0x3c02, HalfFloats.toFp16(1f + 3 * 0x1p-11f)); // tie between odd and even: up
        assertEquals((short) 0x8000, HalfFloats.toFp16(-0f));
        assertEquals((short) 0xfc00, HalfFloats.toFp16(Float.NEGATIVE_INFINITY));
    }

    @Test
    void everyHalfConvertsToAFloatAndBack() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.fromFp16((short) h);
            if (isNaN16((short) h)) {
                assertTrue(Float.isNaN(f));
            } else {
                assertEquals((short) h, HalfFloats.toFp16(f), Integer.toHexString(h));
            }
        }
    }

    @Test
    void bf16ByHand() {
        assertEquals((short) 0x3f80, HalfFloats.toBf16(1f));
        assertEquals((short) 0x3f80, HalfFloats.toBf16(Float.intBitsToFloat(0x3f808000)));  // tie, even: down
        assertEquals((short) 0x3f82, HalfFloats.toBf16(Float.intBitsToFloat(0x3f818000)));  // tie, odd: up
        assertEquals((short) 0x3f81, HalfFloats.toBf16(Float.intBitsToFloat(0x3f808001)));  // over the tie: up
        assertEquals((short) 0x7f80, HalfFloats.toBf16(Float.MAX_VALUE));                     // rounds to infinity
        assertEquals((short) 0x8000, HalfFloats.toBf16(-0f));
        assertTrue(Float.isNaN(HalfFloats.fromBf16(HalfFloats.toBf16(Float.intBitsToFloat(0x7f800001)))),
                "a NaN whose payload is all in the dropped bits stays NaN");
    }

    @Test
    void bf16IsTheNearestNeighbourTiesToEvenOnRandomFloats() {
        Random r = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            // beyond the largest finite bf16 the far neighbour is infinity: Float.MAX_VALUE's case above covers it
            if (Float.isNaN(f) || Math.abs(f) > Float.intBitsToFloat(0x7f7f0000)) {
                continue;
            }
            int bits = Float.floatToRawIntBits(f);
            float down = Float.intBitsToFloat(bits & 0xffff0000);              // toward zero
            float up = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);   // away from zero (may be infinity)
            double dDown = Math.abs((double) f - down);
            double dUp = Float.isInfinite(up) ? Double.POSITIVE_INFINITY : Math.abs((double) up - f);
            float expected = dDown < dUp ? down : dUp < dDown ? up
                    : ((bits >>> 16) & 1) == 0 ? down : up;
            assertEquals(expected, HalfFloats.fromBf16(HalfFloats.toBf16(f)), Integer.toHexString(bits));
        }
    }
}
