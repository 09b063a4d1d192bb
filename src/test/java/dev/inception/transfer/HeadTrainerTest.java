package dev.inception.transfer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadTrainerTest {

    static FeatureSet set(float[][] x, int[] y, int classes, boolean validation) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        List<String> files = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            files.add("f" + i);
        }
        boolean[] v = new boolean[x.length];
        java.util.Arrays.fill(v, validation);
        return new FeatureSet(x, y, v, names, files, "test", "75x75");
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        int d = 5;
        int k = 3;
        SplittableRandom r = new SplittableRandom(3);
        float[] w = new float[d * k];
        float[] b = new float[k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < k; i++) {
            b[i] = (float) r.nextGaussian();
        }
        float[][] x = new float[4][d];
        int[] y = {0, 2, 1, 2};
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        double l2 = 0.1;
        double[] g = HeadTrainer.gradient(w, b, d, k, x, y, l2);
        double h = 1e-2;   // float32 weights: a large step, central differences keep the error O(h^2)
        for (int i = 0; i < d * k + k; i++) {
            float[] wp = w.clone();
            float[] bp = b.clone();
            float[] wm = w.clone();
            float[] bm = b.clone();
            if (i < d * k) {
                wp[i] += (float) h;
                wm[i] -= (float) h;
            } else {
                bp[i - d * k] += (float) h;
                bm[i - d * k] -= (float) h;
            }
            double numeric = (HeadTrainer.loss(wp, bp, d, k, x, y, l2) - HeadTrainer.loss(wm, bm, d, k, x, y, l2)) / (2 * h);
            assertEquals(numeric, g[i], 1e-3, "parameter " + i);
        }
    }

    @Test
    void linearlySeparableDataReachesFullTrainingAccuracyAndLossDecreases() {
        // three classes, each a Gaussian blob far from the others in 20 dimensions
        SplittableRandom r = new SplittableRandom(9);
        int n = 150;
        float[][] x = new float[n][20];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 20; j++) {
                x[i][j] = (float) (r.nextGaussian() * 0.3 + (j % 3 == y[i] ? 2.0 : 0.0));
            }
        }
        FeatureSet train = set(x, y, 3, false);
        HeadTrainer.Result res = HeadTrainer.train(train, set(new float[0][], new int[0], 3, true),
                new HeadTrainer.Options(60, 0.05, 16, 1e-4, 1, 100), e -> { });
        // the weights start at zero, where the softmax is uniform and the loss is ln 3
        double first = res.history().get(0).trainLoss();
        double last = res.history().get(res.history().size() - 1).trainLoss();
        assertTrue(first < Math.log(3) && last < first, "loss ln 3 -> " + first + " -> " + last);
        assertTrue(last < 0.01, "final loss " + last);
        assertEquals(1.0, HeadTrainer.evaluate(res.head(), train, 0)[1]);
    }

    @Test
    void earlyStoppingKeepsTheBestValidationEpoch() {
        SplittableRandom r = new SplittableRandom(5);
        float[][] x = new float[40][3];
        int[] y = new int[40];
        for (int i = 0; i < 40; i++) {
            y[i] = r.nextInt(2);           // labels unrelated to features: validation loss cannot keep improving
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
        }
        HeadTrainer.Result res = HeadTrainer.train(set(java.util.Arrays.copyOf(x, 30), java.util.Arrays.copyOf(y, 30), 2, false),
                set(java.util.Arrays.copyOfRange(x, 30, 40), java.util.Arrays.copyOfRange(y, 30, 40), 2, true),
                new HeadTrainer.Options(500, 0.1, 8, 0, 1, 5), e -> { });
        assertTrue(res.history().size() < 500, "stopped early after " + res.history().size());
        assertEquals(res.history().size() - 5, res.bestEpoch());
        double bestVal = res.history().get(res.bestEpoch() - 1).valLoss();
        assertTrue(res.history().stream().allMatch(e -> e.valLoss() >= bestVal - 1e-7));
    }
}
