package dev.inception.cli;

import dev.inception.image.Interpolation;
import picocli.CommandLine.Option;

/** --resize: how images reach the network's input size, with PIL's pixel mapping as Keras's load_img. */
final class ResizeOption {

    @Option(names = "--resize", defaultValue = "nearest", paramLabel = "nearest|bilinear",
            description = "How images are resized to the network's input: nearest or bilinear, PIL's, as Keras's"
                    + " load_img (default: ${DEFAULT-VALUE}, load_img's default; bilinear costs a few ms more per"
                    + " image).")
    String resize;

    /** The interpolation asked for; a usage error (exit 2) names the choices where the value is none of them. */
    Interpolation how() {
        return Choice.of(Interpolation.class, resize, "--resize");
    }
}
