package dev.inception.gpu;

import dev.inception.model.Shape;
import dev.inception.plan.Step;
import dev.inception.plan.Window;

/**
 * The geometry argument of kernels/pooling.cu (its {@code struct PoolGeometry}, field for field, in order): a dense
 * NHWC input, the output's size, the window with its padding before (the padding after follows from the output
 * size; the kernel clips windows to the input), and the output's pixel stride, wider than its channels when the
 * output is a channel slice of a block output. Pure, unit-tested on the CPU.
 */
record PoolGeometry(int height, int width, int channels, int outHeight, int outWidth, int windowRows, int windowCols,
                    int strideRows, int strideCols, int padTop, int padLeft, int outPixelStride) {

    /** kernels/pooling.cu's POOL_MAX and POOL_AVERAGE. */
    static final int MAX = 0;
    static final int AVERAGE = 1;

    static PoolGeometry of(Step.Pool p, Shape in, int outPixelStride) {
        Window w = p.window();
        if (outPixelStride < in.channels()) {
            throw new IllegalArgumentException(p.name() + ": output pixels " + outPixelStride + " apart hold fewer than "
                    + in.channels() + " channels");
        }
        return new PoolGeometry(in.height(), in.width(), in.channels(), w.outHeight(in.height()),
                w.outWidth(in.width()), w.rows(), w.cols(), w.strideRows(), w.strideCols(), w.padTop(), w.padLeft(),
                outPixelStride);
    }

    static int mode(dev.inception.model.PoolMode m) {
        return m == dev.inception.model.PoolMode.MAX ? MAX : AVERAGE;
    }

    /** The struct's bytes as the kernel reads them: twelve ints. */
    int[] fields() {
        return new int[] {height, width, channels, outHeight, outWidth, windowRows, windowCols, strideRows, strideCols,
                padTop, padLeft, outPixelStride};
    }

    /** Threads of a launch over a batch: one per output pixel and group of {@code lanes} channels. */
    long threads(int batch, int lanes) {
        return (long) batch * outHeight * outWidth * (channels / lanes);
    }
}
