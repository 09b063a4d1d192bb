package dev.inception.gpu;

import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.util.function.IntSupplier;

/**
 * Two CUDA events that time work enqueued on a stream, as the searches that choose how a convolution runs
 * ({@link ConvEngines}, {@link GemmConvolution}) measure their candidates: on the GPU's clock, not the host's.
 */
final class EventTimer implements AutoCloseable {

    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();

    EventTimer() {
        JCudaDriver.cuEventCreate(start, 0);
        try {
            JCudaDriver.cuEventCreate(stop, 0);
        } catch (RuntimeException e) {
            JCudaDriver.cuEventDestroy(start);
            throw e;
        }
    }

    /**
     * Milliseconds per run of {@code work}: one warm-up run (loading kernels, settling caches), then {@code runs}
     * runs between the two events, waited for. Negative where the warm-up's status was not 0 (the candidate does
     * not run here), and nothing more is enqueued.
     */
    float each(CUstream stream, int runs, IntSupplier work) {
        if (work.getAsInt() != 0) {
            return -1f;
        }
        JCudaDriver.cuEventRecord(start, stream);
        for (int r = 0; r < runs; r++) {
            work.getAsInt();
        }
        JCudaDriver.cuEventRecord(stop, stream);
        JCudaDriver.cuEventSynchronize(stop);
        float[] ms = new float[1];
        JCudaDriver.cuEventElapsedTime(ms, start, stop);
        return ms[0] / runs;
    }

    @Override
    public void close() {
        JCudaDriver.cuEventDestroy(start);
        JCudaDriver.cuEventDestroy(stop);
    }
}
