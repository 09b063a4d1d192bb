package dev.inception.model;

/**
 * Keras/TensorFlow padding modes, with TensorFlow's exact arithmetic.
 *
 * <p>'same' pads so that out = ceil(in / stride); when the total padding is odd, TensorFlow puts the extra cell
 * AFTER (bottom/right). cuDNN only pads symmetrically, so the plan records both sides and executors must honour them.
 */
public enum Padding {
    SAME, VALID;

    /** Output length and padding on each side along one axis. */
    public record Axis(int out, int before, int after) {
    }

    public Axis axis(int in, int window, int stride) {
        if (this == VALID) {
            if (in < window) {
                throw new IllegalArgumentException("'valid' window " + window + " does not fit an input of " + in);
            }
            return new Axis((in - window) / stride + 1, 0, 0);
        }
        int out = (in + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + window - in, 0);
        return new Axis(out, total / 2, total - total / 2);
    }

    public String keras() {
        return name().toLowerCase();
    }
}
