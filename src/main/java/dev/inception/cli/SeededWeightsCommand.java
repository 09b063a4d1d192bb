package dev.inception.cli;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.weights.KerasH5Writer;
import dev.inception.weights.SeededWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "seeded-weights", mixinStandardHelpOptions = true,
        header = "Write the seeded random weights (what runs without --weights) as a Keras .h5 file.",
        description = {"Write the seeded random weights that predict, bench, verify and the tests use when no Keras file",
                "is given, in the layout of Keras's save_weights: Keras's model.load_weights and any other",
                "implementation can load them, which is how results are cross-checked outside this project",
                "(src/test/python/keras_reference.py makes the golden fixture from this file)."},
        footer = {"", "Example: inception seeded-weights /tmp/seeded.h5"})
final class SeededWeightsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "OUT.h5", description = "File to write (refused if it exists, unless --force).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}, the one used everywhere).")
    long seed;

    @Option(names = "--no-top", description = "Without the classifier (the _notop layout).")
    boolean noTop;

    @Option(names = "--force", description = "Overwrite OUT.h5.")
    boolean force;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(out) && !force) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), out + " exists; pass --force to overwrite");
        }
        OutputFile.check(out, "OUT.h5");
        Graph graph = InceptionV3.build(noTop ? InceptionV3.Options.features(299, 299) : InceptionV3.Options.defaults());
        OutputFile.write(out, f -> KerasH5Writer.write(f, SeededWeights.forGraph(graph, seed)));
        spec.commandLine().getOut().println("wrote " + out + " (seed " + seed + (noTop ? ", no top" : "") + ")");
        return Main.OK;
    }
}
