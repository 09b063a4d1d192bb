package dev.inception;

import java.util.List;
import java.util.Map;

/**
 * Runs a plan. Implementations own every resource they create and release it in {@link #close()}.
 * One executor runs one forward pass at a time; {@code forward} is synchronized where that matters.
 */
public interface Executor extends AutoCloseable {

    /** Short backend name for messages and JSON: "cpu", "gpu". */
    String backend();

    /**
     * Runs the plan on a preprocessed batch (NHWC float32, the plan's input shape).
     *
     * @param fetch Keras layer names whose outputs to return; each must be kept by the plan
     * @return layer name -> output, in the order asked
     */
    Map<String, Tensor> forward(Tensor input, List<String> fetch);

    /**
     * Runs one forward pass and returns its duration in milliseconds, measured where the work happens: CUDA events
     * on the GPU, a host clock around the synchronous work on the CPU. Used by benchmarks only.
     */
    double timeForward(Tensor input);

    @Override
    void close();
}
