package dev.inception.plan;

import dev.inception.model.Shape;

/**
 * A tensor of the plan: its name (the Keras layer whose output it is), per-image shape, element type, layout, and
 * its place in the activation arena. Offsets and sizes are in elements per image; for a batch of N the executor
 * multiplies both by N, so one plan serves every batch size.
 */
public record TensorSpec(int id, String name, Shape shape, DataType dtype, Layout layout, long offset) {

    public enum DataType { FLOAT32 }

    public enum Layout { NHWC }

    public long elements() {
        return shape.elements();
    }

    TensorSpec at(long newOffset) {
        return new TensorSpec(id, name, shape, dtype, layout, newOffset);
    }
}
