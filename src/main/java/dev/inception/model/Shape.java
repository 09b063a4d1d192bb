package dev.inception.model;

/**
 * The shape of one image's activation, NHWC without the batch axis: height x width x channels.
 * A flat shape (the output of global pooling or Dense) has height = width = 1 and prints as Keras does, "(None, 2048)".
 */
public record Shape(int height, int width, int channels, boolean flat) {

    public Shape {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("shape dimensions must be positive: " + height + "x" + width + "x" + channels);
        }
        if (flat && (height != 1 || width != 1)) {
            throw new IllegalArgumentException("a flat shape has height = width = 1");
        }
    }

    public static Shape of(int height, int width, int channels) {
        return new Shape(height, width, channels, false);
    }

    public static Shape vector(int channels) {
        return new Shape(1, 1, channels, true);
    }

    /** Elements per image. */
    public long elements() {
        return (long) height * width * channels;
    }

    /** Keras's summary notation, batch axis first. */
    @Override
    public String toString() {
        return flat ? "(None, " + channels + ")" : "(None, " + height + ", " + width + ", " + channels + ")";
    }
}
