package dev.inception.weights;

/**
 * Folds an inference BatchNormalization with gamma = 1 into the convolution before it.
 *
 * <p>BN(conv(x)) = (conv(x) - mean) / sqrt(var + eps) + beta = conv'(x) + bias, where conv' has every output channel
 * co of the kernel scaled by s[co] = 1 / sqrt(var[co] + eps), and bias[co] = beta[co] - mean[co] * s[co].
 * The scale is computed in double and rounded once, so folding adds at most one rounding per weight.
 */
public final class BnFolding {

    public record Folded(float[] kernel, float[] bias) {
    }

    private BnFolding() {
    }

    /** @param kernel Keras layout (kh, kw, cin, cout): the output channel is the fastest-varying index */
    public static Folded fold(float[] kernel, int cout, float[] beta, float[] mean, float[] variance, float epsilon) {
        if (kernel.length % cout != 0 || beta.length != cout || mean.length != cout || variance.length != cout) {
            throw new IllegalArgumentException("batch norm of " + beta.length + " channels does not match a kernel with "
                    + cout + " output channels");
        }
        double[] scale = new double[cout];
        float[] bias = new float[cout];
        for (int co = 0; co < cout; co++) {
            scale[co] = 1.0 / Math.sqrt((double) variance[co] + epsilon);
            bias[co] = (float) (beta[co] - mean[co] * scale[co]);
        }
        float[] folded = new float[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            folded[i] = (float) (kernel[i] * scale[i % cout]);
        }
        return new Folded(folded, bias);
    }
}
