package dev.inception;

import dev.inception.model.Shape;

/** A batch of activations in NHWC float32: batch x height x width x channels, row-major. */
public record Tensor(int batch, Shape shape, float[] data) {

    public Tensor {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        if ((long) batch * shape.elements() != data.length) {
            throw new IllegalArgumentException("a batch of " + batch + " x " + shape + " needs "
                    + (long) batch * shape.elements() + " values, got " + data.length);
        }
    }

    public static Tensor zeros(int batch, Shape shape) {
        return new Tensor(batch, shape, new float[Math.toIntExact(batch * shape.elements())]);
    }

    /**
     * Seeded uniform values in [-1, 1), the range of preprocessed images: inputs for benchmarks and GPU checks,
     * the same on every JVM (SplittableRandom's algorithm is specified).
     */
    public static Tensor uniform(int batch, Shape shape, long seed) {
        return new Tensor(batch, shape, uniform(Math.toIntExact(batch * shape.elements()), seed));
    }

    public static float[] uniform(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** The values of image i of the batch (a copy). */
    public float[] image(int i) {
        int n = (int) shape.elements();
        float[] out = new float[n];
        System.arraycopy(data, i * n, out, 0, n);
        return out;
    }

    /** Stacks single images (each of this shape) into one batch. */
    public static Tensor stack(Shape shape, java.util.List<float[]> images) {
        int n = (int) shape.elements();
        float[] data = new float[Math.toIntExact((long) n * images.size())];
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i).length != n) {
                throw new IllegalArgumentException("image " + i + " has " + images.get(i).length + " values, expected "
                        + n + " for " + shape);
            }
            System.arraycopy(images.get(i), 0, data, i * n, n);
        }
        return new Tensor(images.size(), shape, data);
    }
}
