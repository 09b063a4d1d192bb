package dev.inception;

import dev.inception.model.InceptionV3;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch estimate against hand arithmetic: 299 x 299 x 3 = 268,203 input values per image. */
class BatchMemoryTest {

    private static final Plan PLAN = Planner.lower(InceptionV3.build(), Lowering.FUSED);
    private static final long PIXELS = 299 * 299 * 3;
    private static final long GIB = 1L << 30;

    private static String refused(int batch, BatchMemory.Arena arena, long heap, long nativeBytes) {
        return assertThrows(BatchMemory.TooLargeException.class,
                () -> BatchMemory.check(PLAN, batch, arena, heap, nativeBytes)).getMessage();
    }

    @Test
    void theInputAndTheQueueAreCountedOnTheHeapForEveryExecutor() {
        // float input 4 B + packed bytes 1 B + three queued batches of decoded images 3 x 1 B = 8 B per value
        long perImage = PIXELS * 8;
        long heap = 100 * perImage + perImage / 2;       // room for 100.5 images
        assertDoesNotThrow(() -> BatchMemory.check(PLAN, 100, BatchMemory.Arena.DEVICE, heap, Long.MAX_VALUE));
        String m = refused(101, BatchMemory.Arena.DEVICE, heap, Long.MAX_VALUE);
        assertTrue(m.startsWith("a batch of 101 needs " + (101 * perImage >> 20) + " MiB of Java heap")
                && m.contains("use --batch 100 or less") && m.contains("INCEPTION_JAVA_OPTS=-Xmx"), m);
    }

    @Test
    void theReferenceArenaIsOnTheHeapAndOneDnnsIsNative() {
        long arena = PLAN.arenaElements() * 4;
        long perImage = PIXELS * 8 + arena;
        long heap = 10 * perImage;
        assertDoesNotThrow(() -> BatchMemory.check(PLAN, 10, BatchMemory.Arena.HEAP, heap, 0));
        assertTrue(refused(11, BatchMemory.Arena.HEAP, heap, 0).contains("use --batch 10 or less"));
        // the same heap holds many more images when the arena is native, until the native memory runs out
        assertDoesNotThrow(() -> BatchMemory.check(PLAN, 11, BatchMemory.Arena.NATIVE, heap, 64 * GIB));
        String m = refused(11, BatchMemory.Arena.NATIVE, 64 * GIB, 7 * arena + 1);
        assertTrue(m.contains("MiB of native memory for activations") && m.contains("use --batch 7 or less")
                && !m.contains("-Xmx"), m);
    }

    @Test
    void aBatchNoJavaArrayCanHoldIsRefusedWhateverTheHeap() {
        long fit = (Integer.MAX_VALUE - 8) / PLAN.arenaElements();
        String m = refused((int) fit + 1, BatchMemory.Arena.HEAP, Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals("a batch of " + (fit + 1) + " needs more elements than one Java array holds; use --batch " + fit
                + " or less", m);
    }

    @Test
    void whenNotEvenOneImageFitsTheInputSizeIsNamed() {
        String m = refused(1, BatchMemory.Arena.HEAP, PIXELS, Long.MAX_VALUE);
        assertTrue(m.startsWith("one image of 299x299 needs") && m.contains("use a smaller --input-size"), m);
    }

    @Test
    void physicalMemoryIsWhatTheJvmsManagementApiSays() {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        // the API reads the same /proc/meminfo, or the container's limit when that is lower
        assertTrue(BatchMemory.physicalMemory() >= os.getTotalMemorySize(), BatchMemory.physicalMemory() + " vs "
                + os.getTotalMemorySize());
        assertTrue(BatchMemory.physicalMemory() < 64L * os.getTotalMemorySize());
    }
}
