package dev.inception.cli;

import dev.inception.model.InceptionV3;
import picocli.CommandLine.Option;

/** Keras's InceptionV3 options on the command line, shared by the commands that build a model. */
final class ModelOptions {

    @Option(names = "--no-top", description = "Leave out avg_pool and predictions (Keras include_top=False).")
    boolean noTop;

    @Option(names = "--pooling", defaultValue = "avg",
            description = "Global pooling without top: avg | max | none (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--input-size", defaultValue = "299x299", paramLabel = "HxW",
            description = "Input height x width, each >= 75 (default: ${DEFAULT-VALUE}).")
    String inputSize;

    @Option(names = "--classes", defaultValue = "1000", description = "Classes of the top (default: ${DEFAULT-VALUE}).")
    int classes;

    InceptionV3.Options toOptions() {
        InceptionV3.Options.Pooling p = switch (pooling.toLowerCase()) {
            case "avg" -> InceptionV3.Options.Pooling.AVG;
            case "max" -> InceptionV3.Options.Pooling.MAX;
            case "none" -> InceptionV3.Options.Pooling.NONE;
            default -> throw new UsageException("--pooling must be avg, max or none, got '" + pooling + "'");
        };
        try {
            return new InceptionV3.Options(!noTop, p, Sizes.height(inputSize), Sizes.width(inputSize), classes);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());   // too small an input, too few classes
        }
    }
}
