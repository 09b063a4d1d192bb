package dev.inception.cli;

import dev.inception.image.Interpolation;
import dev.inception.model.InceptionV3;
import dev.inception.spark.JobSpec;
import dev.inception.spark.SparkJob;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.KerasWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import com.google.gson.GsonBuilder;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "spark", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Classify or extract features from many images with Apache Spark (local mode or a cluster).",
        description = {"Run the network over every image under --input (a folder or glob on any Hadoop file system,",
                "read with Spark's binaryFile source) and write one row per image to --output as Parquet (or JSON",
                "lines): in predict mode the top-K indices, wnids, labels and probabilities; in features mode the",
                "2048-d pooled features and, with --labelled, the class (the image's folder). An unreadable image",
                "gives a row with an 'error' and no result; the job goes on and counts them at the end.",
                "",
                "Each executor JVM opens one engine (per GPU, where Spark assigns GPUs to tasks) and reuses it;",
                "images are decoded, resized and batched inside each partition. Without a cluster, --master local[*]",
                "(the default when Spark was not started by spark-submit) runs it on this machine, bound to",
                "127.0.0.1. On a cluster: spark-submit --class dev.inception.cli.Main inception.jar spark ...",
                "(docs/SPARK.md). Exit codes: 0 done (even with unreadable images, which are rows), 1 failure,",
                "2 usage, 3 unreadable weights or head."},
        footer = {"", "Examples:",
                "  inception spark --input examples --output /tmp/predictions --backend cpu",
                "  inception spark --mode features --labelled --input /data/digits --output /tmp/digits-features \\",
                "      --input-size 75x75"})
final class SparkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOption backend;

    @picocli.CommandLine.Mixin
    GpuOption gpu;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "Images: a folder (searched recursively) or a glob; with --path-column, a Parquet table.")
    String input;

    @Option(names = "--path-column", paramLabel = "NAME",
            description = "--input is a Parquet table whose column NAME holds the images' paths (or names).")
    String pathColumn;

    @Option(names = "--content-column", paramLabel = "NAME",
            description = "With --path-column: the column holding the encoded image bytes (otherwise the files at the"
                    + " paths are read).")
    String contentColumn;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where to write the rows (must not exist).")
    String output;

    @Option(names = "--mode", defaultValue = "predict", description = "predict | features (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--format", defaultValue = "parquet", description = "parquet | json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--labelled", description = "features mode: each image's class is the name of its folder.")
    boolean labelled;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Keras weights (.h5) on a path every executor sees, or shipped with spark-submit --files."
                    + " Default: seeded random weights.")
    String weights;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the seeded weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--head", paramLabel = "HEAD.h5", description = "predict mode: a head from 'inception train-head'.")
    String head;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--input-size", defaultValue = "299x299", paramLabel = "HxW",
            description = "features mode: network input size, each side >= 75 (default: ${DEFAULT-VALUE}).")
    String inputSize;

    @Mixin
    ResizeOption resize;

    @Option(names = "--h5", paramLabel = "FEATURES.h5",
            description = "features mode with --labelled: also write the features file 'train-head' reads, split as"
                    + " 'inception features' splits (collected on the driver: for sets that fit its memory).")
    Path h5;

    @Option(names = "--val-split", defaultValue = "0.2", description = "With --h5: held-out fraction (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(names = "--split-seed", defaultValue = "1", description = "With --h5: seed of the split (default: ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master when not started by spark-submit (default: local[*]).")
    String master;

    @Option(names = "--json", description = "Print the counts as JSON on stdout (Spark's own lines stay on stderr).")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        JobSpec job = job();
        checkOutput();
        SparkJob.Split split = null;
        if (h5 != null) {
            if (job.mode() != JobSpec.Mode.FEATURES || !labelled) {
                throw new UsageException("--h5 writes a labelled features file: use it with --mode features --labelled");
            }
            if (!(valSplit >= 0 && valSplit < 1)) {
                throw new UsageException("--val-split must be in [0, 1), got " + valSplit);
            }
            OutputFile.check(h5, "--h5");
            // the weights named as `inception features` names them: the file's name, or the seeded weights' source
            split = new SparkJob.Split(valSplit, splitSeed, weights != null ? Path.of(weights).getFileName().toString()
                    : "seeded weights (seed " + seed + ")", job.height() + "x" + job.width());
        }
        SparkJob.Counts c;
        long start = System.nanoTime();
        try {
            c = SparkJob.run(job, new SparkJob.Input(input, pathColumn, contentColumn), output, format.equals("json"),
                    master, split);
        } catch (SparkJob.InputNotFound e) {
            throw new BadInputException("--input " + e.getMessage(), e);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("Spark is not on the class path (" + e.getMessage() + "): it is a provided"
                    + " dependency; run through spark-submit on a cluster, or bin/inception spark, which adds the"
                    + " Spark that Maven resolved", e);
        } catch (Throwable e) {
            // anything, Spark's undeclared SparkException too (Java's precise rethrow passes it on as it is)
            removeIfEmpty();
            throw e;
        }
        err.printf("spark: %d images, %d ok, %d unreadable (rows with an 'error'); written to %s%n", c.total(),
                c.total() - c.unreadable(), c.unreadable(), output);
        if (c.features() != null) {
            try {
                OutputFile.write(h5, f -> c.features().write(f));
            } catch (java.io.IOException e) {
                throw new BadInputException("cannot write " + h5 + ": " + e.getMessage(), e);
            }
            err.printf("spark: %d labelled samples (%d held out) written to %s for train-head%n", c.features().size(),
                    c.features().subset(true).size(), h5);
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", job.mode().name().toLowerCase(java.util.Locale.ROOT));
            m.put("images", c.total());
            m.put("ok", c.total() - c.unreadable());
            m.put("unreadable", c.unreadable());
            m.put("output", output);
            m.put("format", format);
            m.put("seconds", (System.nanoTime() - start) / 1e9);
            if (c.features() != null) {
                m.put("h5", h5.toString());
                m.put("h5_samples", c.features().size());
                m.put("h5_validation", c.features().subset(true).size());
            }
            spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().create().toJson(m));
        }
        return Main.OK;
    }

    /** The job's settings, each checked here on the driver: a bad one fails before any task starts. */
    private JobSpec job() {
        JobSpec.Mode m = Choice.of(JobSpec.Mode.class, mode, "--mode");
        Choice.of(Format.class, format, "--format");
        Interpolation how = resize.how();
        if (batch < 1 || top < 1) {
            throw new UsageException("--batch and --top must be at least 1");
        }
        int[] hw = Sizes.parse(inputSize);
        if (hw[0] < InceptionV3.Options.MIN_SIZE || hw[1] < InceptionV3.Options.MIN_SIZE) {
            throw new UsageException("--input-size needs each side >= " + InceptionV3.Options.MIN_SIZE);
        }
        if (head != null) {
            if (m != JobSpec.Mode.PREDICT) {
                throw new UsageException("--head classifies: use it in predict mode");
            }
            hw = Sizes.parse(SoftmaxHead.load(Path.of(head), 2048).inputSize());
        }
        if (weights != null) {
            // read once here: a missing or broken file fails now, with its reason, not in every task
            KerasWeights.load(Path.of(weights), InceptionV3.build(m == JobSpec.Mode.PREDICT && head == null
                    ? InceptionV3.Options.defaults() : InceptionV3.Options.features(hw[0], hw[1])), s -> { });
        }
        var options = gpu.apply(backend.apply(dev.inception.EngineOptions.defaults()));
        return new JobSpec(m, weights, seed, options.backend(), options.gpu(), hw[0], hw[1], top, batch, how, head,
                labelled);
    }

    private enum Format { PARQUET, JSON }

    /**
     * A failed job leaves its output folder behind, empty where no task committed anything (Spark's abort): removed,
     * so that the same command can run again once the cause is fixed. A folder with anything in it is left as it is.
     */
    private void removeIfEmpty() {
        if (output.contains("://")) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(output));   // refuses a folder that is not empty
        } catch (java.io.IOException e) {
            // not empty, or not ours to remove: the next run's check says so
        }
    }

    private void checkOutput() {
        if (contentColumn != null && pathColumn == null) {
            throw new UsageException("--content-column needs --path-column (the table's column of names)");
        }
        if (!output.contains("://") && Files.exists(Path.of(output))) {
            throw new UsageException("--output " + output + " exists; Spark writes a new folder: choose another name"
                    + " or delete it");
        }
    }
}
