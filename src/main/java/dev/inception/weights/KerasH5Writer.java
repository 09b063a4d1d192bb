package dev.inception.weights;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;

import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes weights in Keras's {@code save_weights} layout, so that Keras ({@code model.load_weights}) and
 * {@link KerasH5Reader} read them: root attributes {@code layer_names}, {@code backend}, {@code keras_version};
 * a group per layer with {@code weight_names}; datasets at {@code /<layer>/<layer>/<weight>}. Only layers that have
 * weights are listed, which is what Keras's loader looks at.
 */
public final class KerasH5Writer {

    private KerasH5Writer() {
    }

    /** Writes every weight of the store, grouped by layer (the part of the key before '/'), in store order. */
    public static void write(Path file, Weights weights, Map<String, ?> extraRootAttributes) {
        Map<String, List<String>> byLayer = new LinkedHashMap<>();
        for (String key : weights.keys()) {
            int slash = key.indexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("weight key '" + key + "' is not of the form layer/weight");
            }
            byLayer.computeIfAbsent(key.substring(0, slash), k -> new ArrayList<>()).add(key);
        }
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            h5.putAttribute("layer_names", byLayer.keySet().toArray(new String[0]));
            h5.putAttribute("backend", "tensorflow");
            h5.putAttribute("keras_version", "2.3.1");
            extraRootAttributes.forEach(h5::putAttribute);
            for (Map.Entry<String, List<String>> layer : byLayer.entrySet()) {
                WritableGroup g = h5.putGroup(layer.getKey());
                g.putAttribute("weight_names", layer.getValue().toArray(new String[0]));
                WritableGroup inner = g.putGroup(layer.getKey());
                for (String key : layer.getValue()) {
                    Weight w = weights.get(key);
                    inner.putDataset(key.substring(key.indexOf('/') + 1), nested(w.values(), w.shape()));
                }
            }
        } catch (RuntimeException e) {
            throw new WeightsFileException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, Weights weights) {
        write(file, weights, Map.of());
    }

    /** jhdf writes a dataset from a Java array of the dataset's rank: reshape the flat values. */
    static Object nested(float[] flat, int[] shape) {
        if (shape.length <= 1) {
            return flat.clone();
        }
        Object out = Array.newInstance(float.class, shape);
        int inner = shape[shape.length - 1];
        int rows = flat.length / Math.max(inner, 1);
        int[] index = new int[shape.length - 1];
        for (int r = 0; r < rows; r++) {
            Object row = out;
            for (int d = 0; d < index.length - 1; d++) {
                row = Array.get(row, index[d]);
            }
            System.arraycopy(flat, r * inner, Array.get(row, index[index.length - 1]), 0, inner);
            for (int d = index.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return out;
    }
}
