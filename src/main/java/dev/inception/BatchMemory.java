package dev.inception;

import dev.inception.plan.Plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the largest batch will need, checked when an engine opens, before any image is decoded or any array made:
 * a batch that cannot fit is refused in one line that names the largest one that does, instead of dying halfway
 * with "integer overflow" or an OutOfMemoryError. Per image, on the Java heap: the float input (h x w x 3 x 4
 * bytes), its 8-bit packing, and the decoded, resized images waiting in the decode queue (about three batches);
 * plus, for the reference executor, its activation arena. oneDNN's arena is native memory and is compared with
 * the machine's physical memory; the GPU's with the device's, by the GPU executor.
 */
public final class BatchMemory {

    /** Java arrays hold a little under 2^31 elements. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** Batches of decoded images alive at once: the one running, the one decoded ahead, the one being decoded. */
    static final int QUEUED_BATCHES = 3;

    private BatchMemory() {
    }

    /** Refused: the batch does not fit; the message names the largest that does and how to get more. */
    public static final class TooLargeException extends IllegalArgumentException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** Where an executor keeps its activation arena. */
    enum Arena {
        /** a Java array: the reference executor */
        HEAP,
        /** native memory of this process: oneDNN */
        NATIVE,
        /** device memory, which the GPU executor checks against the device */
        DEVICE
    }

    /**
     * @param heapBytes   Java heap still free for the batch
     * @param nativeBytes memory outside the heap a NATIVE arena may use (the machine's physical memory)
     */
    static void check(Plan plan, int batch, Arena arena, long heapBytes, long nativeBytes) {
        boolean arenaOnHeap = arena == Arena.HEAP;
        long pixels = plan.inputTensor().elements();                 // h x w x 3 per image
        long perImageHeap = pixels * Float.BYTES + pixels + QUEUED_BATCHES * pixels;
        long arenaPerImage = plan.arenaElements() * Float.BYTES;
        if (arenaOnHeap) {
            perImageHeap += arenaPerImage;
        }
        long arrayElementsPerImage = arenaOnHeap ? Math.max(pixels, plan.arenaElements()) : pixels;
        long fitArray = MAX_ARRAY / arrayElementsPerImage;
        long fitHeap = heapBytes / perImageHeap;
        long fitNative = arena == Arena.NATIVE ? nativeBytes / arenaPerImage : Long.MAX_VALUE;
        long fit = Math.min(fitArray, Math.min(fitHeap, fitNative));
        if (batch <= fit) {
            return;
        }
        // said for the batch asked, or for one image when even that cannot fit
        long n = fit < 1 ? 1 : batch;
        String why;
        if (fit == fitArray) {
            why = "more elements than one Java array holds";
        } else if (fit == fitHeap) {
            why = mib(n * perImageHeap) + " MiB of Java heap, which has " + mib(heapBytes) + " MiB free";
        } else {
            why = mib(n * arenaPerImage) + " MiB of native memory for activations, and this machine has "
                    + mib(nativeBytes) + " MiB";
        }
        String more = fit == fitHeap ? ", or give Java more heap, e.g. INCEPTION_JAVA_OPTS=-Xmx"
                + Math.max(2, (n * perImageHeap >> 30) + 2) + "g" : "";
        throw new TooLargeException(fit < 1
                ? "one image of " + size(plan) + " needs " + why + "; use a smaller --input-size" + more
                : "a batch of " + batch + " needs " + why + "; use --batch " + fit + " or less" + more);
    }

    /** With the heap this JVM has left (the weights are already loaded) and this machine's physical memory. */
    static void check(Plan plan, int batch, Arena arena) {
        Runtime rt = Runtime.getRuntime();
        check(plan, batch, arena, rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()), physicalMemory());
    }

    /**
     * MemTotal from /proc/meminfo; unbounded where there is none. Not the management API: the offline bundle's
     * jlinked runtime leaves out jdk.management.
     */
    static long physicalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: no native bound rather than a wrong one
        }
        return Long.MAX_VALUE;
    }

    private static String size(Plan plan) {
        var shape = plan.inputTensor().shape();
        return shape.height() + "x" + shape.width();
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
