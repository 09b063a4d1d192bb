package dev.inception.spark;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.inception.Backend;
import dev.inception.UnsupportedPrecisionException;
import dev.inception.cli.Main;
import dev.inception.image.Interpolation;
import dev.inception.transfer.FeatureSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark job in local[2] on loopback, against the command line on the same images: {@code inception predict
 * --json} for predict mode, {@code inception features} (read back from its .h5) for features mode. Both run the
 * same engine code with the same seeded weights, so the results must agree bit for bit; the batch size is the same
 * on both sides where oneDNN runs, since oneDNN picks its kernels per batch size.
 */
class BatchInferenceTest {

    static final dev.inception.EngineOptions.Gpu FP32 = dev.inception.EngineOptions.Gpu.defaults();

    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("inception-test")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        spark.stop();
        Engines.closeAll();
    }

    static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertTrue(code == 0 || code == 3, String.join(" ", args) + ": " + err);
        return out.toString();
    }

    /**
     * The GPU switches travel with the job: they tell engines apart on an executor, and a 16-bit job on an executor
     * whose engine is not a GPU one fails with the reason instead of quietly running fp32 (and caches nothing).
     */
    @Test
    void gpuSwitchesTravelWithTheJobAndA16BitJobRefusesACpuExecutor() {
        dev.inception.EngineOptions.Gpu bf16 = new dev.inception.EngineOptions.Gpu(dev.inception.Precision.BF16, true,
                true, false, false, 16, 4, true, true, true);
        JobSpec fp32 = new JobSpec(JobSpec.Mode.FEATURES, null, 1, Backend.CPU, FP32, 75, 75, 1, 2,
                Interpolation.NEAREST, null, false);
        JobSpec half = new JobSpec(JobSpec.Mode.FEATURES, null, 1, Backend.CPU, bf16, 75, 75, 1, 2,
                Interpolation.NEAREST, null, false);
        assertNotEquals(fp32.engineKey(0), half.engineKey(0));
        UnsupportedPrecisionException e = assertThrows(UnsupportedPrecisionException.class,
                () -> Engines.get(half, -1));
        assertTrue(e.getMessage().contains("--precision bf16 applies to the GPU only"), e.getMessage());
        assertThrows(UnsupportedPrecisionException.class, () -> Engines.get(half, -1), "a refused engine was cached");
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * One partition, run as an executor runs it (no Spark needed for the iterator): the next batch is decoded and
     * submitted before the one before is collected, and the rows still come out in input order, an unreadable
     * image's error row in its place wherever it falls among the batches (batches of two decoded images), and each
     * image's features whatever batch it ran in (the same bytes at the start, in the middle and at the end agree).
     */
    @Test
    void aPartitionsRowsComeOutInInputOrderWithBatchesInFlight() throws Exception {
        byte[] chelsea = Files.readAllBytes(Path.of("examples/chelsea.png"));
        byte[] rocket = Files.readAllBytes(Path.of("examples/rocket.jpg"));
        byte[] corrupt = "not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[][] contents = {chelsea, rocket, corrupt, chelsea, rocket, rocket, corrupt, chelsea};
        List<Row> in = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            in.add(org.apache.spark.sql.RowFactory.create("/in/img" + i, contents[i]));
        }
        JobSpec spec = new JobSpec(JobSpec.Mode.FEATURES, null, 1, Backend.CPU, FP32, 75, 75, 1, 2,
                Interpolation.NEAREST, null, false);
        // the partition's rows carry no schema of their own: the job's gives each column's place
        org.apache.spark.sql.types.StructType schema = BatchInference.schema(spec);
        int path = schema.fieldIndex("path");
        int error = schema.fieldIndex("error");
        int features = schema.fieldIndex("features");
        List<Row> out = new ArrayList<>();
        new BatchInference.Partition(spec).call(in.iterator()).forEachRemaining(out::add);
        assertEquals(contents.length, out.size());
        Map<Integer, float[]> first = new HashMap<>();
        for (int i = 0; i < contents.length; i++) {
            Row r = out.get(i);
            assertEquals("/in/img" + i, r.getString(path), "row " + i);
            if (contents[i] == corrupt) {
                assertNotNull(r.getString(error), "row " + i);
                continue;
            }
            assertNull(r.get(error), "row " + i);
            Float[] f = (Float[]) r.get(features);   // as the partition makes it, before Spark encodes the row
            float[] v = new float[f.length];
            for (int j = 0; j < v.length; j++) {
                v[j] = f[j];
            }
            int kind = contents[i] == chelsea ? 0 : 1;
            if (first.containsKey(kind)) {
                assertArrayEquals(first.get(kind), v, 1e-5f, "row " + i + " against the same image earlier");
            } else {
                first.put(kind, v);
            }
        }
        assertEquals(2, first.size());
        assertNotEquals(first.get(0)[0], first.get(1)[0], "two different images");
    }

    @Test
    void predictModeGivesPredictsAnswersBitForBitAndAnErrorRowForACorruptImage() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        for (String f : new String[] {"chelsea.png", "coffee.png", "rocket.jpg"}) {
            Files.copy(Path.of("examples", f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("corrupt.png"), "not an image");
        JobSpec spec = new JobSpec(JobSpec.Mode.PREDICT, null, 1, Backend.REFERENCE, FP32, 299, 299, 5, 2,
                Interpolation.NEAREST, null, false);
        List<Row> rows = BatchInference.run(BatchInference.images(spark, dir.toString()), spec).collectAsList();
        assertEquals(4, rows.size());
        Map<String, JsonArray> expected = new HashMap<>();
        for (String line : cli("predict", "--backend", "reference", "--json", "--top", "5",
                dir.resolve("chelsea.png").toString(), dir.resolve("coffee.png").toString(),
                dir.resolve("rocket.jpg").toString()).lines().toList()) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            expected.put(name(o.get("image").getAsString()), o.getAsJsonArray("top"));
        }
        for (Row r : rows) {
            String file = name(r.getString(r.fieldIndex("path")));
            if (file.equals("corrupt.png")) {
                assertTrue(r.getString(r.fieldIndex("error")).contains("not an image"), r.toString());
                assertNull(r.get(r.fieldIndex("top_index")));
                continue;
            }
            assertNull(r.get(r.fieldIndex("error")), r.toString());
            JsonArray top = expected.get(file);
            List<Integer> index = r.getList(r.fieldIndex("top_index"));
            List<String> label = r.getList(r.fieldIndex("top_label"));
            List<Float> p = r.getList(r.fieldIndex("top_probability"));
            for (int i = 0; i < 5; i++) {
                JsonObject e = top.get(i).getAsJsonObject();
                assertEquals(e.get("index").getAsInt(), index.get(i), file);
                assertEquals(e.get("label").getAsString(), label.get(i), file);
                assertEquals(e.get("probability").getAsFloat(), p.get(i), 0f, file + " bit for bit");
            }
        }
    }

    @Test
    void aParquetTableOfPathsOrOfBytesGivesWhatTheFilesGive() throws Exception {
        List<Path> files = List.of(Path.of("examples/chelsea.png").toAbsolutePath(),
                Path.of("examples/rocket.jpg").toAbsolutePath());
        List<Row> table = new ArrayList<>();
        for (Path f : files) {
            table.add(org.apache.spark.sql.RowFactory.create(f.toString(), Files.readAllBytes(f)));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("name", org.apache.spark.sql.types.DataTypes.StringType)
                .add("bytes", org.apache.spark.sql.types.DataTypes.BinaryType);
        String parquet = tmp.resolve("table.parquet").toString();
        spark.createDataFrame(table, schema).write().parquet(parquet);
        JobSpec spec = new JobSpec(JobSpec.Mode.PREDICT, null, 1, Backend.CPU, FP32, 299, 299, 3, 1, Interpolation.NEAREST,
                null, false);
        Map<String, List<Object>> byFiles = new HashMap<>();
        for (Path f : files) {
            Row r = BatchInference.run(BatchInference.images(spark, f.toString()), spec).collectAsList().get(0);
            byFiles.put(name(r.getString(0)), List.of(r.getList(1), r.getList(4)));
        }
        for (String content : new String[] {"bytes", null}) {
            List<Row> rows = BatchInference.run(BatchInference.table(spark, parquet, "name", content), spec)
                    .collectAsList();
            assertEquals(2, rows.size());
            for (Row r : rows) {
                assertNull(r.get(r.fieldIndex("error")), r.toString());
                assertEquals(byFiles.get(name(r.getString(0))), List.of(r.getList(1), r.getList(4)),
                        (content == null ? "paths" : "bytes") + ": " + r.getString(0));
            }
        }
    }

    /**
     * {@code spark --json}: the counts on stdout as one JSON object, against the rows the job wrote, read back (two
     * photos and a file that is not an image, which is a row with an error).
     */
    @Test
    void theCommandsJsonCountsWhatItWrote() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("json-in"));
        Files.copy(Path.of("examples/chelsea.png"), in.resolve("chelsea.png"));
        Files.copy(Path.of("examples/rocket.jpg"), in.resolve("rocket.jpg"));
        Files.writeString(in.resolve("notes.jpg"), "not an image");
        Path out = tmp.resolve("json-out");
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(cli("spark", "--json", "--backend", "cpu",
                "--mode", "features", "--input-size", "75x75", "--format", "json", "--input", in.toString(),
                "--output", out.toString())).getAsJsonObject();
        List<Row> rows = spark.read().json(out.toString()).collectAsList();
        assertEquals(3, rows.size());
        long errors = rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("error"))).count();
        assertEquals(1, errors);
        assertEquals("features", o.get("mode").getAsString());
        assertEquals(rows.size(), o.get("images").getAsLong());
        assertEquals(errors, o.get("unreadable").getAsLong());
        assertEquals(rows.size() - errors, o.get("ok").getAsLong());
        assertEquals(out.toString(), o.get("output").getAsString());
        assertTrue(o.get("seconds").getAsDouble() > 0, o.toString());
    }

    @Test
    void theCommandChecksWeightsAndOutputOnTheDriverBeforeAnyTask() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("exists"));
        StringWriter err = new StringWriter();
        assertEquals(3, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "spark", "--input", "examples",
                "--output", tmp.resolve("new").toString(), "--weights", tmp.resolve("missing.h5").toString()));
        assertTrue(err.toString().contains("missing.h5: no such file"), err.toString());
        StringWriter err2 = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err2), "spark", "--input",
                "examples", "--output", out.toString()));
        assertTrue(err2.toString().contains("exists"), err2.toString());
        // an input that names nothing is the user's input (3), said in one line, not Spark's analysis error
        StringWriter err3 = new StringWriter();
        String nothing = tmp.resolve("nothing-here").toString();
        assertEquals(3, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err3), "spark", "--input", nothing,
                "--output", tmp.resolve("new").toString(), "--backend", "cpu"));
        assertEquals("error: --input " + nothing + ": no such file or folder (nothing matches it)",
                err3.toString().strip());
        assertTrue(spark.sparkContext().isStopped() == false, "the shared session is untouched");
    }

    /**
     * A task's own failure (here every executor's engine refuses a batch larger than the machine's memory) is the
     * command's one-line error with its exit code, not Spark's stage failure with the executor's stack trace, and
     * the empty output folder the aborted job left is gone, so that the same command runs once the cause is fixed.
     */
    @Test
    void aTasksFailureIsOneLineWithItsExitCodeAndLeavesNoOutputFolder() {
        Path out = tmp.resolve("too-large");
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "spark", "--input",
                "examples", "--output", out.toString(), "--backend", "cpu", "--batch", "100000"));
        List<String> lines = err.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).startsWith("error: a batch of 100000 needs") && lines.get(0).contains("use --batch"),
                lines.get(0));
        assertFalse(Files.exists(out), "the aborted job's output folder is removed");
    }

    @Test
    void featuresModeGivesTheFeaturesCommandsVectorsAndClasses() throws Exception {
        Path all = tmp.resolve("digits-all");
        cli("dataset", "digits", "--out", all.toString(), "--size", "75");
        // a few hundred: the first 20 of each class
        Path data = tmp.resolve("digits");
        try (Stream<Path> classes = Files.list(all)) {
            for (Path c : classes.filter(Files::isDirectory).toList()) {
                Path to = Files.createDirectories(data.resolve(c.getFileName().toString()));
                try (Stream<Path> files = Files.list(c)) {
                    for (Path f : files.sorted().limit(20).toList()) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
        }
        Path h5 = tmp.resolve("digits.h5");
        cli("features", "--backend", "cpu", "--data", data.toString(), "--out", h5.toString(), "--input-size", "75x75",
                "--batch", "4", "--val-split", "0.2");
        FeatureSet expected = FeatureSet.read(h5);
        Map<String, Integer> byFile = new HashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            Path f = Path.of(expected.files().get(i));
            byFile.put(f.getParent().getFileName() + "/" + f.getFileName(), i);
        }
        JobSpec spec = new JobSpec(JobSpec.Mode.FEATURES, null, 1, Backend.CPU, FP32, 75, 75, 1, 4, Interpolation.NEAREST,
                null, true);
        List<Row> rows = new ArrayList<>(BatchInference.run(BatchInference.images(spark, data.toString())
                .repartition(1).sortWithinPartitions("path"), spec).collectAsList());
        assertEquals(expected.size(), rows.size());
        assertTrue(rows.size() >= 150, "a few hundred images: " + rows.size());
        for (Row r : rows) {
            String path = r.getString(0);
            String key = name(path.substring(0, path.lastIndexOf('/'))) + "/" + name(path);
            Integer i = byFile.get(key);
            assertNotNull(i, key);
            assertEquals(expected.classNames().get(expected.labels()[i]), r.getString(r.fieldIndex("class")));
            List<Float> v = r.getList(r.fieldIndex("features"));
            float[] f = new float[v.size()];
            for (int k = 0; k < f.length; k++) {
                f[k] = v.get(k);
            }
            assertArrayEquals(expected.features()[i], f, key + " bit for bit");
        }
        // the features file train-head reads, from the Spark rows: the same split, order and values
        FeatureSet mine = SparkJob.featureSet(spark.createDataFrame(rows, BatchInference.schema(spec)),
                new SparkJob.Split(0.2, 1, expected.weights(), "75x75"));
        assertEquals(expected.classNames(), mine.classNames());
        assertEquals(expected.files(), mine.files());
        assertArrayEquals(expected.labels(), mine.labels());
        assertArrayEquals(expected.validation(), mine.validation());
        for (int i = 0; i < mine.size(); i++) {
            assertArrayEquals(expected.features()[i], mine.features()[i]);
        }
        assertEquals(expected.inputSize(), mine.inputSize());
        assertEquals(expected.weights(), mine.weights());
    }
}
