package dev.inception.model;

import java.util.List;

/**
 * The layer vocabulary of InceptionV3, each op a Keras layer class. An op knows its output shape, the weights it
 * needs (which give the parameter counts) and its multiply-add count; executors and the plan never re-derive these.
 */
public sealed interface Op {

    /** Keras's class name, as model.summary() prints it. */
    String kerasClass();

    Shape outputShape(List<Shape> inputs);

    default List<WeightSpec> weights(String layer, List<Shape> inputs) {
        return List.of();
    }

    default long multiplyAdds(List<Shape> inputs, Shape output) {
        return 0;
    }

    private static Shape single(List<Shape> inputs, String what) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(what + " takes exactly one input, got " + inputs.size());
        }
        return inputs.get(0);
    }

    record Input(Shape shape) implements Op {
        public String kerasClass() {
            return "InputLayer";
        }

        public Shape outputShape(List<Shape> inputs) {
            return shape;
        }
    }

    /** Conv2D without bias (Keras: use_bias=False), as in every InceptionV3 conv2d_bn block. */
    record Conv2D(int filters, int kernelRows, int kernelCols, int strideRows, int strideCols, Padding padding)
            implements Op {
        public String kerasClass() {
            return "Conv2D";
        }

        public Shape outputShape(List<Shape> inputs) {
            Shape in = single(inputs, "Conv2D");
            return Shape.of(padding.axis(in.height(), kernelRows, strideRows).out(),
                    padding.axis(in.width(), kernelCols, strideCols).out(), filters);
        }

        public List<WeightSpec> weights(String layer, List<Shape> inputs) {
            int cin = single(inputs, "Conv2D").channels();
            return List.of(new WeightSpec(layer, "kernel:0", new int[] {kernelRows, kernelCols, cin, filters}, true));
        }

        public long multiplyAdds(List<Shape> inputs, Shape output) {
            return output.elements() * kernelRows * kernelCols * inputs.get(0).channels();
        }
    }

    /** BatchNormalization(scale=False): gamma is fixed to 1, so only beta and the moving statistics exist. */
    record BatchNormalization(float epsilon) implements Op {
        public String kerasClass() {
            return "BatchNormalization";
        }

        public Shape outputShape(List<Shape> inputs) {
            return single(inputs, "BatchNormalization");
        }

        public List<WeightSpec> weights(String layer, List<Shape> inputs) {
            int[] c = {single(inputs, "BatchNormalization").channels()};
            return List.of(new WeightSpec(layer, "beta:0", c, true),
                    new WeightSpec(layer, "moving_mean:0", c, false),
                    new WeightSpec(layer, "moving_variance:0", c, false));
        }
    }

    /** Activation('relu'). */
    record Relu() implements Op {
        public String kerasClass() {
            return "Activation";
        }

        public Shape outputShape(List<Shape> inputs) {
            return single(inputs, "Activation");
        }
    }

    record Pooling2D(PoolMode mode, int poolRows, int poolCols, int strideRows, int strideCols, Padding padding)
            implements Op {
        public String kerasClass() {
            return mode == PoolMode.MAX ? "MaxPooling2D" : "AveragePooling2D";
        }

        public Shape outputShape(List<Shape> inputs) {
            Shape in = single(inputs, kerasClass());
            return Shape.of(padding.axis(in.height(), poolRows, strideRows).out(),
                    padding.axis(in.width(), poolCols, strideCols).out(), in.channels());
        }
    }

    /** Concatenate along channels (the last axis in NHWC). */
    record Concatenate() implements Op {
        public String kerasClass() {
            return "Concatenate";
        }

        public Shape outputShape(List<Shape> inputs) {
            if (inputs.size() < 2) {
                throw new IllegalArgumentException("Concatenate needs at least two inputs");
            }
            Shape first = inputs.get(0);
            int channels = 0;
            for (Shape s : inputs) {
                if (s.height() != first.height() || s.width() != first.width() || s.flat()) {
                    throw new IllegalArgumentException("Concatenate inputs differ in height/width: " + inputs);
                }
                channels += s.channels();
            }
            return Shape.of(first.height(), first.width(), channels);
        }
    }

    record GlobalPooling2D(PoolMode mode) implements Op {
        public String kerasClass() {
            return mode == PoolMode.MAX ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D";
        }

        public Shape outputShape(List<Shape> inputs) {
            return Shape.vector(single(inputs, kerasClass()).channels());
        }
    }

    /** Dense(units, activation='softmax') when softmax is true, as Keras's 'predictions' layer. */
    record Dense(int units, boolean softmax) implements Op {
        public String kerasClass() {
            return "Dense";
        }

        public Shape outputShape(List<Shape> inputs) {
            if (!single(inputs, "Dense").flat()) {
                throw new IllegalArgumentException("Dense expects a flat input, got " + inputs.get(0));
            }
            return Shape.vector(units);
        }

        public List<WeightSpec> weights(String layer, List<Shape> inputs) {
            int in = inputs.get(0).channels();
            return List.of(new WeightSpec(layer, "kernel:0", new int[] {in, units}, true),
                    new WeightSpec(layer, "bias:0", new int[] {units}, true));
        }

        public long multiplyAdds(List<Shape> inputs, Shape output) {
            return (long) inputs.get(0).channels() * units;
        }
    }
}
