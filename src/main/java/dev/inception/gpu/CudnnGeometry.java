package dev.inception.gpu;

import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Step;
import dev.inception.plan.Window;

import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX;

/**
 * How plan steps map to cuDNN and cuBLAS parameters. Pure arithmetic, no native call, so it is unit-tested on the
 * CPU: every descriptor the GPU executor creates gets its numbers from here.
 */
public final class CudnnGeometry {

    private CudnnGeometry() {
    }

    /** A 4-D NHWC tensor as cuDNN's descriptor takes it: n, c, h, w (the format argument says NHWC). */
    public record Dims(int n, int c, int h, int w) {
        public static Dims of(int n, Shape s) {
            return new Dims(n, s.channels(), s.height(), s.width());
        }

        public long elements() {
            return (long) n * c * h * w;
        }
    }

    /** Convolution: filter k x c x r x s (KRSC in memory for NHWC), symmetric padding, strides, and the output. */
    public record Conv(Dims input, int k, int r, int s, int padH, int padW, int strideH, int strideW, Dims output) {
    }

    /** Pooling window, padding and strides, with cuDNN's pooling mode. */
    public record Pool(int mode, int windowH, int windowW, int padH, int padW, int strideH, int strideW, Dims output) {
    }

    /**
     * C (m x n, column-major) = op(A) (m x k) B (k x n): cuBLAS's view of a row-major Dense layer y = x W, computed as
     * y^T = W^T x^T, where row-major W (in x units) is W^T column-major with leading dimension units (op(A) = A);
     * and of a 1x1 convolution ({@link #oneByOne(Conv, int, int)}, op(A) = A transposed).
     */
    public record Gemm(int m, int n, int k, int lda, int ldb, int ldc) {
    }

    public static Conv conv(Step.Conv step, Shape in, int batch) {
        Window w = step.window();
        requireSymmetric(step.name(), w);
        Dims x = Dims.of(batch, in);
        int outH = (in.height() + 2 * w.padTop() - w.rows()) / w.strideRows() + 1;
        int outW = (in.width() + 2 * w.padLeft() - w.cols()) / w.strideCols() + 1;
        return new Conv(x, step.filters(), w.rows(), w.cols(), w.padTop(), w.padLeft(), w.strideRows(), w.strideCols(),
                new Dims(batch, step.filters(), outH, outW));
    }

    public static Pool pool(Step.Pool step, Shape in, int batch) {
        Window w = step.window();
        requireSymmetric(step.name(), w);
        int outH = (in.height() + 2 * w.padTop() - w.rows()) / w.strideRows() + 1;
        int outW = (in.width() + 2 * w.padLeft() - w.cols()) / w.strideCols() + 1;
        return new Pool(poolingMode(step.mode()), w.rows(), w.cols(), w.padTop(), w.padLeft(), w.strideRows(),
                w.strideCols(), new Dims(batch, in.channels(), outH, outW));
    }

    /** Global pooling: one window covering the whole feature map. */
    public static Pool globalPool(PoolMode mode, Shape in, int batch) {
        return new Pool(poolingMode(mode), in.height(), in.width(), 0, 0, in.height(), in.width(),
                new Dims(batch, in.channels(), 1, 1));
    }

    public static Gemm dense(int batch, int inputs, int units) {
        return new Gemm(units, batch, inputs, units, inputs, units);
    }

    /** Whether a convolution is 1x1 with stride 1 (and so no padding): a matrix product over the pixels in NHWC. */
    public static boolean oneByOne(Conv g) {
        return g.r() == 1 && g.s() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0
                && (long) g.input().n() * g.input().h() * g.input().w() <= Integer.MAX_VALUE;
    }

    /**
     * A 1x1 convolution over NHWC tensors as cuBLAS's C = op(A) B, column-major: each pixel's channels are a
     * column, so x is B (c x pixels, leading dimension the pixel stride of x), y is C (k x pixels, leading
     * dimension the pixel stride of y: a channel slice of a block output is written in place), and the KRSC filter,
     * k rows of c weights, is column-major c x k, so A = filter with op(A) = transposed (lda = c).
     *
     * @param xPixelStride elements from one pixel of x to the next (its channels, or its parent's for a slice)
     * @param yPixelStride the same for y
     */
    public static Gemm oneByOne(Conv g, int xPixelStride, int yPixelStride) {
        if (!oneByOne(g)) {
            throw new IllegalArgumentException("not a 1x1 convolution with stride 1: " + g);
        }
        if (xPixelStride < g.input().c() || yPixelStride < g.k()) {
            throw new IllegalArgumentException("pixel strides " + xPixelStride + " and " + yPixelStride
                    + " are below the channels " + g.input().c() + " and " + g.k());
        }
        int pixels = g.input().n() * g.input().h() * g.input().w();
        return new Gemm(g.k(), pixels, g.input().c(), g.input().c(), xPixelStride, yPixelStride);
    }

    /** Keras's average pooling divides by the in-bounds cells: cuDNN's COUNT_EXCLUDE_PADDING. */
    public static int poolingMode(PoolMode mode) {
        return mode == PoolMode.MAX ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
    }

    private static void requireSymmetric(String step, Window w) {
        if (!w.symmetric()) {
            throw new GpuException(step + ": TensorFlow's asymmetric 'same' padding (" + w + ") cannot be expressed"
                    + " in cuDNN, which pads symmetrically; InceptionV3 never needs it at any input size");
        }
    }
}
