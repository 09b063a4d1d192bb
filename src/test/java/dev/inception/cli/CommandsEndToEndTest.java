package dev.inception.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.inception.nativelib.CudaDiscovery;
import dev.inception.nativelib.LibrarySearch;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.TransferEndToEndTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands not covered elsewhere, run as a user runs them (through Main), with what they print and write. */
class CommandsEndToEndTest {

    @TempDir
    Path tmp;

    static PredictCommandTest.Run run(String... args) {
        return PredictCommandTest.run(args);
    }

    @Test
    void summaryPrintsKerassTotals() {
        PredictCommandTest.Run r = run("summary");
        assertEquals(0, r.code(), r.err());
        // Keras's model.summary() for InceptionV3: 23,851,784 params, 34,432 of them non-trainable (BN statistics)
        assertTrue(r.out().contains("Total params: 23,851,784"), r.out());
        assertTrue(r.out().contains("Non-trainable params: 34,432"), r.out());
        assertTrue(r.out().contains("Multiply-adds per image: 5,713,216,096"), r.out());
        PredictCommandTest.Run notop = run("summary", "--no-top");
        assertTrue(notop.out().contains("Total params: 21,802,784"), notop.out());
        // --json: the same totals (Keras's), and layers whose params add up to them, each after its inputs
        PredictCommandTest.Run j = run("summary", "--json");
        assertEquals(0, j.code(), j.err());
        JsonObject o = JsonParser.parseString(j.out()).getAsJsonObject();
        assertEquals(23_851_784L, o.get("total_params").getAsLong());
        assertEquals(34_432L, o.get("non_trainable_params").getAsLong());
        assertEquals(5_713_216_096L, o.get("multiply_adds_per_image").getAsLong());
        long sum = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (com.google.gson.JsonElement e : o.getAsJsonArray("layers")) {
            JsonObject layer = e.getAsJsonObject();
            sum += layer.get("params").getAsLong();
            for (com.google.gson.JsonElement in : layer.getAsJsonArray("inputs")) {
                assertTrue(seen.contains(in.getAsString()), layer.get("name") + " comes before its input " + in);
            }
            seen.add(layer.get("name").getAsString());
        }
        assertEquals(23_851_784L, sum);
        JsonObject last = o.getAsJsonArray("layers").asList().get(o.getAsJsonArray("layers").size() - 1)
                .getAsJsonObject();
        assertEquals("predictions", last.get("name").getAsString());
        assertEquals("[1000]", last.get("output_shape").toString());
        assertTrue(o.getAsJsonObject("plans").has("fused") && o.getAsJsonObject("plans").has("faithful"), j.out());
    }

    @Test
    void datasetDigitsWritesTenClassFolders() throws Exception {
        Path out = tmp.resolve("digits");
        PredictCommandTest.Run r = run("dataset", "digits", "--out", out.toString(), "--size", "16");
        assertEquals(0, r.code(), r.err());
        try (Stream<Path> classes = Files.list(out); Stream<Path> all = Files.walk(out)) {
            assertEquals(10, classes.filter(Files::isDirectory).count());
            assertEquals(1797, all.filter(p -> p.toString().endsWith(".png")).count());
        }
        assertTrue(r.out().contains("1797"), r.out());
        assertEquals(2, run("dataset", "mnist", "--out", tmp.resolve("mnist").toString()).code(),
                "unknown data set is a usage error");
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".part")), "no temporary folder left");
        }
        // no lost work: a file, or a folder with anything in it, is refused before anything is written
        PredictCommandTest.Run again = run("dataset", "digits", "--out", out.toString(), "--size", "16");
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("is a folder with files in it"), again.err());
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        PredictCommandTest.Run onFile = run("dataset", "digits", "--out", file.toString());
        assertEquals(2, onFile.code(), onFile.err());
        assertTrue(onFile.err().contains("is a file; name a new folder"), onFile.err());
        assertEquals("mine", Files.readString(file));
    }

    /** features -> train-head -> predict --head, on three classes of drawn shapes, through the command line. */
    @Test
    void featuresTrainHeadAndPredictWithTheHead() throws Exception {
        Path data = tmp.resolve("shapes");
        TransferEndToEndTest.writeShapes(data, 8);
        Path features = tmp.resolve("features.h5");
        PredictCommandTest.Run f = run("features", "--backend", "cpu", "--data", data.toString(), "--out",
                features.toString(), "--input-size", "75x75", "--val-split", "0.25", "--json");
        assertEquals(0, f.code(), f.err());
        FeatureSet set = FeatureSet.read(features);
        assertEquals(24, set.size());
        assertEquals(2048, set.dimension());
        // --json: stdout is one object, and it says what the file read back holds
        JsonObject fj = JsonParser.parseString(f.out()).getAsJsonObject();
        assertEquals(24, fj.get("images").getAsInt());
        assertEquals(set.subset(false).size(), fj.get("train").getAsInt());
        assertEquals(set.subset(true).size(), fj.get("validation").getAsInt());
        assertEquals(0, fj.get("skipped").getAsInt());
        assertEquals(List.of("blue_squares", "green_discs", "red_bars"),
                fj.getAsJsonArray("classes").asList().stream().map(e -> e.getAsString()).toList());
        assertEquals(2048, fj.get("dimension").getAsInt());
        assertEquals("75x75", fj.get("input_size").getAsString());
        assertEquals(features.toString(), fj.get("out").getAsString());

        Path head = tmp.resolve("head.h5");
        PredictCommandTest.Run t = run("train-head", "--features", features.toString(), "--out", head.toString(),
                "--epochs", "60", "--json");
        assertEquals(0, t.code(), t.err());
        assertTrue(Files.size(head) > 0);
        JsonObject tj = JsonParser.parseString(t.out()).getAsJsonObject();
        assertEquals(set.subset(false).size(), tj.get("train_samples").getAsInt());
        assertEquals(set.subset(true).size(), tj.get("validation_samples").getAsInt());
        com.google.gson.JsonArray history = tj.getAsJsonArray("history");
        assertEquals(tj.get("epochs_run").getAsInt(), history.size());
        assertTrue(history.size() >= 1 && history.size() <= 60, tj.toString());
        // the best epoch has the lowest validation loss (improvements under 1e-7 do not count), and its numbers are
        // its own
        int best = tj.get("best_epoch").getAsInt() - 1;
        for (com.google.gson.JsonElement e : history) {
            assertTrue(loss(history.get(best)) <= loss(e) + 1e-7, "epoch " + (best + 1) + " is not the best: " + e);
        }
        JsonObject bestEpoch = history.get(best).getAsJsonObject();
        assertEquals(bestEpoch.get("validation_accuracy").getAsDouble(), tj.get("validation_accuracy").getAsDouble());
        assertEquals(loss(bestEpoch), tj.get("validation_loss").getAsDouble());
        // the epochs a person reads while it trains went to stderr, one line each
        assertEquals(history.size(), t.err().lines().filter(l -> l.startsWith("epoch ")).count(), t.err());

        Path image;
        try (Stream<Path> s = Files.list(data.resolve("red_bars"))) {
            image = s.sorted().findFirst().orElseThrow();
        }
        PredictCommandTest.Run p = run("predict", "--backend", "cpu", "--json", "--head", head.toString(),
                image.toString());
        assertEquals(0, p.code(), p.err());
        JsonObject o = JsonParser.parseString(p.out().lines().findFirst().orElseThrow()).getAsJsonObject();
        List<String> classes = List.of("blue_squares", "green_discs", "red_bars");
        String top = o.getAsJsonArray("top").get(0).getAsJsonObject().get("label").getAsString();
        assertTrue(classes.contains(top), p.out());
        assertEquals(3, o.getAsJsonArray("top").size(), "a 3-class head gives at most 3 entries: " + p.out());
    }

    private static double loss(com.google.gson.JsonElement epoch) {
        return epoch.getAsJsonObject().get("validation_loss").getAsDouble();
    }

    /** profile: one row per step, shares summing to 100%, GFLOP/s and GB/s from the Keras layers, a chart. */
    @Test
    void profileTimesEveryStepOnBothCpuExecutors() throws Exception {
        for (String backend : new String[] {"cpu", "reference"}) {
            PredictCommandTest.Run r = run("profile", "--backend", backend, "--json", "--iters", "1", "--warmup", "0");
            assertEquals(0, r.code(), r.err());
            JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
            assertEquals(backend, o.get("backend").getAsString());
            com.google.gson.JsonArray steps = o.getAsJsonArray("steps");
            assertEquals(125, steps.size(), "the fused plan's steps");
            double share = 0;
            for (com.google.gson.JsonElement e : steps) {
                share += e.getAsJsonObject().get("share").getAsDouble();
            }
            assertEquals(1.0, share, 1e-9);
            JsonObject conv1 = steps.get(0).getAsJsonObject();
            assertEquals("conv2d_1", conv1.get("step").getAsString());
            // conv2d_1: 149 x 149 x 32 outputs x 27 multiply-adds each, twice for GFLOP/s
            double expected = 2.0 * 149 * 149 * 32 * 27 / (conv1.get("milliseconds").getAsDouble() * 1e6);
            assertEquals(expected, conv1.get("gflops").getAsDouble(), expected * 1e-9);
            assertTrue(backend.equals("reference") ? conv1.get("implementation").getAsString().equals("java")
                    : !conv1.get("implementation").getAsString().isEmpty(), conv1.toString());
            // GB/s from the least memory a step moves, float32: conv2d_1 reads 299x299x3 and its 3x3x3x32 kernel
            // and writes 149x149x32; max_pooling2d_1 reads 147x147x64 and writes 73x73x64
            double convBytes = (299.0 * 299 * 3 + 149 * 149 * 32 + 3 * 3 * 3 * 32) * 4;
            assertEquals(convBytes / (conv1.get("milliseconds").getAsDouble() * 1e6),
                    conv1.get("gbytesPerSecond").getAsDouble(), 1e-9 * convBytes);
            JsonObject pool = null;
            for (com.google.gson.JsonElement e : steps) {
                if (e.getAsJsonObject().get("step").getAsString().equals("max_pooling2d_1")) {
                    pool = e.getAsJsonObject();
                }
            }
            double poolBytes = (147.0 * 147 * 64 + 73 * 73 * 64) * 4;
            assertEquals(poolBytes / (pool.get("milliseconds").getAsDouble() * 1e6),
                    pool.get("gbytesPerSecond").getAsDouble(), 1e-9 * poolBytes);
        }
        Path png = tmp.resolve("profile.png");
        PredictCommandTest.Run chart = run("profile", "--backend", "cpu", "--iters", "1", "--warmup", "0", "--chart",
                png.toString());
        assertEquals(0, chart.code(), chart.err());
        assertTrue(chart.out().contains("conv2d_") && chart.out().contains("total of step medians"), chart.out());
        assertTrue(Files.size(png) > 1000);
    }

    /** --threads reaches oneDNN's OpenMP only through the launcher's OMP_NUM_THREADS; anything else is refused. */
    @Test
    void threadsWithoutTheLauncherAndAnUnknownBackendAreUsageErrors() {
        String omp = System.getenv("OMP_NUM_THREADS");
        String other = omp == null ? "3" : String.valueOf(Integer.parseInt(omp) + 1);
        PredictCommandTest.Run r = run("predict", "--backend", "cpu", "--threads", other, "examples/chelsea.png");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("OMP_NUM_THREADS=" + other), r.err());
        PredictCommandTest.Run zero = run("predict", "--threads", "0", "examples/chelsea.png");
        assertEquals(2, zero.code(), zero.err());
        PredictCommandTest.Run bogus = run("predict", "--backend", "tpu", "examples/chelsea.png");
        assertEquals(2, bogus.code(), bogus.err());
        assertTrue(bogus.err().contains("auto, gpu, cpu or reference"), bogus.err());
    }

    @Test
    void smokeWithoutAGpuFailsWithTheReason() {
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.fromEnvironment());
        Assumptions.assumeTrue(d.driver().isEmpty(), "this machine has a CUDA driver: the smoke test may pass");
        PredictCommandTest.Run r = run("smoke");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("passed:") && r.out().contains("false"), r.out());
        assertTrue(r.out().contains("libcuda.so.1"), r.out());
    }
}
