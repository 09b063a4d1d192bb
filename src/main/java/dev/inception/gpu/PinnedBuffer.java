package dev.inception.gpu;

import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Page-locked host memory for asynchronous copies, freed by close(). */
public final class PinnedBuffer implements AutoCloseable {

    private final Pointer ptr = new Pointer();
    private final long bytes;
    private final ByteBuffer view;
    private boolean freed;

    public PinnedBuffer(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new GpuException("a staging buffer of " + (bytes >> 20) + " MiB is more than one Java buffer holds;"
                    + " use a smaller batch");
        }
        this.bytes = Math.max(bytes, 4);
        JCudaDriver.cuMemAllocHost(ptr, this.bytes);
        this.view = ptr.getByteBuffer(0, this.bytes).order(ByteOrder.nativeOrder());
    }

    public Pointer ptr() {
        return ptr;
    }

    public ByteBuffer view() {
        return view.duplicate().order(ByteOrder.nativeOrder());
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            JCudaDriver.cuMemFreeHost(ptr);
        }
    }
}
