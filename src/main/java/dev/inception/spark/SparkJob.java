package dev.inception.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;

/**
 * The job as `inception spark` runs it: a session (spark-submit's, or a local one on loopback), the rows written,
 * then counted. Its signatures carry no Spark type, so that the command line loads without Spark on the class path
 * (Spark is a provided dependency) and only this command needs it.
 */
public final class SparkJob {

    /** Images seen and images that could not be read, from the written rows. */
    public record Counts(long total, long unreadable) {
    }

    private SparkJob() {
    }

    /**
     * @param master the master when Spark was not started by spark-submit (null: local[*])
     * @param json   JSON lines instead of Parquet
     */
    public static Counts run(JobSpec job, String input, String output, boolean json, String master) {
        SparkSession.Builder b = SparkSession.builder().appName("inception " + job.mode().name().toLowerCase());
        if (System.getProperty("spark.master") == null) {
            b.master(master != null ? master : "local[*]").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false");
        }
        boolean ours = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = b.getOrCreate();
        if (ours) {
            spark.sparkContext().setLogLevel("WARN");   // Spark's INFO lines would bury the job's own output
        }
        try {
            Dataset<Row> rows = BatchInference.run(BatchInference.images(spark, input), job);
            if (json) {
                rows.write().json(output);
            } else {
                rows.write().parquet(output);
            }
            // counted from what was written (one column of it, for Parquet), not by running the job twice
            // with the job's schema: JSON lines leave null columns out, and a job without errors would have none
            var reader = spark.read().schema(BatchInference.schema(job));
            Dataset<Row> written = json ? reader.json(output) : reader.parquet(output);
            long total = written.count();
            long unreadable = written.filter(col("error").isNotNull()).count();
            return new Counts(total, unreadable);
        } finally {
            if (ours) {
                spark.stop();   // a session the caller made is the caller's to stop
            }
        }
    }
}
