package dev.inception.gpu;

/**
 * float32 to the GPU's 16-bit formats and back, rounding to nearest, ties to even, as cuDNN's and CUDA's own
 * conversions do ({@code __float2half_rn}, {@code __float2bfloat16_rn}). Java 17 has no {@code Float.floatToFloat16}
 * (it came in Java 20); weights are converted once, on the host, at upload.
 *
 * <ul>
 *   <li><b>fp16</b> (IEEE binary16): 1 sign, 5 exponent (bias 15), 10 fraction bits. Magnitudes from 65520 up
 *       round to infinity; below 2^-14 the result is subnormal (steps of 2^-24), below 2^-25 it is zero.</li>
 *   <li><b>bf16</b>: the top 16 bits of a float32 (8 exponent bits: the same range), rounded.</li>
 * </ul>
 * NaN stays NaN (quiet, sign kept) in both.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** float32 -> IEEE binary16 bits, round to nearest even. */
    public static short toFp16(float value) {
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 16) & 0x8000;
        int exp = (f >>> 23) & 0xff;
        int mant = f & 0x7fffff;
        if (exp == 0xff) {
            // infinity keeps its sign; NaN becomes a quiet NaN with the top payload bits
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;          // the exponent rebiased for binary16
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            // subnormal (or zero): shift the significand, with its implicit 1, into the 10 fraction bits
            if (e < -10) {
                return (short) sign;     // below half the smallest subnormal: rounds to zero
            }
            int significand = mant | 0x800000;
            int shift = 14 - e;          // 13 bits dropped for a normal, plus 1 - e for the subnormal scale
            return (short) (sign | roundShift(significand, shift));
        }
        // normal: drop 13 fraction bits, rounding; a carry out of the fraction bumps the exponent (up to infinity)
        int bits = (e << 10) | (mant >>> 13);
        return (short) (sign | roundBits(bits, mant & 0x1fff, 13));
    }

    /** IEEE binary16 bits -> float32 (exact: every half is a float). */
    public static float fromFp16(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // subnormal: mant x 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** float32 -> bfloat16 bits, round to nearest even. */
    public static short toBf16(float value) {
        int f = Float.floatToRawIntBits(value);
        if ((f & 0x7f800000) == 0x7f800000 && (f & 0x7fffff) != 0) {
            return (short) ((f >>> 16) | 0x40);   // NaN: keep it a (quiet) NaN, which truncation might not
        }
        return (short) roundBits(f >>> 16, f & 0xffff, 16);
    }

    public static float fromBf16(short bf) {
        return Float.intBitsToFloat((bf & 0xffff) << 16);
    }

    /** {@code kept} plus one where the dropped low bits are over half, or exactly half and {@code kept} is odd. */
    private static int roundBits(int kept, int dropped, int droppedBits) {
        int half = 1 << (droppedBits - 1);
        if (dropped > half || dropped == half && (kept & 1) == 1) {
            return kept + 1;
        }
        return kept;
    }

    private static int roundShift(int significand, int shift) {
        int kept = significand >>> shift;
        int dropped = significand & ((1 << shift) - 1);
        return roundBits(kept, dropped, shift);
    }
}
