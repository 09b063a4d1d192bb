package dev.inception.image;

/**
 * Resizing with PIL's exact pixel mapping, so that images reach the network as Keras's load_img would give them.
 */
public final class Resize {

    /** PIL's fixed-point precision for 8-bit resampling: 32 - 8 - 2 bits. */
    private static final int PRECISION_BITS = 22;
    /** Where every weighted sum starts: a half, so that the final shift rounds. */
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private Resize() {
    }

    public static RgbImage to(RgbImage img, int width, int height, Interpolation how) {
        if (img.width() == width && img.height() == height) {
            return img;
        }
        return how == Interpolation.NEAREST ? nearest(img, width, height) : bilinear(img, width, height);
    }

    /**
     * {@link #to}, written into out from offset: a batch's packed bytes, which nearest fills without a copy of each
     * image of its own (packing 256 photos allocates and moves a quarter less).
     */
    public static void into(RgbImage img, int width, int height, Interpolation how, byte[] out, int offset) {
        boolean sameSize = img.width() == width && img.height() == height;
        if (how == Interpolation.NEAREST && !sameSize) {
            nearestInto(img, width, height, out, offset);
        } else {
            // an image at the size already (the server's and the Spark job's are resized when decoded) is one copy,
            // as to() leaves it
            byte[] px = to(img, width, height, how).pixels();
            System.arraycopy(px, 0, out, offset, px.length);
        }
    }

    /**
     * PIL's NEAREST: the source of output column x is floor(x0), x0 = 0.5 * scale, advanced by scale per column,
     * accumulated in double exactly as PIL's ImagingScaleAffine does (the accumulation decides ties).
     */
    public static RgbImage nearest(RgbImage img, int width, int height) {
        byte[] out = new byte[width * height * 3];
        nearestInto(img, width, height, out, 0);
        return new RgbImage(width, height, out);
    }

    private static void nearestInto(RgbImage img, int width, int height, byte[] out, int offset) {
        int[] xs = nearestIndices(img.width(), width);
        int[] ys = nearestIndices(img.height(), height);
        byte[] px = img.pixels();
        int rowBytes = width * 3;
        for (int y = 0; y < height; y++) {
            int o = offset + y * rowBytes;
            if (y > 0 && ys[y] == ys[y - 1]) {
                // upscaling: the same source row as the row before
                System.arraycopy(out, o - rowBytes, out, o, rowBytes);
                continue;
            }
            int row = ys[y] * img.width() * 3;
            for (int x = 0; x < width; x++, o += 3) {
                int s = row + xs[x] * 3;
                out[o] = px[s];
                out[o + 1] = px[s + 1];
                out[o + 2] = px[s + 2];
            }
        }
    }

    /**
     * The source index of each of outSize positions (columns or rows): what {@link #nearest} reads, and the tables
     * the GPU's resizing kernel (kernels/resize.cu) takes.
     */
    public static int[] nearestIndices(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double pos = scale * 0.5;
        int[] idx = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            idx[i] = Math.min((int) pos, inSize - 1);
            pos += scale;
        }
        return idx;
    }

    /**
     * PIL's BILINEAR (Resample.c): a horizontal pass then a vertical pass, each a triangle filter of support
     * max(1, scale), weights normalised and rounded to 22-bit fixed point, results rounded and clipped to uint8
     * between the passes.
     */
    public static RgbImage bilinear(RgbImage img, int width, int height) {
        byte[] pixels = img.pixels();
        int w = img.width();
        int h = img.height();
        if (width != w) {
            Coefficients c = Coefficients.of(w, width);
            pixels = horizontal(pixels, w, h, c);
            w = width;
        }
        if (height != h) {
            Coefficients c = Coefficients.of(h, height);
            pixels = vertical(pixels, w, c);
            h = height;
        }
        return new RgbImage(w, h, pixels);
    }

    /**
     * BILINEAR's coefficients from inSize to outSize positions as flat tables, for the GPU's resizing kernel
     * (kernels/resize.cu): the first source index of each output index, and {@code taps} weights per output index
     * (the most any has; the others zero-padded). Where the sizes are equal they leave the values as they are.
     */
    public record Taps(int[] start, int[] weights, int taps) {

        public static Taps bilinear(int inSize, int outSize) {
            Coefficients c = Coefficients.of(inSize, outSize);
            int taps = java.util.Arrays.stream(c.weights()).mapToInt(k -> k.length).max().orElse(0);
            int[] flat = new int[outSize * taps];
            for (int o = 0; o < outSize; o++) {
                System.arraycopy(c.weights()[o], 0, flat, o * taps, c.weights()[o].length);
            }
            return new Taps(c.start(), flat, taps);
        }
    }

    /** For each output index: the first input index, and the fixed-point weights of it and the inputs after it. */
    record Coefficients(int[] start, int[][] weights) {

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 1.0 * filterScale;      // the triangle filter's support is 1
            int[] start = new int[outSize];
            int[][] weights = new int[outSize][];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                double[] k = new double[max - min];
                double sum = 0;
                for (int i = 0; i < k.length; i++) {
                    double d = Math.abs((i + min - center + 0.5) / filterScale);
                    k[i] = d < 1.0 ? 1.0 - d : 0.0;
                    sum += k[i];
                }
                weights[o] = new int[k.length];
                for (int i = 0; i < k.length; i++) {
                    double v = sum != 0 ? k[i] / sum : k[i];
                    weights[o][i] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                start[o] = min;
            }
            return new Coefficients(start, weights);
        }
    }

    /**
     * Each output row from its row of the source, each pixel a weighted sum of the source pixels its coefficients
     * name (a pixel's three channels in one loop). Integer sums, so the order of the additions cannot change a
     * result, and in 32 bits, as PIL's, which cannot overflow: a weight rounds up by at most a half and only where
     * its share is at least 2^-23, of which there are at most 2^23, so a pixel's weights sum to at most 2^23, and
     * 255 * 2^23 + 2^21 is below 2^31.
     */
    private static byte[] horizontal(byte[] src, int w, int h, Coefficients c) {
        int outW = c.start().length;
        byte[] out = new byte[outW * h * 3];
        for (int y = 0; y < h; y++) {
            int row = y * w * 3;
            int o = y * outW * 3;
            for (int x = 0; x < outW; x++, o += 3) {
                int[] k = c.weights()[x];
                int r = HALF;
                int g = HALF;
                int b = HALF;
                for (int i = 0, s = row + c.start()[x] * 3; i < k.length; i++, s += 3) {
                    r += (src[s] & 0xff) * k[i];
                    g += (src[s + 1] & 0xff) * k[i];
                    b += (src[s + 2] & 0xff) * k[i];
                }
                out[o] = (byte) clip8(r);
                out[o + 1] = (byte) clip8(g);
                out[o + 2] = (byte) clip8(b);
            }
        }
        return out;
    }

    /**
     * Each output row a weighted sum of whole source rows: the inner loop runs along a row, over consecutive bytes
     * (a loop down each column would touch a new cache line for every tap).
     */
    private static byte[] vertical(byte[] src, int w, Coefficients c) {
        int outH = c.start().length;
        int rowBytes = w * 3;
        byte[] out = new byte[rowBytes * outH];
        int[] acc = new int[rowBytes];
        for (int y = 0; y < outH; y++) {
            java.util.Arrays.fill(acc, HALF);
            int[] k = c.weights()[y];
            for (int i = 0, s = c.start()[y] * rowBytes; i < k.length; i++, s += rowBytes) {
                int weight = k[i];
                for (int j = 0; j < rowBytes; j++) {
                    acc[j] += (src[s + j] & 0xff) * weight;
                }
            }
            for (int j = 0, o = y * rowBytes; j < rowBytes; j++) {
                out[o + j] = (byte) clip8(acc[j]);
            }
        }
        return out;
    }

    private static int clip8(int v) {
        if (v >= (255 + 1) << PRECISION_BITS) {
            return 255;
        }
        return v <= 0 ? 0 : (int) (v >> PRECISION_BITS);
    }
}
