package dev.inception.cli;

import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.HeadTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import com.google.gson.GsonBuilder;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train-head", mixinStandardHelpOptions = true,
        header = "Train a new softmax head on bottleneck features.", sortOptions = false,
        description = {"Train a new softmax layer (multinomial logistic regression, cross-entropy + L2, Adam) on",
                "features from 'inception features', with early stopping on the validation loss. Saves it as a",
                "Keras Dense layer named 'predictions' (kernel 2048xK, bias K) plus the class names."},
        footer = {"", "Example: inception train-head --features digits.h5 --out digits-head.h5",
                "Then:    inception predict --head digits-head.h5 IMAGE..."})
final class TrainHeadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--features", required = true, paramLabel = "FILE", description = "From 'inception features'.")
    Path features;

    @Option(names = "--out", required = true, paramLabel = "HEAD.h5", description = "Head file to write.")
    Path headFile;

    @Option(names = "--epochs", defaultValue = "200", description = "At most this many epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--l2", defaultValue = "1e-4", description = "L2 penalty l2/2*|W|^2 (default: ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--seed", defaultValue = "1", description = "Mini-batch order seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--patience", defaultValue = "15",
            description = "Stop after this many epochs without a better validation loss (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--json", description = "Print the result and every epoch's losses as JSON; the epoch lines go to"
            + " stderr as progress.")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws java.io.IOException {
        // with --json, stdout holds the JSON alone; the lines a person reads while it trains go to stderr
        PrintWriter out = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (!(lr > 0 && Double.isFinite(lr)) || !(l2 >= 0 && Double.isFinite(l2)) || epochs < 1 || batch < 1
                || patience < 0) {
            throw new UsageException("--lr must be a finite number > 0, --l2 a finite number >= 0, --epochs and"
                    + " --batch at least 1, --patience at least 0");
        }
        OutputFile.check(headFile, "--out");
        FeatureSet all = FeatureSet.read(features);
        for (int i = 0; i < all.size(); i++) {
            float[] row = all.features()[i];
            for (int j = 0; j < row.length; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new BadInputException(features + ": feature " + j + " of sample " + i + " is " + row[j]
                            + "; recompute the features ('inception features')", null);
                }
            }
        }
        FeatureSet train = all.subset(false);
        FeatureSet val = all.subset(true);
        out.printf("%d training and %d validation samples, %d classes, %d features (weights: %s)%n", train.size(),
                val.size(), all.classNames().size(), all.dimension(), all.weights());
        long start = System.nanoTime();
        HeadTrainer.Result r = HeadTrainer.train(train, val, new HeadTrainer.Options(epochs, lr, batch, l2, seed, patience),
                e -> out.printf(Locale.ROOT, "epoch %3d  train loss %.4f acc %.3f   val loss %.4f acc %.3f%s%n",
                        e.epoch(), e.trainLoss(), e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.best() ? "  *" : ""));
        double seconds = (System.nanoTime() - start) / 1e9;
        // only a trained head is written, whole or not at all
        OutputFile.write(headFile, r.head()::save);
        HeadTrainer.Epoch best = r.history().get(r.bestEpoch() - 1);
        out.printf(Locale.ROOT, "best epoch %d: validation accuracy %.3f (%d samples), training %.1f s -> %s%n",
                r.bestEpoch(), best.valAccuracy(), val.size(), seconds, headFile);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("train_samples", train.size());
            m.put("validation_samples", val.size());
            m.put("classes", all.classNames());
            m.put("features", all.dimension());
            m.put("best_epoch", r.bestEpoch());
            m.put("validation_accuracy", best.valAccuracy());
            m.put("validation_loss", best.valLoss());
            m.put("epochs_run", r.history().size());
            m.put("seconds", seconds);
            m.put("out", headFile.toString());
            m.put("history", r.history().stream().map(TrainHeadCommand::epochJson).toList());
            // an empty validation set gives NaN losses: written as NaN, as verify --json writes them
            spec.commandLine().getOut().println(new GsonBuilder().serializeSpecialFloatingPointValues()
                    .setPrettyPrinting().create().toJson(m));
        }
        return Main.OK;
    }

    private static Map<String, Object> epochJson(HeadTrainer.Epoch e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch());
        m.put("train_loss", e.trainLoss());
        m.put("train_accuracy", e.trainAccuracy());
        m.put("validation_loss", e.valLoss());
        m.put("validation_accuracy", e.valAccuracy());
        return m;
    }
}
