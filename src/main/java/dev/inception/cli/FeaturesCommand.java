package dev.inception.cli;

import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.transfer.FeatureExtractor;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.ImageFolder;
import dev.inception.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "features", mixinStandardHelpOptions = true,
        header = "Extract 2048-d bottleneck features of an image folder for transfer learning.", sortOptions = false,
        description = {"Extract bottleneck features (the 2048 values after global average pooling) for every image",
                "of an image folder (DIR/<class name>/<images>), with a deterministic train/validation split,",
                "into one HDF5 file for 'train-head'. Uses the network without its top; the Keras _notop",
                "weights file or a full one both work. Unreadable images are reported and skipped."},
        footer = {"", "Example: inception features --data /tmp/digits --input-size 75x75 --out digits.h5"})
final class FeaturesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WeightsOption weights;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Image folder, one sub-folder per class.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Features file to write (.h5).")
    Path out;

    @Option(names = "--input-size", defaultValue = "299x299", paramLabel = "HxW",
            description = "Network input size, each side >= 75 (default: ${DEFAULT-VALUE}).")
    String inputSize;

    @Option(names = "--val-split", defaultValue = "0.2", description = "Held-out fraction (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(names = "--split-seed", defaultValue = "1", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--batch", defaultValue = "16", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    BackendOption backend;

    @Mixin
    GpuOption gpu;

    @Mixin
    DecodeOption decode;

    @Mixin
    ResizeOption resize;

    @Option(names = "--json", description = "Print the summary as JSON (progress and skipped images stay on stderr).")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (!(valSplit >= 0 && valSplit < 1)) {      // also refuses NaN
            throw new UsageException("--val-split must be in [0, 1), got " + valSplit);
        }
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1, got " + batch);
        }
        OutputFile.check(out, "--out");
        InceptionV3.Options model;
        try {
            model = InceptionV3.Options.features(Sizes.height(inputSize), Sizes.width(inputSize));
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--input-size: " + e.getMessage());
        }
        EngineOptions options = gpu.apply(backend.apply(EngineOptions.defaults().withModel(model).withMaxBatch(batch)));
        ImageFolder folder;
        try {
            folder = ImageFolder.scan(data, valSplit, splitSeed);
        } catch (IOException e) {
            // no folder, too few classes, no images: the input's fault, as an unreadable image is
            throw new BadInputException("--data: " + e.getMessage(), e);
        }
        Graph graph = InceptionV3.build(model);
        Weights w = weights.resolve(graph, err);
        int[] skipped = {0};
        long start = System.nanoTime();
        FeatureSet set;
        try (InceptionV3Engine engine = InceptionV3Engine.open(w, options, err::println)) {
            Progress progress = new Progress(err, folder.samples().size(), "images", true);
            set = FeatureExtractor.extract(engine, folder, batch, resize.how(),
                    decode.threads(engine.backend()), progress::update, line -> {
                        err.println(line);
                        skipped[0]++;
                    });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (set.size() == 0) {
            throw new BadInputException("no readable images in " + data + "; nothing written", null);
        }
        FeatureSet done = new FeatureSet(set.features(), set.labels(), set.validation(), set.classNames(), set.files(),
                w.source(), set.inputSize());
        OutputFile.write(out, done::write);
        set = done;
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", set.size());
            m.put("train", set.subset(false).size());
            m.put("validation", set.subset(true).size());
            m.put("skipped", skipped[0]);
            m.put("classes", set.classNames());
            m.put("dimension", set.dimension());
            m.put("input_size", set.inputSize());
            m.put("weights", set.weights());
            m.put("seconds", seconds);
            m.put("images_per_second", set.size() / seconds);
            m.put("out", out.toString());
            stdout.println(new GsonBuilder().setPrettyPrinting().create().toJson(m));
        } else {
            stdout.printf(Locale.ROOT, "%d images (%d train, %d validation, %d skipped), %d classes, %d features each,"
                    + " %.1f s (%.1f images/s) -> %s%n", set.size(), set.subset(false).size(), set.subset(true).size(),
                    skipped[0], set.classNames().size(), set.dimension(), seconds, set.size() / seconds, out);
        }
        return skipped[0] > 0 ? Main.BAD_INPUT : Main.OK;
    }
}
