package dev.inception.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.image.DecodeAhead;
import dev.inception.image.Interpolation;
import dev.inception.image.RgbImage;
import dev.inception.imagenet.Labels;
import dev.inception.imagenet.Prediction;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.Shape;
import dev.inception.transfer.HeadClassifier;
import dev.inception.transfer.ImageFolder;
import dev.inception.transfer.SoftmaxHead;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        header = "Classify images: top-K ImageNet classes (or a trained head's classes) per image.", sortOptions = false,
        description = {"Classify images with InceptionV3 and print the top-K ImageNet classes, like Keras's",
                "decode_predictions. Images are decoded, converted to RGB, resized to 299x299 as Keras's load_img",
                "does, and preprocessed as x/127.5 - 1. Several images go through in batches.",
                "",
                "Exit codes: 0 success, 1 failure, 2 usage error, 3 an image or the weights could not be read",
                "(the readable images are still classified)."},
        footer = {"", "Examples:", "  inception predict examples/chelsea.png", "  inception predict --json photos/",
                "  curl -s https://example.com/cat.jpg | inception predict -",
                "  inception predict --weights inception_v3_weights_tf_dim_ordering_tf_kernels.h5 --json *.jpg"})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WeightsOption weights;

    @Mixin
    BackendOption backend;

    @Mixin
    GpuOption gpu;

    @Mixin
    DecodeOption decode;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "One JSON object per image per line on stdout.")
    boolean json;

    @Mixin
    ResizeOption resize;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--head", paramLabel = "HEAD.h5",
            description = {"A softmax head from 'inception train-head': classify into its classes with the frozen",
                    "network's bottleneck features (at the input size the head was trained with)."})
    Path head;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "IMAGE",
            description = "PNG, JPEG, BMP or GIF files, or folders: a folder's images at any depth, in path order;"
                    + " - reads one image from standard input.")
    List<Path> images;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (top < 1 || batch < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--top and --batch must be at least 1");
        }
        Interpolation how = resize.how();
        SoftmaxHead newHead = head == null ? null : SoftmaxHead.load(head, 2048);
        InceptionV3.Options model = graphOptions(newHead);
        Graph graph = InceptionV3.build(model);
        EngineOptions options = gpu.apply(backend.apply(EngineOptions.defaults().withModel(model).withMaxBatch(batch)));
        Labels labels = newHead == null ? Labels.imagenet() : Labels.ofNames(newHead.classNames());
        if (images.stream().filter(StdinImage::named).count() > 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "- (standard input) can be given once: it holds one image");
        }
        StdinImage stdin = images.stream().anyMatch(StdinImage::named) ? StdinImage.read(System.in) : null;
        int unreadable = 0;
        List<Path> files = new ArrayList<>();
        for (Path p : images) {
            if (StdinImage.named(p) || !java.nio.file.Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            // a folder is its images, at any depth, in path order
            try {
                List<Path> under = ImageFolder.imagesUnder(p);
                if (under.isEmpty()) {
                    err.println("error: " + p + ": no images (PNG, JPEG, BMP, GIF) in this folder");
                    unreadable++;
                }
                files.addAll(under);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                err.println("error: " + p + ": cannot list its images: " + e.getMessage());
                unreadable++;
            }
        }
        try (InceptionV3Engine engine = InceptionV3Engine.open(weights.resolve(graph, err), options, err::println)) {
            HeadClassifier classifier = newHead == null ? null : engine.withHead(newHead);
            if (verbose) {
                engine.describe().forEach(err::println);
            }
            Shape input = graph.input().shape();
            Progress progress = new Progress(err, files.size(), "images", files.size() > batch);
            int done = 0;
            // The next batch is decoded while the network runs on this one, and submitted before this one's results
            // are printed (on the GPU its upload overlaps this one's compute); results stay in input order.
            Runnable printPrevious = null;
            DecodeAhead.Reader reader = DecodeAhead.resizingTo(input.height(), input.width(), how);
            if (stdin != null) {
                reader = stdin.or(reader, new dev.inception.image.ImageDecoder.Size(input.width(), input.height(), how));
            }
            try (DecodeAhead<Path> ahead = new DecodeAhead<>(files, p -> p, batch, reader,
                    decode.threads(engine.backend()))) {
                while (ahead.hasNext()) {
                    List<DecodeAhead.Item<Path>> items = ahead.next();
                    for (DecodeAhead.Item<Path> item : items) {
                        if (item.error() != null) {
                            err.println("error: " + item.error().getMessage());
                            unreadable++;
                        }
                    }
                    DecodeAhead.Decoded<Path> readable = DecodeAhead.Decoded.of(items);
                    List<Path> paths = readable.sources();
                    List<RgbImage> decoded = readable.images();
                    Runnable printThis = null;
                    if (!decoded.isEmpty()) {
                        java.util.function.Supplier<float[][]> result = classifier == null
                                ? engine.predictLater(decoded, how)
                                : classifier.predictLater(decoded, how);
                        String backendName = engine.backend();
                        printThis = () -> {
                            float[][] probabilities = result.get();
                            for (int i = 0; i < paths.size(); i++) {
                                print(out, paths.get(i), backendName, labels.top(probabilities[i], top));
                            }
                            out.flush();
                        };
                    }
                    if (printPrevious != null) {
                        printPrevious.run();
                    }
                    printPrevious = printThis;
                    done += items.size();
                    progress.update(done);
                }
                if (printPrevious != null) {
                    printPrevious.run();
                }
            }
        }
        return unreadable > 0 ? Main.BAD_INPUT : Main.OK;
    }

    private static InceptionV3.Options graphOptions(SoftmaxHead h) {
        return h == null ? InceptionV3.Options.defaults()
                : InceptionV3.Options.features(Sizes.height(h.inputSize()), Sizes.width(h.inputSize()));
    }

    private void print(PrintWriter out, Path image, String backendName, List<Prediction> predictions) {
        if (json) {
            JsonObject o = Prediction.json(image.toString(), backendName, predictions);
            out.println(new Gson().toJson(o));
            return;
        }
        out.println(image + "  (" + backendName + ")");
        for (int r = 0; r < predictions.size(); r++) {
            Prediction p = predictions.get(r);
            String name = p.wnid().isEmpty() ? p.label() : p.wnid() + "  " + p.label();
            out.printf(Locale.ROOT, "  %2d. %-40s %7.2f%%  (class %d)%n", r + 1, name, p.probability() * 100, p.index());
        }
    }
}
