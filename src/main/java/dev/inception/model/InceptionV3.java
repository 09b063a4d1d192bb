package dev.inception.model;

/**
 * Keras's {@code keras.applications.inception_v3.InceptionV3}, block by block, in the same order of calls, so that
 * the automatic layer names (conv2d_1..conv2d_94, batch_normalization_1..94) match Keras's weight files.
 * Output shapes in the comments are for the default 299x299 input.
 */
public final class InceptionV3 {

    /** Keras's options: include_top, pooling (used when include_top is false), input size, classes. */
    public record Options(boolean includeTop, Pooling pooling, int height, int width, int classes) {

        public enum Pooling { AVG, MAX, NONE }

        public static final int MIN_SIZE = 75;

        public Options {
            if (height < MIN_SIZE || width < MIN_SIZE) {
                throw new IllegalArgumentException("InceptionV3 needs an input of at least " + MIN_SIZE + "x" + MIN_SIZE
                        + ", got " + height + "x" + width);
            }
            if (classes < 1) {
                throw new IllegalArgumentException("classes must be at least 1, got " + classes);
            }
        }

        /** The ImageNet classifier: 299x299 input, 1000 classes. */
        public static Options defaults() {
            return new Options(true, Pooling.AVG, 299, 299, 1000);
        }

        /** The bottleneck feature extractor: no top, global average pooling, 2048 features. */
        public static Options features(int height, int width) {
            return new Options(false, Pooling.AVG, height, width, 1000);
        }
    }

    public static final float BN_EPSILON = 1e-3f;

    private final GraphBuilder g = new GraphBuilder();

    private InceptionV3() {
    }

    public static Graph build() {
        return build(Options.defaults());
    }

    public static Graph build(Options options) {
        return new InceptionV3().graph(options);
    }

    /** Conv2D (no bias) + BatchNormalization(scale=False) + ReLU: Keras's conv2d_bn helper. */
    private Node conv2dBn(Node x, int filters, int rows, int cols, int strides, Padding padding) {
        x = g.apply(null, new Op.Conv2D(filters, rows, cols, strides, strides, padding), x);
        x = g.apply(null, new Op.BatchNormalization(BN_EPSILON), x);
        return g.apply(null, new Op.Relu(), x);
    }

    private Node conv2dBn(Node x, int filters, int rows, int cols) {
        return conv2dBn(x, filters, rows, cols, 1, Padding.SAME);
    }

    private Node maxPool3x3s2(Node x) {
        return g.apply(null, new Op.Pooling2D(PoolMode.MAX, 3, 3, 2, 2, Padding.VALID), x);
    }

    private Node avgPool3x3s1Same(Node x) {
        return g.apply(null, new Op.Pooling2D(PoolMode.AVERAGE, 3, 3, 1, 1, Padding.SAME), x);
    }

    private Node concat(String name, Node... parts) {
        return g.apply(name, new Op.Concatenate(), parts);
    }

    private Graph graph(Options o) {
        Node x = g.input(Shape.of(o.height(), o.width(), 3));

        // stem
        x = conv2dBn(x, 32, 3, 3, 2, Padding.VALID);                 // 149x149x32
        x = conv2dBn(x, 32, 3, 3, 1, Padding.VALID);                 // 147x147x32
        x = conv2dBn(x, 64, 3, 3);                                   // 147x147x64
        x = maxPool3x3s2(x);                                         // 73x73x64
        x = conv2dBn(x, 80, 1, 1, 1, Padding.VALID);                 // 73x73x80
        x = conv2dBn(x, 192, 3, 3, 1, Padding.VALID);                // 71x71x192
        x = maxPool3x3s2(x);                                         // 35x35x192 ("stem" tap)

        // mixed0, mixed1, mixed2: 35x35x256, 35x35x288, 35x35x288
        for (int i = 0; i < 3; i++) {
            Node branch1x1 = conv2dBn(x, 64, 1, 1);
            Node branch5x5 = conv2dBn(x, 48, 1, 1);
            branch5x5 = conv2dBn(branch5x5, 64, 5, 5);
            Node branch3x3dbl = conv2dBn(x, 64, 1, 1);
            branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
            branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
            Node branchPool = avgPool3x3s1Same(x);
            branchPool = conv2dBn(branchPool, i == 0 ? 32 : 64, 1, 1);
            x = concat("mixed" + i, branch1x1, branch5x5, branch3x3dbl, branchPool);
        }

        // mixed3: 17x17x768
        {
            Node branch3x3 = conv2dBn(x, 384, 3, 3, 2, Padding.VALID);
            Node branch3x3dbl = conv2dBn(x, 64, 1, 1);
            branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
            branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3, 2, Padding.VALID);
            Node branchPool = maxPool3x3s2(x);
            x = concat("mixed3", branch3x3, branch3x3dbl, branchPool);
        }

        // mixed4..mixed7: 17x17x768, factorised 7x7 convolutions with 128, 160, 160, 192 inner filters
        int[] inner = {128, 160, 160, 192};
        for (int i = 0; i < 4; i++) {
            int f = inner[i];
            Node branch1x1 = conv2dBn(x, 192, 1, 1);
            Node branch7x7 = conv2dBn(x, f, 1, 1);
            branch7x7 = conv2dBn(branch7x7, f, 1, 7);
            branch7x7 = conv2dBn(branch7x7, 192, 7, 1);
            Node branch7x7dbl = conv2dBn(x, f, 1, 1);
            branch7x7dbl = conv2dBn(branch7x7dbl, f, 7, 1);
            branch7x7dbl = conv2dBn(branch7x7dbl, f, 1, 7);
            branch7x7dbl = conv2dBn(branch7x7dbl, f, 7, 1);
            branch7x7dbl = conv2dBn(branch7x7dbl, 192, 1, 7);
            Node branchPool = avgPool3x3s1Same(x);
            branchPool = conv2dBn(branchPool, 192, 1, 1);
            x = concat("mixed" + (4 + i), branch1x1, branch7x7, branch7x7dbl, branchPool);
        }

        // mixed8: 8x8x1280
        {
            Node branch3x3 = conv2dBn(x, 192, 1, 1);
            branch3x3 = conv2dBn(branch3x3, 320, 3, 3, 2, Padding.VALID);
            Node branch7x7x3 = conv2dBn(x, 192, 1, 1);
            branch7x7x3 = conv2dBn(branch7x7x3, 192, 1, 7);
            branch7x7x3 = conv2dBn(branch7x7x3, 192, 7, 1);
            branch7x7x3 = conv2dBn(branch7x7x3, 192, 3, 3, 2, Padding.VALID);
            Node branchPool = maxPool3x3s2(x);
            x = concat("mixed8", branch3x3, branch7x7x3, branchPool);
        }

        // mixed9, mixed10: 8x8x2048
        for (int i = 0; i < 2; i++) {
            Node branch1x1 = conv2dBn(x, 320, 1, 1);
            Node branch3x3 = conv2dBn(x, 384, 1, 1);
            Node branch3x3a = conv2dBn(branch3x3, 384, 1, 3);
            Node branch3x3b = conv2dBn(branch3x3, 384, 3, 1);
            branch3x3 = concat("mixed9_" + i, branch3x3a, branch3x3b);
            Node branch3x3dbl = conv2dBn(x, 448, 1, 1);
            branch3x3dbl = conv2dBn(branch3x3dbl, 384, 3, 3);
            Node branch3x3dblA = conv2dBn(branch3x3dbl, 384, 1, 3);
            Node branch3x3dblB = conv2dBn(branch3x3dbl, 384, 3, 1);
            branch3x3dbl = concat(null, branch3x3dblA, branch3x3dblB);     // Keras: concatenate_1, _2
            Node branchPool = avgPool3x3s1Same(x);
            branchPool = conv2dBn(branchPool, 192, 1, 1);
            x = concat("mixed" + (9 + i), branch1x1, branch3x3, branch3x3dbl, branchPool);
        }

        if (o.includeTop()) {
            x = g.apply("avg_pool", new Op.GlobalPooling2D(PoolMode.AVERAGE), x);     // 2048
            x = g.apply("predictions", new Op.Dense(o.classes(), true), x);          // classes, softmax
        } else if (o.pooling() == Options.Pooling.AVG) {
            x = g.apply(null, new Op.GlobalPooling2D(PoolMode.AVERAGE), x);
        } else if (o.pooling() == Options.Pooling.MAX) {
            x = g.apply(null, new Op.GlobalPooling2D(PoolMode.MAX), x);
        }
        return g.build("inception_v3", x);
    }

    /** The layer whose output is the stem (input of mixed0). */
    public static final String STEM = "max_pooling2d_2";
}
