package dev.inception.gpu;

import dev.inception.Precision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The element size a precision promises (profile's GB/s uses it) is that of the type the GPU stores it in. */
class StorageTypeTest {

    @Test
    void eachPrecisionsStorageBytesAreItsDeviceTypes() {
        for (Precision p : Precision.values()) {
            assertEquals(StorageType.activations(p).bytes, p.storageBytes(), p.name());
        }
        assertEquals(2, Precision.FP16.storageBytes());
        assertEquals(4, Precision.TF32.storageBytes());
    }
}
