package dev.inception.plan;

import java.util.List;
import java.util.Map;

/**
 * A graph lowered to an ordered list of steps over tensors placed in one activation arena. Plain data: both
 * executors run the same plan, and everything about it can be checked without a GPU.
 *
 * @param arenaElements peak arena size per image, in elements (multiply by batch and element size for bytes)
 * @param layerTensors  Keras layer name -> tensor holding that layer's output, for layers whose output exists in
 *                      this lowering (the fused lowering has no separate conv2d_k or batch_normalization_k outputs)
 * @param kept          tensors guaranteed to hold their value after the forward pass (input, output, requested taps)
 * @param concurrentBranches the arena lets the branches of each mixed block run at the same time (see
 *                      {@link Planner#lower(dev.inception.model.Graph, Lowering, java.util.Collection, ConcatPlacement,
 *                      boolean)}); otherwise steps must run one after another, in plan order
 */
public record Plan(Lowering lowering, List<TensorSpec> tensors, List<Step> steps, long arenaElements,
                   int input, int output, Map<String, Integer> layerTensors, List<Integer> kept,
                   boolean concurrentBranches) {

    public Plan {
        tensors = List.copyOf(tensors);
        steps = List.copyOf(steps);
        layerTensors = Map.copyOf(layerTensors);
        kept = List.copyOf(kept);
    }

    public TensorSpec tensor(int id) {
        return tensors.get(id);
    }

    /** Whether a Concat step has nothing to do: every part already sits in its slice of the output. */
    public boolean inPlace(Step.Concat c) {
        int root = root(c.output());
        return c.inputs().stream().allMatch(i -> tensor(i).isSlice() && root(i) == root);
    }

    /** The tensor whose memory t lives in: its slice's parent, or t itself. */
    public int root(int t) {
        TensorSpec s = tensor(t);
        return s.isSlice() ? s.slice().parent() : t;
    }

    /** For executors that only write dense tensors: refuses a plan with in-place concatenation. */
    public void requireDense(String executor) {
        if (tensors.stream().anyMatch(TensorSpec::isSlice)) {
            throw new IllegalArgumentException("the " + executor + " executor writes dense tensors only; lower the"
                    + " plan with ConcatPlacement.COPY");
        }
    }

    public TensorSpec inputTensor() {
        return tensors.get(input);
    }

    public TensorSpec outputTensor() {
        return tensors.get(output);
    }

    /** The tensor holding a layer's output; it must have been kept for its value to survive the forward pass. */
    public TensorSpec tensorOf(String layer) {
        Integer id = layerTensors.get(layer);
        if (id == null) {
            throw new IllegalArgumentException("layer '" + layer + "' has no output tensor in the " + lowering
                    + " plan" + (lowering == Lowering.FUSED ? " (conv and batch norm are fused into activation_k)" : ""));
        }
        return tensors.get(id);
    }

    public boolean isKept(String layer) {
        Integer id = layerTensors.get(layer);
        return id != null && kept.contains(id);
    }

    /**
     * What every executor checks before a forward pass: the input has the model's shape, and every layer asked
     * for is kept (so its value survives the pass).
     */
    public void checkRequest(dev.inception.model.Shape input, java.util.List<String> fetch) {
        if (!input.equals(inputTensor().shape())) {
            throw new IllegalArgumentException("input shape " + input + " does not match the model's "
                    + inputTensor().shape());
        }
        for (String layer : fetch) {
            if (!isKept(layer)) {
                throw new IllegalArgumentException("layer '" + layer + "' is not kept by this plan; open the engine"
                        + " with taps enabled");
            }
        }
    }

    /** Arena bytes for one image (float32). */
    public long arenaBytesPerImage() {
        return arenaElements * Float.BYTES;
    }

    /** What the arena would need without reuse: every tensor in its own place. */
    public long unsharedElements() {
        return tensors.stream().mapToLong(TensorSpec::elements).sum();
    }
}
