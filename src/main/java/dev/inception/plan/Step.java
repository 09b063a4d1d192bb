package dev.inception.plan;

import dev.inception.model.PoolMode;

import java.util.List;

/**
 * One executable step of a plan. Steps name tensors by id; every step is named after the Keras layer it runs, so a
 * profile or an error can always point back to the model. Both executors implement every step kind.
 */
public sealed interface Step {

    String name();

    List<Integer> inputs();

    int output();

    /**
     * Convolution. Faithful lowering: plain conv, no bias. Fused lowering: the BatchNormalization layer
     * {@code foldedBn} folded into kernel and bias (see weights.BnFolding), followed by ReLU when {@code relu}.
     */
    record Conv(String name, int input, int output, String layer, int filters, Window window,
                String foldedBn, boolean relu) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }

        public String kernelKey() {
            return layer + "/kernel:0";
        }
    }

    /** Inference batch normalisation with gamma = 1: y = (x - mean) / sqrt(var + eps) + beta. */
    record BatchNorm(String name, int input, int output, String layer, float epsilon) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }
    }

    record Relu(String name, int input, int output) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }
    }

    /** Max or average pooling; average divides by in-bounds cells only (Keras/TensorFlow semantics). */
    record Pool(String name, PoolMode mode, int input, int output, Window window) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }
    }

    /** Channel concatenation, realised as a copy of each part into its channel slice of the output. */
    record Concat(String name, List<Integer> inputs, int output) implements Step {
        public Concat {
            inputs = List.copyOf(inputs);
        }
    }

    record GlobalPool(String name, PoolMode mode, int input, int output) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }
    }

    /** y = x W + b, with W the Keras kernel (in, units). */
    record Dense(String name, int input, int output, String layer, int units) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }
    }

    record Softmax(String name, int input, int output) implements Step {
        public List<Integer> inputs() {
            return List.of(input);
        }
    }
}
