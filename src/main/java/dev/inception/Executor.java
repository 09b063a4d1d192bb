package dev.inception;

import java.util.List;
import java.util.Map;

/**
 * Runs a plan. Implementations own every resource they create and release it in {@link #close()}.
 * One executor runs one forward pass at a time; {@code forward} is synchronized where that matters.
 */
public interface Executor extends AutoCloseable {

    /** Short backend name for messages and JSON: "gpu", "cpu" (oneDNN) or "reference". */
    String backend();

    /**
     * Runs the plan on a preprocessed batch (NHWC float32, the plan's input shape).
     *
     * @param fetch Keras layer names whose outputs to return; each must be kept by the plan
     * @return layer name -> output, in the order asked
     */
    Map<String, Tensor> forward(Tensor input, List<String> fetch);

    /**
     * Runs the plan on a batch of 8-bit RGB images already at the input size (NHWC bytes, batch x h x w x 3):
     * preprocessing (x / 127.5 - 1) happens in the executor, on the GPU for the GPU backend, which moves a quarter
     * of the bytes a float upload would.
     */
    default Map<String, Tensor> forwardImages(byte[] rgb, int batch, dev.inception.model.Shape shape, List<String> fetch) {
        return forward(new Tensor(batch, shape, dev.inception.image.Preprocess.toFloats(rgb)), fetch);
    }

    /** A forward pass already started, whose outputs are collected later. */
    @FunctionalInterface
    interface Pending {
        /** Waits for the pass and returns its outputs (layer name -> output, in the order asked). */
        Map<String, Tensor> await();
    }

    /**
     * Starts {@link #forward} and returns before it finishes, as {@link #submitImages} does for uint8 images: the GPU
     * sends the float32 batch up through an overlapped pipeline of its own (its upload and the download of the batch
     * before overlap the pass between them). Executors that cannot overlap run the pass at once.
     */
    default Pending submit(Tensor input, List<String> fetch) {
        Map<String, Tensor> out = forward(input, fetch);
        return () -> out;
    }

    /**
     * Starts {@link #forwardImages} and returns before it finishes, so that the caller prepares the next batch
     * meanwhile. The GPU overlaps the upload of the next batch and the download of the previous one with this
     * batch's compute (two batches in flight at most: a third submission first collects the oldest). Executors
     * that cannot overlap run the pass at once.
     */
    default Pending submitImages(byte[] rgb, int batch, dev.inception.model.Shape shape, List<String> fetch) {
        Map<String, Tensor> out = forwardImages(rgb, batch, shape, fetch);
        return () -> out;
    }

    /**
     * {@link #submitImages(byte[], int, dev.inception.model.Shape, List)} for decoded images of any size, resized to
     * the input's height and width with PIL's mapping ({@code Preprocess.packInto}). The GPU resizes them straight
     * into its pinned upload buffer; the others pack a new array.
     */
    default Pending submitImages(List<dev.inception.image.RgbImage> images, dev.inception.image.Interpolation how,
                                 dev.inception.model.Shape shape, List<String> fetch) {
        return submitImages(dev.inception.image.Preprocess.packBytes(images, shape.height(), shape.width(), how),
                images.size(), shape, fetch);
    }

    /**
     * Runs one forward pass and returns its duration in milliseconds, measured where the work happens: CUDA events
     * on the GPU, a host clock around the synchronous work on the CPU. Used by benchmarks only.
     */
    double timeForward(Tensor input);

    /**
     * Runs one forward pass step by step, timing each step where its work happens (a host clock around each
     * synchronous step on the CPU, CUDA events around each step on the GPU). Slower than {@link #timeForward}:
     * every step waits for the one before. For `inception profile`.
     */
    List<StepTime> profile(Tensor input);

    /** Lines describing what the executor chose (device, convolution algorithms), for --verbose. */
    default List<String> describe() {
        return List.of(backend());
    }

    /**
     * Slower paths taken at run time than the plan asked for (a GPU's fused convolution replaced by three calls, an
     * algorithm by the next candidate), one line each; empty when everything ran as planned.
     */
    default List<String> fallbacks() {
        return List.of();
    }

    @Override
    void close();
}
