package dev.inception.spark;

import org.apache.spark.resource.ResourceInformation;

import java.util.Map;
import java.util.OptionalInt;

/**
 * The GPU a task was given by Spark's resource scheduling ({@code spark.task.resource.gpu.amount}): the first
 * address of its "gpu" resource, as the discovery script reported it (an ordinal, "0", "1", ...). Empty when the
 * task has no GPU, and the engine then runs where its backend says.
 */
public final class GpuAssignment {

    private GpuAssignment() {
    }

    public static OptionalInt device(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources == null ? null : resources.get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return OptionalInt.empty();
        }
        String address = gpu.addresses()[0].trim();
        try {
            return OptionalInt.of(Integer.parseInt(address));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Spark gave this task the GPU '" + address + "', not an ordinal: make the"
                    + " GPU discovery script report CUDA ordinals (0, 1, ...), as Spark's getGpusResources.sh does", e);
        }
    }
}
