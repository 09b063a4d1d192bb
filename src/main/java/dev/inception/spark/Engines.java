package dev.inception.spark;

import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.transfer.HeadClassifier;
import dev.inception.transfer.SoftmaxHead;
import dev.inception.weights.KerasWeights;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.apache.spark.SparkFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One engine per executor JVM and job settings (and GPU), opened on first use by any task and shared by every task
 * after it; closed when the JVM exits. Engines serialise their calls, so tasks on the same executor share it safely.
 */
final class Engines {

    /** An engine and, with a head, the classifier on top of it. */
    record Opened(InceptionV3Engine engine, HeadClassifier head) {
    }

    private static final Map<String, Opened> OPEN = new HashMap<>();
    private static boolean hooked;

    private Engines() {
    }

    static synchronized Opened get(JobSpec spec, int device) {
        String key = spec.engineKey(device);
        Opened e = OPEN.get(key);
        if (e == null) {
            e = open(spec, device);
            OPEN.put(key, e);
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(Engines::closeAll, "inception-engines"));
                hooked = true;
            }
        }
        return e;
    }

    static synchronized void closeAll() {
        OPEN.values().forEach(o -> o.engine().close());
        OPEN.clear();
    }

    private static Opened open(JobSpec spec, int device) {
        SoftmaxHead head = spec.head() == null ? null : SoftmaxHead.load(local(spec.head()), 2048);
        boolean top = spec.mode() == JobSpec.Mode.PREDICT && head == null;
        InceptionV3.Options model = top ? InceptionV3.Options.defaults()
                : InceptionV3.Options.features(spec.height(), spec.width());
        Graph graph = InceptionV3.build(model);
        Weights weights = spec.weights() == null ? SeededWeights.forGraph(graph, spec.seed())
                : KerasWeights.load(local(spec.weights()), graph, s -> { });
        EngineOptions options = EngineOptions.defaults().withModel(model).withBackend(spec.backend())
                .withGpu(spec.gpu()).withMaxBatch(spec.batch()).withDevice(Math.max(device, 0));
        InceptionV3Engine engine = InceptionV3Engine.open(weights, options, s -> { });
        return new Opened(engine, head == null ? null : engine.withHead(head));
    }

    /** A file as this executor sees it: the path itself where it exists (a shared file system), else --files' copy. */
    static Path local(String file) {
        Path p = Path.of(file);
        if (Files.isRegularFile(p)) {
            return p;
        }
        Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
        if (Files.isRegularFile(shipped)) {
            return shipped;
        }
        throw new IllegalStateException(file + " is not on this executor: put it on a file system every executor"
                + " mounts, or ship it with spark-submit --files " + file);
    }
}
