package dev.inception.weights;

import dev.inception.model.Graph;
import dev.inception.model.WeightSpec;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weight store both executors read: Keras weight names ("conv2d_7/kernel:0") to arrays in Keras layout.
 * Immutable; build one with {@link #builder()}, a loader or {@link SeededWeights}.
 */
public final class Weights {

    private final Map<String, Weight> byKey;
    private final String source;

    private Weights(Map<String, Weight> byKey, String source) {
        this.byKey = Collections.unmodifiableMap(new LinkedHashMap<>(byKey));
        this.source = source;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where these weights came from, for messages ("seeded (seed 1)", "file x.h5"). */
    public String source() {
        return source;
    }

    public Set<String> keys() {
        return byKey.keySet();
    }

    public boolean has(String key) {
        return byKey.containsKey(key);
    }

    public Weight get(String key) {
        Weight w = byKey.get(key);
        if (w == null) {
            throw new IllegalArgumentException("weight '" + key + "' is missing from " + source);
        }
        return w;
    }

    public float[] values(String key) {
        return get(key).values();
    }

    /**
     * Checks that every weight the graph needs is here with the right shape. Extra weights are allowed (a full
     * weight file serves a graph without top); the caller decides whether that is an error.
     *
     * @throws WeightsMismatchException naming the first missing or misshapen weight
     */
    public void checkFits(Graph graph) {
        for (WeightSpec spec : graph.weights()) {
            Weight w = byKey.get(spec.key());
            if (w == null) {
                long layers = graph.weights().stream().filter(s -> s.weight().equals("kernel:0")).count();
                throw new WeightsMismatchException(source + " has no '" + spec.key() + "' (" + graph.name() + " needs "
                        + layers + " layers with kernels; first missing: " + spec.layer() + ")");
            }
            if (!Arrays.equals(w.shape(), spec.shape())) {
                throw new WeightsMismatchException(source + ": '" + spec.key() + "' has shape " + w.shapeString()
                        + ", the model needs " + Arrays.toString(spec.shape()));
            }
        }
    }

    public static final class Builder {
        private final Map<String, Weight> byKey = new LinkedHashMap<>();
        private String source = "in-memory weights";

        public Builder put(String key, Weight w) {
            byKey.put(key, w);
            return this;
        }

        public Builder putAll(Weights other) {
            byKey.putAll(other.byKey);
            return this;
        }

        public Builder source(String s) {
            this.source = s;
            return this;
        }

        public Weights build() {
            return new Weights(byKey, source);
        }
    }
}
