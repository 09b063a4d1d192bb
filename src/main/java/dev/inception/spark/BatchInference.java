package dev.inception.spark;

import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;
import dev.inception.image.RgbImage;
import dev.inception.imagenet.Labels;
import dev.inception.imagenet.Prediction;
import dev.inception.model.Shape;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Batch inference on Spark: image files in (Spark's binaryFile source: path and content), one row per image out.
 * Each partition decodes, resizes and batches its images and runs them through the executor's engine
 * ({@link Engines}: one per executor JVM and GPU). An unreadable image becomes a row with an {@code error} and no
 * result; the job goes on.
 *
 * <pre>{@code
 * Dataset<Row> files = BatchInference.images(spark, "s3a://bucket/photos/");
 * Dataset<Row> out = BatchInference.run(files, spec);   // predict: path, top_index, top_wnid, top_label,
 *                                                        // top_probability, error
 * out.write().parquet("s3a://bucket/predictions/");
 * }</pre>
 */
public final class BatchInference {

    /** The image formats the decoder reads, as binaryFile's pathGlobFilter. */
    public static final String IMAGE_GLOB = "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,gif,GIF}";

    private BatchInference() {
    }

    /** Every image file under {@code input} (a folder or a glob, on any Hadoop file system), recursively. */
    public static Dataset<Row> images(SparkSession spark, String input) {
        return spark.read().format("binaryFile").option("pathGlobFilter", IMAGE_GLOB)
                .option("recursiveFileLookup", "true").load(input).select("path", "content");
    }

    /**
     * Images named by a table (Parquet) instead of a folder: a column of paths and, optionally, a column of the
     * encoded bytes. Without the bytes the files are read with binaryFile, from the paths listed.
     */
    public static Dataset<Row> table(SparkSession spark, String parquet, String pathColumn, String contentColumn) {
        Dataset<Row> t = spark.read().parquet(parquet);
        if (contentColumn != null) {
            return t.select(t.col(pathColumn).cast("string").as("path"), t.col(contentColumn).as("content"));
        }
        String[] paths = t.select(t.col(pathColumn).cast("string")).as(Encoders.STRING()).collectAsList()
                .toArray(new String[0]);
        if (paths.length == 0) {
            return spark.createDataFrame(List.of(), new StructType().add("path", DataTypes.StringType)
                    .add("content", DataTypes.BinaryType));
        }
        return spark.read().format("binaryFile").load(paths).select("path", "content");
    }

    /** The output's columns: predict mode's top-k arrays, or features mode's class and vector; always path and error. */
    public static StructType schema(JobSpec spec) {
        StructType s = new StructType().add("path", DataTypes.StringType, false);
        if (spec.mode() == JobSpec.Mode.PREDICT) {
            s = s.add("top_index", DataTypes.createArrayType(DataTypes.IntegerType, false))
                    .add("top_wnid", DataTypes.createArrayType(DataTypes.StringType, false))
                    .add("top_label", DataTypes.createArrayType(DataTypes.StringType, false))
                    .add("top_probability", DataTypes.createArrayType(DataTypes.FloatType, false));
        } else {
            s = s.add("class", DataTypes.StringType).add("features",
                    DataTypes.createArrayType(DataTypes.FloatType, false));
        }
        return s.add("error", DataTypes.StringType);
    }

    /** @param files rows with {@code path} (string) and {@code content} (binary), as {@link #images} gives */
    public static Dataset<Row> run(Dataset<Row> files, JobSpec spec) {
        return files.select("path", "content").mapPartitions(new Partition(spec), Encoders.row(schema(spec)));
    }

    /** One partition: images decoded as they come, run in batches of {@code spec.batch()}. */
    static final class Partition implements MapPartitionsFunction<Row, Row> {

        private final JobSpec spec;

        Partition(JobSpec spec) {
            this.spec = spec;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            TaskContext task = TaskContext.get();
            int device = task == null ? -1 : GpuAssignment.device(scala.jdk.javaapi.CollectionConverters
                    .asJava(task.resources())).orElse(-1);
            Engines.Opened opened = Engines.get(spec, device);
            Shape shape = opened.engine().graph().input().shape();
            Labels labels = opened.head() != null ? Labels.ofNames(opened.head().head().classNames()) : Labels.imagenet();
            // lazily, a batch at a time: a partition of a million images never sits in memory whole. The next batch
            // is read, decoded and submitted before this one's results are collected, as predict does: on the GPU
            // its decoding on this task's thread overlaps this one's pass (two batches in flight at most)
            return new Iterator<>() {
                private List<Row> ready = List.of();
                private int next;
                private Batch pending;

                @Override
                public boolean hasNext() {
                    while (next >= ready.size()) {
                        Batch ahead = input.hasNext() ? submit(input, opened, shape) : null;
                        if (pending == null && ahead == null) {
                            return false;
                        }
                        if (pending != null) {
                            ready = pending.collect(labels);
                            next = 0;
                        }
                        pending = ahead;
                    }
                    return true;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return ready.get(next++);
                }
            };
        }

        /**
         * Up to one batch of input rows, decoded and submitted: their rows in input order, an unreadable image's
         * error row in its place and a gap where each result will go.
         */
        private final class Batch {
            private final List<Row> rows = new ArrayList<>();
            private final List<String> paths = new ArrayList<>();
            private final List<Integer> slots = new ArrayList<>();
            private java.util.function.Supplier<float[][]> result;

            /** The batch's rows, each decoded image's filled from its pass (which this waits for). */
            List<Row> collect(Labels labels) {
                if (result != null) {
                    float[][] values = result.get();
                    for (int i = 0; i < paths.size(); i++) {
                        rows.set(slots.get(i), row(paths.get(i), values[i], labels));
                    }
                }
                return rows;
            }
        }

        /** Reads and decodes up to one batch of images from the input and submits them to the engine. */
        private Batch submit(Iterator<Row> input, Engines.Opened opened, Shape shape) {
            Batch batch = new Batch();
            // decoded pixels at the input size, preprocessed by the executor (on the GPU a quarter of the float upload)
            List<RgbImage> images = new ArrayList<>();
            while (input.hasNext() && images.size() < spec.batch()) {
                Row r = input.next();
                String path = r.getString(0);
                try {
                    images.add(ImageDecoder.read((byte[]) r.get(1), path, ImageDecoder.MAX_PIXELS,
                            new ImageDecoder.Size(shape.width(), shape.height(), spec.resize())));
                    batch.paths.add(path);
                    batch.slots.add(batch.rows.size());
                    batch.rows.add(null);
                } catch (ImageDecodeException e) {
                    batch.rows.add(errorRow(path, e.getMessage()));
                }
            }
            if (!images.isEmpty()) {
                batch.result = spec.mode() == JobSpec.Mode.FEATURES ? opened.engine().featuresLater(images, spec.resize())
                        : opened.head() != null ? opened.head().predictLater(images, spec.resize())
                        : opened.engine().predictLater(images, spec.resize());
            }
            return batch;
        }

        private Row row(String path, float[] values, Labels labels) {
            if (spec.mode() == JobSpec.Mode.FEATURES) {
                return RowFactory.create(path, spec.labelled() ? className(path) : null, boxed(values), null);
            }
            List<Prediction> top = labels.top(values, spec.top());
            return RowFactory.create(path, top.stream().map(Prediction::index).toArray(Integer[]::new),
                    top.stream().map(Prediction::wnid).toArray(String[]::new),
                    top.stream().map(Prediction::label).toArray(String[]::new),
                    top.stream().map(Prediction::probability).toArray(Float[]::new), null);
        }

        private Row errorRow(String path, String error) {
            // the class stays: an unreadable image still takes its place in a split (SparkJob.featureSet)
            return spec.mode() == JobSpec.Mode.FEATURES
                    ? RowFactory.create(path, spec.labelled() ? className(path) : null, null, error)
                    : RowFactory.create(path, null, null, null, null, error);
        }

        private static Float[] boxed(float[] v) {
            Float[] out = new Float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i];
            }
            return out;
        }
    }

    /** The class of a labelled image: the name of its folder, as {@code inception features} takes it. */
    static String className(String path) {
        org.apache.hadoop.fs.Path parent = new org.apache.hadoop.fs.Path(path).getParent();
        return parent == null ? null : parent.getName();
    }
}
