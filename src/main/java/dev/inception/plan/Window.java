package dev.inception.plan;

import dev.inception.model.Padding;
import dev.inception.model.Shape;

/**
 * A sliding window (convolution kernel or pooling window) with explicit padding on all four sides, as TensorFlow
 * computes it. cuDNN pads symmetrically only, so {@link #symmetric()} tells an executor whether it can pass the
 * padding straight through.
 */
public record Window(int rows, int cols, int strideRows, int strideCols,
                     int padTop, int padBottom, int padLeft, int padRight) {

    public static Window of(Shape in, int rows, int cols, int strideRows, int strideCols, Padding padding) {
        Padding.Axis v = padding.axis(in.height(), rows, strideRows);
        Padding.Axis h = padding.axis(in.width(), cols, strideCols);
        return new Window(rows, cols, strideRows, strideCols, v.before(), v.after(), h.before(), h.after());
    }

    public boolean symmetric() {
        return padTop == padBottom && padLeft == padRight;
    }

    public int outHeight(int inHeight) {
        return (inHeight + padTop + padBottom - rows) / strideRows + 1;
    }

    public int outWidth(int inWidth) {
        return (inWidth + padLeft + padRight - cols) / strideCols + 1;
    }
}
