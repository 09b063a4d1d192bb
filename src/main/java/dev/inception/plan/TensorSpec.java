package dev.inception.plan;

import dev.inception.model.Shape;

/**
 * A tensor of the plan: its name (the Keras layer whose output it is), per-image shape, element type, layout, and
 * its place in the activation arena. Offsets and sizes are in elements per image; for a batch of N the executor
 * multiplies both by N, so one plan serves every batch size.
 *
 * <p>With in-place concatenation ({@link ConcatPlacement#IN_PLACE}) a branch output is a {@link Slice} of its
 * block's output: the same pixels, its channels at an offset, every pixel's channels {@code parent channels} apart.
 * Its {@code offset} is then the parent's.
 */
public record TensorSpec(int id, String name, Shape shape, DataType dtype, Layout layout, long offset, Slice slice) {

    /** Channels [channelOffset, channelOffset + own channels) of tensor {@code parent}, which is not a slice. */
    public record Slice(int parent, int channelOffset) {
    }

    public enum DataType { FLOAT32 }

    public enum Layout { NHWC }

    public long elements() {
        return shape.elements();
    }

    TensorSpec at(long newOffset, Slice newSlice) {
        return new TensorSpec(id, name, shape, dtype, layout, newOffset, newSlice);
    }

    public boolean isSlice() {
        return slice != null;
    }
}
