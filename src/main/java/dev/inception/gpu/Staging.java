package dev.inception.gpu;

import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Host-device copies through one page-locked buffer of bounded size. A transfer larger than the buffer (taps at a
 * large batch pass 2 GiB, more than one Java buffer can address) goes in pieces, with a stream synchronisation
 * between pieces; a transfer that fits costs one copy and one synchronisation, as without this class.
 */
final class Staging implements AutoCloseable {

    /** Larger buffers buy nothing: a copy of this size already runs at the bus's full rate. */
    static final long LIMIT = 256L << 20;

    private final PinnedBuffer buffer;

    /** @param largestTransfer the most bytes one call will move; the buffer is that or {@link #LIMIT} */
    Staging(long largestTransfer) {
        this(largestTransfer, LIMIT);
    }

    Staging(long largestTransfer, long limit) {
        buffer = new PinnedBuffer(Math.min(Math.max(largestTransfer, Sizeof.FLOAT), limit) / Sizeof.FLOAT * Sizeof.FLOAT);
    }

    /** Copies host floats to the device; returns once the copy is enqueued (and earlier pieces are done). */
    void upload(float[] host, CUdeviceptr device, CUstream stream) {
        upload(host.length, Sizeof.FLOAT, (off, len) -> buffer.view().asFloatBuffer().put(host, off, len), device,
                stream);
    }

    /** Copies host bytes to the device, in pieces as {@link #upload(float[], CUdeviceptr, CUstream)}. */
    void upload(byte[] host, CUdeviceptr device, CUstream stream) {
        upload(host.length, 1, (off, len) -> buffer.view().put(host, off, len), device, stream);
    }

    /** Fills the buffer with elements [off, off + len) of the host array. */
    private interface Fill {
        void put(int off, int len);
    }

    /** count elements of elementBytes each, as many per piece as the buffer holds. */
    private void upload(int count, int elementBytes, Fill fill, CUdeviceptr device, CUstream stream) {
        int perPiece = (int) Math.min(buffer.bytes() / elementBytes, Integer.MAX_VALUE);
        for (int off = 0; off < count; off += perPiece) {
            int len = Math.min(perPiece, count - off);
            if (off > 0) {
                JCudaDriver.cuStreamSynchronize(stream);   // the previous piece still reads the buffer
            }
            fill.put(off, len);
            JCudaDriver.cuMemcpyHtoDAsync(device.withByteOffset((long) off * elementBytes), buffer.ptr(),
                    (long) len * elementBytes, stream);
        }
    }

    /** One device range to bring back into a float array; 16-bit elements are widened to float (exactly). */
    record Download(CUdeviceptr device, float[] host, StorageType type) {
        Download(CUdeviceptr device, float[] host) {
            this(device, host, StorageType.FLOAT);
        }
    }

    /** A piece of a range in the buffer: elements [offset, offset + length) of range r, at byte {@code at}. */
    private record Piece(int range, int offset, int length, long at) {
    }

    /**
     * Copies every range back, filling the buffer with as many as fit before each synchronisation; returns when
     * all host arrays are complete.
     */
    void download(List<Download> ranges, CUstream stream) {
        List<Piece> pending = new ArrayList<>();
        long used = 0;
        for (int r = 0; r < ranges.size(); r++) {
            Download d = ranges.get(r);
            int size = d.type().bytes;
            for (int off = 0; off < d.host().length; ) {
                if (buffer.bytes() - used < size) {
                    drain(ranges, pending, stream);
                    used = 0;
                }
                int len = (int) Math.min((buffer.bytes() - used) / size, d.host().length - off);
                JCudaDriver.cuMemcpyDtoHAsync(buffer.ptr().withByteOffset(used),
                        d.device().withByteOffset((long) off * size), (long) len * size, stream);
                pending.add(new Piece(r, off, len, used));
                used += (long) len * size;
                off += len;
            }
        }
        drain(ranges, pending, stream);
    }

    private void drain(List<Download> ranges, List<Piece> pending, CUstream stream) {
        JCudaDriver.cuStreamSynchronize(stream);
        ByteBuffer view = buffer.view();
        for (Piece p : pending) {
            Download d = ranges.get(p.range());
            view.position((int) p.at());
            d.type().decode(view.slice().order(view.order()), d.host(), p.offset(), p.length());
        }
        pending.clear();
    }

    long bytes() {
        return buffer.bytes();
    }

    @Override
    public void close() {
        buffer.close();
    }
}
