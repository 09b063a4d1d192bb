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

    /** Pieces of a large write that threads copy side by side. */
    static final int PIECE = 4 << 20;

    /**
     * Copies src to the start of dst, large arrays in pieces on the common pool: a batch of 256 images at 299x299 is
     * 69 MB, which one thread copies in about as long as the GPU computes the batch.
     */
    static void copyInPieces(byte[] src, ByteBuffer dst, int piece) {
        if (src.length > dst.capacity()) {
            throw new IllegalArgumentException(src.length + " bytes do not fit a buffer of " + dst.capacity());
        }
        int pieces = (src.length + piece - 1) / piece;
        java.util.stream.IntStream.range(0, pieces).parallel().forEach(i -> {
            int from = i * piece;
            dst.duplicate().put(from, src, from, Math.min(piece, src.length - from));
        });
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            JCudaDriver.cuMemFreeHost(ptr);
        }
    }
}
