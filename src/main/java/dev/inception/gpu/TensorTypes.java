package dev.inception.gpu;

import dev.inception.Precision;
import dev.inception.plan.Plan;
import dev.inception.plan.Step;

import java.util.HashSet;
import java.util.Set;

/**
 * The storage type of each of a plan's tensors on the GPU. In FP16 and BF16 every activation is 16-bit except the
 * classifier's end: the Dense layer writes float32 logits (cublasGemmEx accumulates in float32 and stores float32,
 * so the 1000 sums are not rounded to 16 bits) and the softmax reads and writes float32. In FP32 and TF32 every
 * tensor is float32.
 *
 * <p>Each tensor keeps its float32-sized slot in the arena (offsets are the plan's, in elements, times 4 bytes);
 * a 16-bit tensor uses the first half of its slot. The arena is twice the size it needs to be in FP16, and in
 * exchange one layout serves every precision and every offset stays the plan's.
 */
final class TensorTypes {

    private final StorageType activations;
    private final Set<Integer> float32 = new HashSet<>();

    TensorTypes(Plan plan, Precision precision) {
        activations = StorageType.activations(precision);
        for (Step s : plan.steps()) {
            if (s instanceof Step.Dense || s instanceof Step.Softmax) {
                float32.add(s.output());
            }
        }
    }

    StorageType of(int tensor) {
        return float32.contains(tensor) ? StorageType.FLOAT : activations;
    }

    /** The type of activations and of the weights convolutions and the Dense kernel read. */
    StorageType activations() {
        return activations;
    }
}
