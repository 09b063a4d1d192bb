package dev.inception.spark;

import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device a task runs on, from the resource map Spark's scheduler gives it (faked here: no GPU needed). */
class GpuAssignmentTest {

    @Test
    void theTasksFirstGpuAddressIsItsDevice() {
        assertEquals(OptionalInt.of(3), GpuAssignment.device(Map.of("gpu", new ResourceInformation("gpu",
                new String[] {"3"}))));
        assertEquals(OptionalInt.of(1), GpuAssignment.device(Map.of("gpu", new ResourceInformation("gpu",
                new String[] {" 1", "2"}))));
    }

    @Test
    void noGpuResourceMeansNoDevice() {
        assertTrue(GpuAssignment.device(Map.of()).isEmpty());
        assertTrue(GpuAssignment.device(null).isEmpty());
        assertTrue(GpuAssignment.device(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))).isEmpty());
        assertTrue(GpuAssignment.device(Map.of("gpu", new ResourceInformation("gpu", new String[0]))).isEmpty());
    }

    @Test
    void anAddressThatIsNotAnOrdinalSaysWhatTheDiscoveryScriptMustReport() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuAssignment.device(Map.of("gpu",
                new ResourceInformation("gpu", new String[] {"GPU-8c3f"}))));
        assertTrue(e.getMessage().contains("GPU-8c3f") && e.getMessage().contains("ordinals"), e.getMessage());
    }
}
