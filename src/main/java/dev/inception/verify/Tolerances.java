package dev.inception.verify;

import dev.inception.Precision;

/**
 * How far a candidate executor may be from the CPU reference, per tap, as max |a - b| / max |a| (see
 * docs/VERIFICATION.md for the reasons). One decade above what is expected, so that a pass is robust and a fail
 * means something is wrong, not unlucky.
 */
public final class Tolerances {

    private Tolerances() {
    }

    public static double forPrecision(Precision p) {
        return switch (p) {
            // expected 1e-6..1e-4: other summation orders, Winograd / FFT algorithms
            case FP32 -> 1e-3;
            // TF32 products keep 10 mantissa bits: ~1e-3 per layer, compounding through 94 layers
            case TF32 -> 3e-2;
            // 16-bit storage, modelled by src/test/python/storage_rounding.py: at most 1.5e-3 (fp16) and 2.2e-2
            // (bf16, 3 fewer significand bits: 8x) over the taps; fp16 keeps the decade (10x), bf16 4.5x, since a
            // decade (0.2) would no longer tell a broken kernel from rounding
            case FP16 -> 1.5e-2;
            case BF16 -> 1e-1;
        };
    }

    /**
     * How far apart (relative to the image's top probability) two classes' reference probabilities may be for the
     * candidate to rank them the other way round: 0 for fp32 (same classes, same order), twice the tap tolerance
     * for TF32, the most its predictions' own error allows (see {@link Verification#compare}).
     */
    public static double top5Ties(Precision p) {
        return switch (p) {
            case FP32 -> 0;
            case TF32, FP16, BF16 -> 2 * forPrecision(p);
        };
    }
}
