package dev.inception.cli;

import dev.inception.transfer.Digits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "dataset", mixinStandardHelpOptions = true,
        header = "Write a built-in data set (digits) as an image folder.",
        description = {"Write a built-in data set as an image folder (DIR/<class>/<image>.png) for 'features'.",
                "  digits   1797 handwritten digits, 10 classes (UCI, CC BY 4.0), 8x8 grey upscaled to RGB"},
        footer = {"", "Example: inception dataset digits --out /tmp/digits --size 75"})
final class DatasetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "digits")
    String name;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write: new, or empty.")
    Path out;

    @Option(names = "--size", defaultValue = "75", description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if (!name.equals("digits")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "unknown data set '" + name
                    + "'; available: digits");
        }
        if (size < 8 || size > 2048) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--size must be in 8..2048");
        }
        OutputFile.checkFolder(out, "--out");
        int[] n = {0};
        OutputFile.writeFolder(out, dir -> n[0] = Digits.writeImageFolder(dir, size));
        spec.commandLine().getOut().println("wrote " + n[0] + " images in 10 classes to " + out);
        return Main.OK;
    }
}
