package dev.inception.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import dev.inception.transfer.FeatureSet;
import dev.inception.transfer.ImageFolder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * The job as `inception spark` runs it: a session (spark-submit's, or a local one on loopback), the rows written,
 * then counted. Its signatures carry no Spark type, so that the command line loads without Spark on the class path
 * (Spark is a provided dependency) and only this command needs it.
 */
public final class SparkJob {

    /** Images seen and images that could not be read, from the written rows; the features as a set, if asked. */
    public record Counts(long total, long unreadable, FeatureSet features) {
    }

    /** Where the images come from: files under a path, or a Parquet table of paths (and, optionally, bytes). */
    public record Input(String path, String pathColumn, String contentColumn) {
        /** Files under a folder or glob. */
        public static Input files(String path) {
            return new Input(path, null, null);
        }

        boolean isTable() {
            return pathColumn != null;
        }
    }

    /** The input path names nothing: the user's input, not a failure of the job (the command exits 3). */
    public static final class InputNotFound extends RuntimeException {
        InputNotFound(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A features file for train-head: the split as `inception features` makes it. */
    public record Split(double valSplit, long seed, String weights, String inputSize) {
    }

    private SparkJob() {
    }

    /**
     * @param master the master when Spark was not started by spark-submit (null: local[*])
     * @param json   JSON lines instead of Parquet
     */
    public static Counts run(JobSpec job, Input input, String output, boolean json, String master, Split split) {
        SparkSession.Builder b = SparkSession.builder().appName("inception " + job.mode().name().toLowerCase());
        if (System.getProperty("spark.master") == null) {
            b.master(master != null ? master : "local[*]").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false")
                    // on a terminal, Spark's stage progress bar (tasks done of total) is the job's progress line
                    .config("spark.ui.showConsoleProgress", String.valueOf(System.console() != null));
        }
        boolean ours = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = b.getOrCreate();
        if (ours) {
            spark.sparkContext().setLogLevel("WARN");   // Spark's INFO lines would bury the job's own output
        }
        try {
            Dataset<Row> images;
            try {
                images = input.isTable()
                        ? BatchInference.table(spark, input.path(), input.pathColumn(), input.contentColumn())
                        : BatchInference.images(spark, input.path());
            } catch (Exception e) {
                // Scala throws AnalysisException undeclared; Java's precise rethrow passes anything else on as is
                if (e instanceof org.apache.spark.sql.AnalysisException a && "PATH_NOT_FOUND".equals(a.getCondition())) {
                    throw new InputNotFound(input.path() + ": no such file or folder (nothing matches it)", e);
                }
                throw e;
            }
            Dataset<Row> rows = BatchInference.run(images, job);
            try {
                if (json) {
                    rows.write().json(output);
                } else {
                    rows.write().parquet(output);
                }
            } catch (Exception e) {
                // a task's own failure (a batch too large for the executor, a 16-bit job without a GPU), where Spark
                // hands its exception over (local mode): thrown as it is, so the command reports it as the other
                // commands do, with its exit code, instead of as Spark's stage failure with the executor's stack
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                    if (c instanceof RuntimeException r && c.getClass().getName().startsWith("dev.inception.")) {
                        throw r;
                    }
                }
                throw e;
            }
            // counted from what was written (one column of it, for Parquet), not by running the job twice
            // with the job's schema: JSON lines leave null columns out, and a job without errors would have none
            var reader = spark.read().schema(BatchInference.schema(job));
            Dataset<Row> written = json ? reader.json(output) : reader.parquet(output);
            // one pass: count(*) is every row, count(error) the rows whose error is set
            Row counts = written.agg(count(lit(1)), count(col("error"))).first();
            return new Counts(counts.getLong(0), counts.getLong(1), split == null ? null : featureSet(written, split));
        } finally {
            if (ours) {
                spark.stop();   // a session the caller made is the caller's to stop
            }
        }
    }

    /**
     * Labelled features rows, collected on the driver, as the features file `inception features` writes for the same
     * folder: classes in name order, samples sorted by class then file and shuffled with the split's seed (unreadable
     * ones included, then dropped, as there), the last fraction held out. train-head reads it as is.
     */
    public static FeatureSet featureSet(Dataset<Row> rows, Split split) {
        List<Row> all = new ArrayList<>(rows.select("path", "class", "features", "error").collectAsList());
        if (all.stream().anyMatch(r -> r.isNullAt(1))) {
            throw new IllegalStateException("a features file needs classes: run features mode with --labelled");
        }
        List<String> classes = all.stream().map(r -> r.getString(1)).distinct().sorted().toList();
        all.sort(Comparator.<Row, String>comparing(r -> r.getString(1)).thenComparing(r -> localPath(r.getString(0))));
        ImageFolder.shuffle(all, split.seed());
        int val = ImageFolder.validationCount(all.size(), split.valSplit());
        List<float[]> features = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Boolean> validation = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Row r = all.get(i);
            if (!r.isNullAt(3)) {
                continue;
            }
            List<Float> v = r.getList(2);
            float[] f = new float[v.size()];
            for (int k = 0; k < f.length; k++) {
                f[k] = v.get(k);
            }
            features.add(f);
            labels.add(classes.indexOf(r.getString(1)));
            validation.add(i >= all.size() - val);
            files.add(localPath(r.getString(0)));
        }
        boolean[] held = new boolean[validation.size()];
        for (int i = 0; i < held.length; i++) {
            held[i] = validation.get(i);
        }
        return new FeatureSet(features.toArray(new float[0][]), labels.stream().mapToInt(Integer::intValue).toArray(),
                held, classes, files, split.weights(), split.inputSize());
    }

    /** A local file's path as the command line names it ("file:/x/y.png" -> "/x/y.png"); other URIs as they are. */
    static String localPath(String uri) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : uri;
    }
}
