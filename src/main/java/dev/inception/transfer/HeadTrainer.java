package dev.inception.transfer;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a {@link SoftmaxHead}: multinomial logistic regression with cross-entropy plus L2 on the kernel,
 * loss = mean(-log p[label]) + l2/2 * |W|^2, minimised with Adam over shuffled mini-batches. The problem is convex,
 * so the weights start at zero. Early stopping watches the validation loss (the training loss when there is no
 * validation set) and keeps the best weights seen.
 */
public final class HeadTrainer {

    public record Options(int epochs, double learningRate, int batch, double l2, long seed, int patience) {
        public Options {
            if (epochs < 1 || batch < 1 || learningRate <= 0 || l2 < 0 || patience < 1) {
                throw new IllegalArgumentException("epochs, batch and patience must be >= 1, lr > 0, l2 >= 0");
            }
        }

        public static Options defaults() {
            return new Options(200, 0.01, 64, 1e-4, 1, 15);
        }
    }

    /** One line of training progress. */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy,
                        boolean best) {
    }

    public record Result(SoftmaxHead head, List<Epoch> history, int bestEpoch) {
    }

    private HeadTrainer() {
    }

    public static Result train(FeatureSet train, FeatureSet validation, Options o, Consumer<Epoch> progress) {
        int d = train.dimension();
        int k = train.classNames().size();
        if (train.size() == 0) {
            throw new IllegalArgumentException("no training samples");
        }
        float[] w = new float[d * k];
        float[] b = new float[k];
        Adam adam = new Adam(d * k + k, o.learningRate());
        float[] bestW = w.clone();
        float[] bestB = b.clone();
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        java.util.ArrayList<Epoch> history = new java.util.ArrayList<>();
        SplittableRandom r = new SplittableRandom(o.seed());
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            shuffle(order, r);
            for (int from = 0; from < order.length; from += o.batch()) {
                int to = Math.min(from + o.batch(), order.length);
                float[][] x = new float[to - from][];
                int[] y = new int[to - from];
                for (int i = from; i < to; i++) {
                    x[i - from] = train.features()[order[i]];
                    y[i - from] = train.labels()[order[i]];
                }
                double[] g = gradient(w, b, d, k, x, y, o.l2());
                adam.step(w, b, g);
            }
            SoftmaxHead head = new SoftmaxHead(w.clone(), b.clone(), d, train.classNames(), train.inputSize());
            double[] tr = evaluate(head, train, o.l2());
            double[] va = validation.size() > 0 ? evaluate(head, validation, o.l2()) : new double[] {Double.NaN, Double.NaN};
            if (!Double.isFinite(tr[0])) {
                throw new IllegalStateException("training diverged at epoch " + epoch + ": the training loss is "
                        + tr[0] + "; lower the learning rate (--lr) or the L2 penalty (--l2)");
            }
            double watched = validation.size() > 0 ? va[0] : tr[0];
            boolean best = watched < bestLoss - 1e-7;
            if (best) {
                bestLoss = watched;
                bestEpoch = epoch;
                bestW = w.clone();
                bestB = b.clone();
            }
            Epoch e = new Epoch(epoch, tr[0], tr[1], va[0], va[1], best);
            history.add(e);
            progress.accept(e);
            if (epoch - bestEpoch >= o.patience()) {
                break;
            }
        }
        return new Result(new SoftmaxHead(bestW, bestB, d, train.classNames(), train.inputSize()), history, bestEpoch);
    }

    /** {loss, accuracy} over a whole set, loss including the L2 term. */
    public static double[] evaluate(SoftmaxHead head, FeatureSet set, double l2) {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < set.size(); i++) {
            double[] p = SoftmaxHead.softmax(head.logits(set.features()[i]));
            loss -= Math.log(Math.max(p[set.labels()[i]], 1e-300));
            int arg = 0;
            for (int c = 1; c < p.length; c++) {
                arg = p[c] > p[arg] ? c : arg;
            }
            correct += arg == set.labels()[i] ? 1 : 0;
        }
        return new double[] {loss / set.size() + l2Term(head.kernel(), l2), (double) correct / set.size()};
    }

    static double l2Term(float[] w, double l2) {
        double s = 0;
        for (float v : w) {
            s += (double) v * v;
        }
        return l2 / 2 * s;
    }

    /**
     * Gradient of the mini-batch loss: d/dz of mean cross-entropy is (p - onehot) / B; dW = x^T dz + l2 W, db = sum dz.
     *
     * @return dW (d x k, row-major) followed by db (k)
     */
    static double[] gradient(float[] w, float[] b, int d, int k, float[][] x, int[] y, double l2) {
        SoftmaxHead head = new SoftmaxHead(w, b, d, names(k), "");
        double[] g = new double[d * k + k];
        for (int n = 0; n < x.length; n++) {
            double[] dz = SoftmaxHead.softmax(head.logits(x[n]));
            dz[y[n]] -= 1;
            for (int c = 0; c < k; c++) {
                dz[c] /= x.length;
                g[d * k + c] += dz[c];
            }
            for (int i = 0; i < d; i++) {
                double v = x[n][i];
                if (v != 0) {
                    for (int c = 0; c < k; c++) {
                        g[i * k + c] += v * dz[c];
                    }
                }
            }
        }
        for (int i = 0; i < d * k; i++) {
            g[i] += l2 * w[i];
        }
        return g;
    }

    /** Mini-batch loss, for checking {@link #gradient} by finite differences. */
    static double loss(float[] w, float[] b, int d, int k, float[][] x, int[] y, double l2) {
        SoftmaxHead head = new SoftmaxHead(w, b, d, names(k), "");
        double loss = 0;
        for (int n = 0; n < x.length; n++) {
            loss -= Math.log(SoftmaxHead.softmax(head.logits(x[n]))[y[n]]);
        }
        return loss / x.length + l2Term(w, l2);
    }

    private static List<String> names(int k) {
        String[] n = new String[k];
        java.util.Arrays.fill(n, "");
        return List.of(n);
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Adam (Kingma and Ba), beta1 0.9, beta2 0.999, epsilon 1e-7 as in Keras. */
    static final class Adam {
        private final double[] m;
        private final double[] v;
        private final double lr;
        private int t;

        Adam(int n, double lr) {
            this.m = new double[n];
            this.v = new double[n];
            this.lr = lr;
        }

        void step(float[] w, float[] b, double[] g) {
            t++;
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int i = 0; i < g.length; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double delta = lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-7);
                if (i < w.length) {
                    w[i] -= (float) delta;
                } else {
                    b[i - w.length] -= (float) delta;
                }
            }
        }
    }
}
