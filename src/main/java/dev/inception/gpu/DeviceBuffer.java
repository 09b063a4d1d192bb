package dev.inception.gpu;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/** One device allocation, freed by close(). Out of memory is reported with the size asked and the free memory. */
public final class DeviceBuffer implements AutoCloseable {

    private final CUdeviceptr ptr = new CUdeviceptr();
    private final long bytes;
    private final String what;
    private boolean freed;

    public DeviceBuffer(long bytes, String what) {
        this.bytes = Math.max(bytes, 1);
        this.what = what;
        try {
            JCudaDriver.cuMemAlloc(ptr, this.bytes);
        } catch (CudaException e) {
            long[] free = new long[1];
            long[] total = new long[1];
            JCudaDriver.cuMemGetInfo(free, total);
            throw new GpuException("out of GPU memory: " + what + " needs " + mib(this.bytes) + " MiB, "
                    + mib(free[0]) + " MiB of " + mib(total[0]) + " MiB are free (" + e.getMessage()
                    + "); use a smaller --batch", e);
        }
    }

    static long mib(long bytes) {
        return bytes >> 20;
    }

    public CUdeviceptr ptr() {
        return ptr;
    }

    /** A pointer into this buffer, bytes from its start. */
    public CUdeviceptr at(long byteOffset) {
        if (byteOffset < 0 || byteOffset > bytes) {
            throw new IllegalArgumentException(what + ": offset " + byteOffset + " outside " + bytes + " bytes");
        }
        return ptr.withByteOffset(byteOffset);
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            JCudaDriver.cuMemFree(ptr);
        }
    }
}
