package dev.inception.weights;

import java.util.Arrays;

/** One weight array in Keras layout (row-major over {@code shape}), float32. */
public record Weight(int[] shape, float[] values) {

    public Weight {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + values.length);
        }
        shape = shape.clone();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
