package dev.inception.weights;

import dev.inception.model.Graph;
import dev.inception.model.WeightSpec;

import java.util.SplittableRandom;

/**
 * Deterministic weights for tests and demos, chosen so that activations stay O(1) through all 94 conv2d_bn blocks
 * and the softmax is neither uniform nor one-hot:
 * <ul>
 *   <li>conv kernels: He-normal, N(0, 2 / fan_in), which keeps the second moment steady through conv + ReLU;</li>
 *   <li>batch norm: beta and moving_mean in [-0.1, 0.1], moving_variance in [0.8, 1.2], so BN is a mild affine map;</li>
 *   <li>Dense: N(0, (DENSE_GAIN^2) / in), bias in [-0.1, 0.1], giving logits a spread of a few units.</li>
 * </ul>
 * Each array is drawn from its own generator seeded by (seed, key), so values do not depend on layer order and a
 * graph without top gets exactly the same conv weights as the full one. Gaussians use Box-Muller over
 * SplittableRandom.nextDouble, whose algorithm is specified, so the values are the same on every JVM.
 */
public final class SeededWeights {

    static final double DENSE_GAIN = 6.0;

    private SeededWeights() {
    }

    public static Weights forGraph(Graph graph, long seed) {
        Weights.Builder b = Weights.builder().source("seeded weights (seed " + seed + ")");
        for (WeightSpec spec : graph.weights()) {
            b.put(spec.key(), new Weight(spec.shape(), draw(spec, seed)));
        }
        return b.build();
    }

    private static float[] draw(WeightSpec spec, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ spec.key().hashCode());
        float[] v = new float[(int) spec.size()];
        int[] s = spec.shape();
        switch (spec.weight()) {
            case "kernel:0" -> {
                boolean dense = s.length == 2;
                int fanIn = dense ? s[0] : s[0] * s[1] * s[2];
                double std = dense ? DENSE_GAIN / Math.sqrt(fanIn) : Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (gaussian(r) * std);
                }
            }
            case "moving_variance:0" -> fillUniform(r, v, 0.8, 1.2);
            default -> fillUniform(r, v, -0.1, 0.1);   // beta, moving_mean, bias
        }
        return v;
    }

    private static void fillUniform(SplittableRandom r, float[] v, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();     // (0, 1], so the log is finite
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
