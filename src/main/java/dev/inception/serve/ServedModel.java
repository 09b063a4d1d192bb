package dev.inception.serve;

import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;
import dev.inception.image.Interpolation;
import dev.inception.image.RgbImage;
import dev.inception.imagenet.Labels;
import dev.inception.model.Shape;
import dev.inception.transfer.HeadClassifier;
import dev.inception.transfer.SoftmaxHead;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One model the server offers: its name, input size and labels, the engines that run it (one per instance) and
 * the dynamic batcher in front of them. Inputs are images at the input size ({@link QueuedImage}: decoded pixels, or
 * floats a client preprocessed); outputs are rows of class probabilities. Owns the engines: closing the model drains
 * its queue, then closes them.
 */
public final class ServedModel implements AutoCloseable {

    /** Batching settings shared by every model of a server. */
    public record Batching(int maxBatch, long maxDelayMicros, int queue) {
    }

    /**
     * One instance's two ways in, each submitted, then collected: a batch of floats, or of decoded images through the
     * engine's uint8 path.
     */
    private record Paths(Function<Tensor, Supplier<float[][]>> floats,
                         Function<List<RgbImage>, Supplier<float[][]>> pixels) {
    }

    /** Queued pixels are decoded at the input size already: the engines' resizing leaves them as they are. */
    private static final Interpolation AT_INPUT_SIZE = Interpolation.NEAREST;

    private final String name;
    private final Shape input;
    private final Labels labels;
    private final String backend;
    private final List<InceptionV3Engine> engines;
    private final DynamicBatcher<QueuedImage, float[]> batcher;
    private final java.util.concurrent.atomic.AtomicInteger arriving = new java.util.concurrent.atomic.AtomicInteger();
    private final double warmupSeconds;

    private ServedModel(String name, Shape input, Labels labels, List<InceptionV3Engine> engines,
                        List<Paths> instances, Batching batching, ServerMetrics metrics) {
        this.name = name;
        this.input = input;
        this.labels = labels;
        this.backend = engines.get(0).backend();
        this.engines = List.copyOf(engines);
        List<DynamicBatcher.Runner<QueuedImage, float[]>> batchRunners = new ArrayList<>();
        List<Integer> sizes = backend.equals("gpu") ? buckets(batching.maxBatch()) : null;
        // padding of either kind: zeros, a valid and finite input, shared (batches copy it; nothing writes it)
        QueuedImage blankFloats = new QueuedImage.Floats(new float[(int) input.elements()]);
        QueuedImage blankPixels = new QueuedImage.Pixels(new RgbImage(input.width(), input.height(),
                new byte[(int) input.elements()]));
        long warmupStart = System.nanoTime();
        for (Paths paths : instances) {
            if (sizes == null) {
                batchRunners.add(DynamicBatcher.Runner.of(images -> Arrays.asList(start(paths, images).get())));
                continue;
            }
            for (int size : sizes) {
                // twice: the first pass measures the algorithms, the second captures the CUDA graph; each kind of
                // input once, so that neither path's buffers are first made for a request
                start(paths, java.util.Collections.nCopies(size, blankFloats)).get();
                start(paths, java.util.Collections.nCopies(size, blankPixels)).get();
            }
            batchRunners.add(new Bucketed(paths, sizes, blankFloats, blankPixels));
        }
        this.warmupSeconds = sizes == null ? 0 : (System.nanoTime() - warmupStart) / 1e9;
        this.batcher = new DynamicBatcher<>(batchRunners, batching.maxBatch(), batching.maxDelayMicros(),
                batching.queue(), arriving::get, metrics.model(name));
        metrics.queueDepth(name, batcher::depth);
    }

    /**
     * A GPU instance: each batch padded up to its bucket (padding rows dropped from the answers), enqueued through
     * the engine's overlapped pipelines (uint8 pixels, or float32), returning at once, so the batcher may start the
     * next before answering it.
     */
    private final class Bucketed implements DynamicBatcher.Runner<QueuedImage, float[]> {
        private final Paths paths;
        private final List<Integer> sizes;
        private final QueuedImage blankFloats;
        private final QueuedImage blankPixels;

        Bucketed(Paths paths, List<Integer> sizes, QueuedImage blankFloats, QueuedImage blankPixels) {
            this.paths = paths;
            this.sizes = sizes;
            this.blankFloats = blankFloats;
            this.blankPixels = blankPixels;
        }

        @Override
        public Supplier<List<float[]>> start(List<QueuedImage> images) {
            int size = sizes.stream().filter(b -> b >= images.size()).findFirst().orElseThrow();
            List<QueuedImage> padded = new ArrayList<>(images);
            QueuedImage blank = pixelsOnly(images) ? blankPixels : blankFloats;
            while (padded.size() < size) {
                padded.add(blank);
            }
            Supplier<float[][]> rows = ServedModel.this.start(paths, padded);
            return () -> Arrays.asList(rows.get()).subList(0, images.size());
        }

        @Override
        public boolean overlaps() {
            return true;
        }
    }

    /**
     * Starts one batch: decoded images through the engine's uint8 path (preprocessed by the executor: on the GPU, a
     * quarter of the float upload), or, where a client's floats are among them, every image as floats. On the GPU
     * both are enqueued rather than waited for; the CPU backends run the pass here.
     */
    private Supplier<float[][]> start(Paths paths, List<QueuedImage> batch) {
        if (pixelsOnly(batch)) {
            return paths.pixels().apply(batch.stream().map(q -> ((QueuedImage.Pixels) q).image()).toList());
        }
        return paths.floats().apply(Tensor.stack(input, batch.stream().map(QueuedImage::floats).toList()));
    }

    private static boolean pixelsOnly(List<QueuedImage> batch) {
        return batch.stream().allMatch(q -> q instanceof QueuedImage.Pixels);
    }

    /**
     * The batch sizes a GPU engine is given: powers of two up to the maximum, and the maximum. A batch of n runs at
     * the smallest of them that holds it, padded with zero images whose rows are dropped. On the GPU each batch size
     * has its own measured algorithms and captured CUDA graph, made on its first pass (seconds); with buckets these
     * few are made at start-up, before the first request, instead of on the first request of each of up to
     * max-batch sizes. Padding costs little there: a small batch leaves most of the GPU idle anyway.
     */
    public static List<Integer> buckets(int maxBatch) {
        List<Integer> sizes = new ArrayList<>();
        for (int b = 1; b < maxBatch; b *= 2) {
            sizes.add(b);
        }
        sizes.add(maxBatch);
        return List.copyOf(sizes);
    }

    /** The ImageNet classifier: each engine's own top. */
    public static ServedModel classifier(String name, List<InceptionV3Engine> engines, Labels labels, Batching batching,
                                         ServerMetrics metrics) {
        List<Paths> instances = new ArrayList<>();
        for (InceptionV3Engine e : engines) {
            instances.add(new Paths(e::predictLater, images -> e.predictLater(images, AT_INPUT_SIZE)));
        }
        return new ServedModel(name, engines.get(0).graph().input().shape(), labels, engines, instances, batching,
                metrics);
    }

    /** A head trained by 'inception train-head', on engines that give pooled features. */
    public static ServedModel head(String name, List<InceptionV3Engine> engines, SoftmaxHead head, Batching batching,
                                   ServerMetrics metrics) {
        List<Paths> instances = new ArrayList<>();
        for (InceptionV3Engine e : engines) {
            HeadClassifier h = e.withHead(head);
            instances.add(new Paths(h::predictLater, images -> h.predictLater(images, AT_INPUT_SIZE)));
        }
        return new ServedModel(name, engines.get(0).graph().input().shape(), Labels.ofNames(head.classNames()),
                engines, instances, batching, metrics);
    }

    public String name() {
        return name;
    }

    /** How long the start-up passes at every batch size took, over all instances (GPU); 0 where there are none. */
    public double warmupSeconds() {
        return warmupSeconds;
    }

    /** The preprocessed input of one image: height x width x 3. */
    public Shape input() {
        return input;
    }

    public Labels labels() {
        return labels;
    }

    public String backend() {
        return backend;
    }

    public int instances() {
        return engines.size();
    }

    /** Images this model's queue holds before it refuses requests. */
    public int queueCapacity() {
        return batcher.capacity();
    }

    /** Images waiting in this model's queue. */
    public int queueDepth() {
        return batcher.depth();
    }

    /**
     * Says that {@code images} are on their way (being decoded) or, negative, that they have arrived or will not:
     * the batcher waits for these and only these.
     */
    public void arriving(int images) {
        arriving.addAndGet(images);
    }

    /** Queues one request's images, all or none; see {@link DynamicBatcher#submit}. */
    CompletableFuture<float[][]> infer(List<QueuedImage> images) {
        List<CompletableFuture<float[]>> rows = batcher.submit(images);
        return CompletableFuture.allOf(rows.toArray(new CompletableFuture[0]))
                .thenApply(done -> rows.stream().map(CompletableFuture::join).toArray(float[][]::new));
    }

    /** Finishes what is queued, then closes the engines. */
    @Override
    public void close() {
        batcher.close();
        engines.forEach(InceptionV3Engine::close);
    }
}
