package dev.inception.cli;

import dev.inception.model.Graph;
import dev.inception.weights.KerasWeights;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/** --weights, and the default search: the file given, else Keras's cache, else seeded weights with a warning. */
final class WeightsOption {

    @Option(names = "--weights", paramLabel = "FILE",
            description = {"Keras InceptionV3 weights (.h5). Default: Keras's cache ($KERAS_HOME/models or",
                    "~/.keras/models), else seeded random weights (labels are then meaningless)."})
    Path file;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the seeded weights (default: ${DEFAULT-VALUE}).")
    long seed;

    Weights resolve(Graph graph, PrintWriter err) {
        String name = graph.has("predictions") ? KerasWeights.TOP_FILE : KerasWeights.NOTOP_FILE;
        Optional<Path> chosen = Optional.ofNullable(file)
                .or(() -> KerasWeights.cached(name))
                .or(() -> graph.has("predictions") ? Optional.empty() : KerasWeights.cached(KerasWeights.TOP_FILE));
        if (chosen.isPresent()) {
            return KerasWeights.load(chosen.get(), graph, err::println);
        }
        String consequence = graph.has("predictions") ? "so ImageNet labels are meaningless"
                : "so features are random projections (a head trained on them works, but far worse than with real weights)";
        err.println("warning: no Keras weights found (no --weights, no " + name + " in $KERAS_HOME/models or"
                + " ~/.keras/models): using seeded random weights, " + consequence + ". Keras saves the real file"
                + " there on first use of keras.applications.InceptionV3(weights='imagenet'); or pass --weights FILE.");
        return SeededWeights.forGraph(graph, seed);
    }
}
