package dev.inception.cpu;

import dev.inception.model.PoolMode;
import dev.inception.plan.Window;

import java.util.stream.IntStream;

/**
 * The reference arithmetic, NHWC float32, written as plain loops that are easy to check by eye. Each op reads
 * {@code src} from offset {@code in} and writes {@code dst} at offset {@code out} (they may be the same array, an
 * arena, as long as the regions do not overlap). Work is split across cores by (image, output row).
 */
public final class CpuOps {

    private CpuOps() {
    }

    /** Geometry of an NHWC batch: n images of h x w x c. */
    public record Dims(int n, int h, int w, int c) {
        long size() {
            return (long) n * h * w * c;
        }
    }

    /**
     * Convolution with explicit (possibly asymmetric) padding: out = sum x * kernel (+ bias), then ReLU if asked.
     *
     * @param kernel Keras layout (kh, kw, cin, cout)
     * @param bias   per output channel, or null
     */
    public static void conv2d(float[] src, int in, Dims x, float[] kernel, float[] bias, Window win, int cout,
                              boolean relu, float[] dst, int out) {
        int oh = win.outHeight(x.h());
        int ow = win.outWidth(x.w());
        int cin = x.c();
        IntStream.range(0, x.n() * oh).parallel().forEach(row -> {
            int n = row / oh;
            int oy = row % oh;
            float[] acc = new float[cout];
            for (int ox = 0; ox < ow; ox++) {
                if (bias != null) {
                    System.arraycopy(bias, 0, acc, 0, cout);
                } else {
                    java.util.Arrays.fill(acc, 0f);
                }
                for (int ky = 0; ky < win.rows(); ky++) {
                    int iy = oy * win.strideRows() - win.padTop() + ky;
                    if (iy < 0 || iy >= x.h()) {
                        continue;
                    }
                    for (int kx = 0; kx < win.cols(); kx++) {
                        int ix = ox * win.strideCols() - win.padLeft() + kx;
                        if (ix < 0 || ix >= x.w()) {
                            continue;
                        }
                        int pixel = in + ((n * x.h() + iy) * x.w() + ix) * cin;
                        int tap = (ky * win.cols() + kx) * cin * cout;
                        for (int ci = 0; ci < cin; ci++) {
                            float v = src[pixel + ci];
                            if (v == 0f) {
                                continue;   // most inputs follow a ReLU; skipping zeros changes no sum
                            }
                            int k = tap + ci * cout;
                            for (int co = 0; co < cout; co++) {
                                acc[co] += v * kernel[k + co];
                            }
                        }
                    }
                }
                int o = out + ((n * oh + oy) * ow + ox) * cout;
                for (int co = 0; co < cout; co++) {
                    dst[o + co] = relu && acc[co] < 0f ? 0f : acc[co];
                }
            }
        });
    }

    /** Inference batch norm with gamma = 1: y = (x - mean) / sqrt(var + eps) + beta, per channel. */
    public static void batchNorm(float[] src, int in, Dims x, float[] beta, float[] mean, float[] variance,
                                 float epsilon, float[] dst, int out) {
        int c = x.c();
        float[] inv = new float[c];
        for (int i = 0; i < c; i++) {
            inv[i] = (float) (1.0 / Math.sqrt((double) variance[i] + epsilon));
        }
        int pixels = x.n() * x.h() * x.w();
        IntStream.range(0, pixels).parallel().forEach(p -> {
            int b = p * c;
            for (int i = 0; i < c; i++) {
                dst[out + b + i] = (src[in + b + i] - mean[i]) * inv[i] + beta[i];
            }
        });
    }

    public static void relu(float[] src, int in, long size, float[] dst, int out) {
        for (int i = 0; i < size; i++) {
            float v = src[in + i];
            dst[out + i] = v < 0f ? 0f : v;
        }
    }

    /**
     * Max or average pooling. Padded cells never take part: max ignores them, and average divides by the number
     * of in-bounds cells (TensorFlow's rule, and cuDNN's COUNT_EXCLUDE_PADDING).
     */
    public static void pool(PoolMode mode, float[] src, int in, Dims x, Window win, float[] dst, int out) {
        int oh = win.outHeight(x.h());
        int ow = win.outWidth(x.w());
        int c = x.c();
        IntStream.range(0, x.n() * oh).parallel().forEach(row -> {
            int n = row / oh;
            int oy = row % oh;
            float[] acc = new float[c];
            for (int ox = 0; ox < ow; ox++) {
                java.util.Arrays.fill(acc, mode == PoolMode.MAX ? Float.NEGATIVE_INFINITY : 0f);
                int count = 0;
                for (int ky = 0; ky < win.rows(); ky++) {
                    int iy = oy * win.strideRows() - win.padTop() + ky;
                    for (int kx = 0; kx < win.cols(); kx++) {
                        int ix = ox * win.strideCols() - win.padLeft() + kx;
                        if (iy < 0 || iy >= x.h() || ix < 0 || ix >= x.w()) {
                            continue;
                        }
                        count++;
                        int p = in + ((n * x.h() + iy) * x.w() + ix) * c;
                        for (int i = 0; i < c; i++) {
                            acc[i] = mode == PoolMode.MAX ? Math.max(acc[i], src[p + i]) : acc[i] + src[p + i];
                        }
                    }
                }
                int o = out + ((n * oh + oy) * ow + ox) * c;
                for (int i = 0; i < c; i++) {
                    dst[o + i] = mode == PoolMode.MAX ? acc[i] : acc[i] / count;
                }
            }
        });
    }

    /** Copies each part into its channel slice of the output, pixel by pixel. */
    public static void concat(float[] src, int[] ins, int[] channels, int pixels, float[] dst, int out) {
        int total = 0;
        for (int c : channels) {
            total += c;
        }
        final int cTotal = total;
        IntStream.range(0, pixels).parallel().forEach(p -> {
            int slice = 0;
            for (int k = 0; k < ins.length; k++) {
                System.arraycopy(src, ins[k] + p * channels[k], dst, out + p * cTotal + slice, channels[k]);
                slice += channels[k];
            }
        });
    }

    /** Global pooling over height and width; average accumulates in double. Output: n x c. */
    public static void globalPool(PoolMode mode, float[] src, int in, Dims x, float[] dst, int out) {
        int hw = x.h() * x.w();
        int c = x.c();
        for (int n = 0; n < x.n(); n++) {
            for (int i = 0; i < c; i++) {
                double acc = mode == PoolMode.MAX ? Double.NEGATIVE_INFINITY : 0;
                for (int p = 0; p < hw; p++) {
                    float v = src[in + (n * hw + p) * c + i];
                    acc = mode == PoolMode.MAX ? Math.max(acc, v) : acc + v;
                }
                dst[out + n * c + i] = (float) (mode == PoolMode.MAX ? acc : acc / hw);
            }
        }
    }

    /** y = x W + b for each of n rows; W in Keras layout (in, units). */
    public static void dense(float[] src, int in, int n, int inputs, float[] kernel, float[] bias, int units,
                             float[] dst, int out) {
        IntStream.range(0, n).parallel().forEach(r -> {
            float[] acc = bias.clone();
            for (int i = 0; i < inputs; i++) {
                float v = src[in + r * inputs + i];
                int k = i * units;
                for (int u = 0; u < units; u++) {
                    acc[u] += v * kernel[k + u];
                }
            }
            System.arraycopy(acc, 0, dst, out + r * units, units);
        });
    }

    /** Row-wise softmax, max-subtracted, in double. */
    public static void softmax(float[] src, int in, int n, int classes, float[] dst, int out) {
        for (int r = 0; r < n; r++) {
            int b = in + r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < classes; i++) {
                max = Math.max(max, src[b + i]);
            }
            double sum = 0;
            double[] e = new double[classes];
            for (int i = 0; i < classes; i++) {
                e[i] = Math.exp(src[b + i] - max);
                sum += e[i];
            }
            for (int i = 0; i < classes; i++) {
                dst[out + r * classes + i] = (float) (e[i] / sum);
            }
        }
    }
}
