package dev.inception.weights;

import dev.inception.model.Graph;
import dev.inception.model.WeightSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keras's own InceptionV3 weight files, checked against a graph, and where to find them by default.
 * The file's layer_names are in graph-depth order, not numeric order, so layers are matched by name.
 */
public final class KerasWeights {

    public static final String TOP_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5";
    public static final String NOTOP_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5";

    private KerasWeights() {
    }

    /**
     * Reads a Keras weights file and checks it fits the graph: every needed weight present with its shape, no layer
     * the graph does not have. A full file used for a graph without top is accepted (its 'predictions' layer is
     * left out, and {@code notice} is told); a notop file for a graph with top is refused with that explanation.
     */
    public static Weights load(Path file, Graph graph, Consumer<String> notice) {
        KerasH5Reader.Contents c = KerasH5Reader.read(file);
        Set<String> needed = new LinkedHashSet<>();
        for (WeightSpec s : graph.weights()) {
            needed.add(s.layer());
        }
        Set<String> inFile = new LinkedHashSet<>();
        for (KerasH5Reader.Layer l : c.layers()) {
            if (!l.weightKeys().isEmpty()) {
                inFile.add(l.name());
            }
        }
        if (graph.has("predictions") && !inFile.contains("predictions")
                && inFile.containsAll(needed.stream().filter(n -> !n.equals("predictions")).toList())) {
            throw new WeightsMismatchException(file.getFileName() + " is a notop weights file (it has no 'predictions'"
                    + " layer) but the classifier needs one: use " + TOP_FILE + ", or run without top");
        }
        Weights.Builder kept = Weights.builder().source(file.getFileName().toString());
        for (KerasH5Reader.Layer l : c.layers()) {
            if (l.weightKeys().isEmpty()) {
                continue;
            }
            if (!needed.contains(l.name())) {
                if (l.name().equals("predictions") && !graph.has("predictions")) {
                    notice.accept("note: " + file.getFileName() + " has the classifier top; using it without top");
                    continue;
                }
                throw new WeightsMismatchException(file.getFileName() + " has a layer '" + l.name() + "' that "
                        + graph.name() + " does not have (" + inFile.size() + " layers with weights in the file, "
                        + needed.size() + " in the model): is this an InceptionV3 weights file?");
            }
            for (String key : l.weightKeys()) {
                kept.put(key, c.weights().get(key));
            }
        }
        Weights w = kept.build();
        w.checkFits(graph);
        checkValues(file, w);
        return w;
    }

    /**
     * Every value finite, every BN variance non-negative: a weight file that breaks either would load and then
     * classify into NaN, so it is refused as bad input here, naming the dataset and the first bad index.
     */
    static void checkValues(Path file, Weights w) {
        for (String key : w.keys()) {
            float[] v = w.values(key);
            boolean variance = key.endsWith("/moving_variance:0");
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i]) || variance && v[i] < 0) {
                    throw new WeightsFileException(file + ": dataset " + key + " has " + v[i] + " at index " + i
                            + (variance ? " (a variance must be finite and >= 0)" : " (weights must be finite)")
                            + "; the file is damaged: download it again");
                }
            }
        }
    }

    /** Keras's cache: $KERAS_HOME/models/NAME, else ~/.keras/models/NAME, when the file exists. */
    public static Optional<Path> cached(String name) {
        String kerasHome = System.getenv("KERAS_HOME");
        Path dir = kerasHome != null && !kerasHome.isBlank() ? Path.of(kerasHome)
                : Path.of(System.getProperty("user.home"), ".keras");
        Path file = dir.resolve("models").resolve(name);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
}
