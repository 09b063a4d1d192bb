package dev.inception.gpu;

/**
 * Layout transposes between Keras/TensorFlow (NHWC activations, kh-kw-cin-cout kernels) and cuDNN's NCHW
 * activations and KCRS (cout-cin-kh-kw) filters. Pure functions, unit-tested on the CPU.
 */
public final class Layouts {

    private Layouts() {
    }

    public static float[] nhwcToNchw(float[] x, int n, int h, int w, int c) {
        float[] out = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int z = 0; z < w; z++) {
                    for (int k = 0; k < c; k++) {
                        out[((b * c + k) * h + y) * w + z] = x[((b * h + y) * w + z) * c + k];
                    }
                }
            }
        }
        return out;
    }

    public static float[] nchwToNhwc(float[] x, int n, int c, int h, int w) {
        float[] out = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                for (int y = 0; y < h; y++) {
                    for (int z = 0; z < w; z++) {
                        out[((b * h + y) * w + z) * c + k] = x[((b * c + k) * h + y) * w + z];
                    }
                }
            }
        }
        return out;
    }

    /** Keras kernel (kh, kw, cin, cout) to cuDNN NCHW filter (cout, cin, kh, kw). */
    public static float[] kerasKernelToKcrs(float[] k, int kh, int kw, int cin, int cout) {
        float[] out = new float[k.length];
        for (int r = 0; r < kh; r++) {
            for (int s = 0; s < kw; s++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int co = 0; co < cout; co++) {
                        out[((co * cin + ci) * kh + r) * kw + s] = k[((r * kw + s) * cin + ci) * cout + co];
                    }
                }
            }
        }
        return out;
    }

    /** Keras kernel (kh, kw, cin, cout) to cuDNN NHWC filter (cout, kh, kw, cin). */
    public static float[] kerasKernelToKrsc(float[] k, int kh, int kw, int cin, int cout) {
        float[] out = new float[k.length];
        for (int r = 0; r < kh; r++) {
            for (int s = 0; s < kw; s++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int co = 0; co < cout; co++) {
                        out[((co * kh + r) * kw + s) * cin + ci] = k[((r * kw + s) * cin + ci) * cout + co];
                    }
                }
            }
        }
        return out;
    }
}
