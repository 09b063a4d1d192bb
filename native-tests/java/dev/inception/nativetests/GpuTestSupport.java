package dev.inception.nativetests;

import dev.inception.BackendUnavailableException;
import dev.inception.Tensor;
import dev.inception.gpu.GpuDevices;
import dev.inception.model.Shape;
import dev.inception.nativelib.NativeStack;


/** Shared by the GPU tests: whether a GPU is usable (and why not), random inputs, the error measure. */
final class GpuTestSupport {

    private static String unavailable = "";
    private static Boolean available;

    private GpuTestSupport() {
    }

    static synchronized boolean available() {
        if (available == null) {
            try {
                NativeStack.load();
                GpuDevices.Report r = GpuDevices.query();
                available = r.error() == null && !r.devices().isEmpty();
                unavailable = r.error() != null ? r.error() : "no GPU visible";
            } catch (BackendUnavailableException e) {
                available = false;
                unavailable = e.getMessage();
            }
            if (!available) {
                System.out.println("[native-tests] skipped: no usable GPU: " + unavailable);
            }
        }
        return available;
    }

    static String whyUnavailable() {
        return "no usable GPU: " + unavailable;
    }

    static Tensor random(int batch, Shape shape, long seed) {
        return Tensor.uniform(batch, shape, seed);
    }
}
