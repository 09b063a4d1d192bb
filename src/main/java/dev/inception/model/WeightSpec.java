package dev.inception.model;

import java.util.Arrays;

/**
 * One weight a layer needs, named as Keras names it inside the layer ("kernel:0", "moving_mean:0", ...),
 * with its Keras shape (a conv kernel is kh, kw, cin, cout; a Dense kernel is in, out).
 */
public record WeightSpec(String layer, String weight, int[] shape, boolean trainable) {

    /** The store key, as in a Keras weight file's weight_names: "conv2d_7/kernel:0". */
    public String key() {
        return layer + "/" + weight;
    }

    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightSpec w && w.layer.equals(layer) && w.weight.equals(weight)
                && Arrays.equals(w.shape, shape) && w.trainable == trainable;
    }

    @Override
    public int hashCode() {
        return key().hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return key() + Arrays.toString(shape);
    }
}
