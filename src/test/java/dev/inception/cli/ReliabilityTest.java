package dev.inception.cli;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.transfer.FeatureSet;
import dev.inception.weights.KerasH5Writer;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weight;
import dev.inception.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets one line and its exit code before any work; no answer is silently wrong; no work is lost. */
class ReliabilityTest {

    @TempDir
    Path tmp;

    static PredictCommandTest.Run run(String... args) {
        return PredictCommandTest.run(args);
    }

    /** Seeded weights with one value replaced, written as a Keras file. */
    Path weightsWith(String key, int index, float value) throws Exception {
        Graph g = InceptionV3.build();
        Weights seeded = SeededWeights.forGraph(g, 1);
        Weights.Builder b = Weights.builder().source("test");
        for (String k : seeded.keys()) {
            Weight w = seeded.get(k);
            float[] v = w.values();
            if (k.equals(key)) {
                v = v.clone();
                v[index] = value;
            }
            b.put(k, new Weight(w.shape(), v));
        }
        Path f = tmp.resolve(key.replace('/', '_') + ".h5");
        KerasH5Writer.write(f, b.build());
        return f;
    }

    @Test
    void nonFiniteWeightsAndNegativeVariancesAreBadInputNamingTheDataset() throws Exception {
        Path nan = weightsWith("conv2d_5/kernel:0", 17, Float.NaN);
        PredictCommandTest.Run r = run("predict", "--backend", "reference", "--weights", nan.toString(),
                "examples/chelsea.png");
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("conv2d_5/kernel:0") && r.err().contains("index 17"), r.err());
        assertTrue(r.out().isEmpty(), "nothing classified: " + r.out());
        Path negative = weightsWith("batch_normalization_3/moving_variance:0", 2, -0.5f);
        PredictCommandTest.Run v = run("predict", "--backend", "reference", "--weights", negative.toString(),
                "examples/chelsea.png");
        assertEquals(3, v.code(), v.err());
        assertTrue(v.err().contains("moving_variance") && v.err().contains(">= 0"), v.err());
    }

    @Test
    void outputsAreCheckedBeforeAnyWork() throws Exception {
        Path missing = tmp.resolve("no/such/folder/features.h5");
        PredictCommandTest.Run f = run("features", "--data", "examples", "--out", missing.toString());
        assertEquals(2, f.code(), f.err());
        assertTrue(f.err().contains("create it first"), f.err());
        PredictCommandTest.Run dir = run("bench", "--backend", "cpu", "--batch", "1", "--iters", "1", "--out",
                tmp.toString());
        assertEquals(2, dir.code(), dir.err());
        assertTrue(dir.err().contains("is a directory"), dir.err());
        assertFalse(dir.out().contains("network"), "no benchmark ran: " + dir.out());
    }

    /** An error is one line: a message of several is cut after the first, saying where the rest is. */
    @Test
    void errorMessagesAreCutToTheirFirstLine() {
        assertEquals("a batch failed (the rest with --verbose)", Main.firstLine("a batch failed\n\tat x.y(Z.java:1)"));
        assertEquals("one line", Main.firstLine("one line"));
        assertEquals("cause (the rest with --verbose)", Main.firstLine("cause  \r\nDriver stacktrace:"));
        assertTrue(Main.firstLine(null).contains("--verbose"));
    }

    /** Inputs that name nothing are bad input (3), in one line that names the option and what is wrong. */
    @Test
    void missingInputsAreBadInputNamingTheOption() throws Exception {
        Path nothing = tmp.resolve("nothing-here");
        PredictCommandTest.Run f = run("features", "--data", nothing.toString(), "--out", tmp.resolve("f.h5").toString());
        assertEquals(3, f.code(), f.err());
        assertEquals("error: --data: " + nothing + " is not a directory (expected DIR/<class name>/<images>)",
                f.err().strip());
        Path oneClass = Files.createDirectories(tmp.resolve("one-class/cats"));
        Files.copy(Path.of("examples/chelsea.png"), oneClass.resolve("chelsea.png"));
        PredictCommandTest.Run one = run("features", "--data", oneClass.getParent().toString(), "--out",
                tmp.resolve("f.h5").toString());
        assertEquals(3, one.code(), one.err());
        assertTrue(one.err().contains("1 class folder(s); a classifier needs at least 2"), one.err());
        // load's default image is relative to the repository: elsewhere it names the file and the way out
        PredictCommandTest.Run load = run("load", "--image", nothing.toString(), "--requests", "1");
        assertEquals(3, load.code(), load.err());
        assertEquals("error: --image " + nothing + ": no such file (pass --image FILE)", load.err().strip());
    }

    @Test
    void impossibleOptionValuesAreUsageErrors() {
        assertEquals(2, run("features", "--data", "examples", "--out", tmp.resolve("f.h5").toString(),
                "--val-split", "NaN").code());
        assertEquals(2, run("features", "--data", "examples", "--out", tmp.resolve("f.h5").toString(),
                "--val-split", "1").code());
        assertEquals(2, run("bench", "--scope", "bogus").code());
        assertEquals(2, run("train-head", "--features", "x.h5", "--out", tmp.resolve("h.h5").toString(),
                "--lr", "NaN").code());
        assertEquals(2, run("train-head", "--features", "x.h5", "--out", tmp.resolve("h.h5").toString(),
                "--l2", "Infinity").code());
    }

    /** Every impossible option value is exit 2 with one line that says what is allowed, before any work. */
    @Test
    void invalidOptionValuesAreUsageErrorsThatListTheChoices() {
        String[][] cases = {
            {"summary", "--input-size", "74x74"},
            {"summary", "--input-size", "garbage"},
            {"summary", "--pooling", "median"},
            {"summary", "--classes", "0"},
            {"predict", "--resize", "bogus", "examples/chelsea.png"},
            {"verify", "--plan", "bogus", "--candidate", "cpu", "examples/chelsea.png"},
            {"bench", "--precision", "fp8"},
            {"predict", "--backend", "cpu", "--precision", "tf32", "examples/chelsea.png"},
            {"bench", "--backend", "reference", "--precision", "tf32"},
            {"bench", "--branch-streams-max-batch", "0"},
            {"bench", "--cudnn-engines", "-1"},
            {"bench", "--cudnn-engines", "17", "--precision", "fp16"},
            {"bench", "--cudnn-engines", "4"},
            {"features", "--data", "examples", "--out", "f.h5", "--input-size", "10x10"},
            {"features", "--data", "examples", "--out", "f.h5", "--backend", "cpu", "--precision", "bf16"},
            // picocli's own refusals: one line too, with the way to the help, not the help itself
            {"bench", "--batch", "x"},
            {"predict", "--top", "many", "examples/chelsea.png"},
            {"predict", "--tpo", "3", "examples/chelsea.png"},
            {"prdict", "examples/chelsea.png"},
            {"verify", "--candidate", "nope", "examples/chelsea.png"},
        };
        for (String[] c : cases) {
            PredictCommandTest.Run r = run(c);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), String.join(" ", c) + ": " + r.err());
            assertFalse(r.err().contains("No enum constant") || r.err().contains("Exception"), r.err());
        }
        assertTrue(run("predict", "--resize", "bogus", "examples/chelsea.png").err()
                .contains("--resize must be nearest or bilinear"));
        assertTrue(run("prdict", "examples/chelsea.png").err().contains("did you mean predict"));
        // the error names the option the user gave, not the one it is parsed like
        assertTrue(run("verify", "--candidate", "nope", "examples/chelsea.png").err()
                .contains("--candidate must be auto, gpu, cpu or reference, got 'nope'"));
        assertTrue(run("bench", "--cudnn-engines", "4").err().contains("--cudnn-engines applies to --precision fp16"
                + " and bf16"));
        // features takes the GPU switches (not an unknown option), and refuses a 16-bit CPU run before any work
        assertTrue(run("features", "--data", "examples", "--out", "f.h5", "--backend", "cpu", "--precision", "bf16")
                .err().contains("--precision bf16 applies to the GPU only"));
        // --backend auto on this GPU-less machine: the engine refuses the step down to an fp32 CPU engine (after
        // the seeded-weights warning: which backend can run is known only once the GPU has been tried)
        PredictCommandTest.Run auto = run("predict", "--precision", "fp16", "examples/chelsea.png");
        assertEquals(2, auto.code(), auto.err());
        assertTrue(auto.err().lines().reduce((a, b) -> b).orElseThrow()
                .startsWith("error: --precision fp16 applies to the GPU only, and none is usable here: "), auto.err());
        assertFalse(auto.err().contains("Exception"), auto.err());
        PredictCommandTest.Run spark = run("spark", "--input", "examples", "--output", tmp.resolve("never").toString(),
                "--backend", "cpu", "--precision", "fp16");
        assertEquals(2, spark.code(), spark.err());
        assertTrue(spark.err().contains("--precision fp16 applies to the GPU only"), spark.err());
        assertTrue(run("bench", "--batch", "x").err().contains("(see: inception bench --help)"));
    }

    @Test
    void nonFiniteFeaturesAreBadInputAndNoHeadIsWritten() throws Exception {
        float[][] x = {{1, 2}, {Float.NaN, 0}, {0, 1}, {2, 2}};
        FeatureSet set = new FeatureSet(x, new int[] {0, 1, 0, 1}, new boolean[] {false, false, true, true},
                List.of("a", "b"), List.of("1", "2", "3", "4"), "test", "75x75");
        Path features = tmp.resolve("nan-features.h5");
        set.write(features);
        Path head = tmp.resolve("head.h5");
        PredictCommandTest.Run r = run("train-head", "--features", features.toString(), "--out", head.toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("sample 1"), r.err());
        assertFalse(Files.exists(head));
    }

    /** A batch too big for the heap: one line naming --batch and the heap, exit 1, no stack trace, no file. */
    @Test
    void aBatchTooLargeForTheHeapIsRefusedBeforeAnyWork() throws Exception {
        for (String c : new String[] {"a", "b"}) {
            Files.createDirectories(tmp.resolve("data/" + c));
            Files.copy(Path.of("examples/chelsea.png"), tmp.resolve("data/" + c + "/x.png"));
        }
        Path out = tmp.resolve("big.h5");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx200m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "features", "--backend",
                "reference", "--data", tmp.resolve("data").toString(), "--out", out.toString(), "--input-size",
                "3000x3000").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), text);
        assertTrue(text.contains("one image of 3000x3000 needs") && text.contains("--input-size")
                && text.contains("INCEPTION_JAVA_OPTS"), text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
        assertFalse(Files.exists(out));
    }

    @Test
    void absurdBatchesAreRefusedInOneLineNamingTheLargestThatFits() {
        for (String backend : new String[] {"reference", "cpu"}) {
            PredictCommandTest.Run r = run("bench", "--backend", backend, "--batch", "100000", "--scope", "network");
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("error: a batch of 100000 needs") && r.err().contains("use --batch "),
                    r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void serveRefusesImpossibleSettingsBeforeOpeningAnything() {
        String[][] cases = {
            {"--queue", "100000"},
            {"--max-batch", "0"},
            {"--max-batch", "64", "--queue", "32"},
            {"--max-delay-ms", "NaN"},
            {"--max-megapixels", "0"},
            {"--port", "70000"},
            {"--devices", "-1"},
            {"--resize", "cubic"},
        };
        for (String[] c : cases) {
            List<String> args = new java.util.ArrayList<>(List.of("serve", "--backend", "reference"));
            args.addAll(List.of(c));
            PredictCommandTest.Run r = run(args.toArray(new String[0]));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void whenNoImageIsReadableNothingIsWritten() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data/cats"));
        Files.writeString(data.resolve("a.png"), "not an image");
        Files.createDirectories(tmp.resolve("data/dogs"));
        Files.writeString(tmp.resolve("data/dogs/b.jpg"), "not an image either");
        Path out = tmp.resolve("features.h5");
        PredictCommandTest.Run r = run("features", "--backend", "cpu", "--data", tmp.resolve("data").toString(),
                "--out", out.toString(), "--input-size", "75x75");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("no readable images") && r.err().contains("nothing written"), r.err());
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no temporary file left");
        }
    }
}
