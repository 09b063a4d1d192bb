package dev.inception.gpu;

import jcuda.Pointer;

/**
 * The cuDNN workspace the convolutions share: one slice per stream that may run a convolution at the same time
 * (one for call-by-call execution, one per lane with branch streams), so that concurrent convolutions never write
 * each other's scratch memory. Allocated once the maximum batch's algorithms are chosen; until then a slice's size
 * is the limit the choice may use.
 */
final class Workspace implements AutoCloseable {

    /** Slices start on this boundary, the alignment cuDNN gives its own allocations. */
    static final long ALIGNMENT = 256;

    private final long limit;
    private final int lanes;
    private DeviceBuffer buffer;

    /** @param limit the most one slice may hold; @param lanes how many slices */
    Workspace(long limit, int lanes) {
        this.limit = limit;
        this.lanes = lanes;
    }

    /**
     * What each slice gets: what the maximum batch's algorithms need, and more, up to the limit, where the device
     * has room to spare (at most 1/16 of its free memory for all slices): other batch sizes choose their algorithms
     * later, within the slices as allocated, and a workspace sized to the maximum batch's choices alone (a few MiB
     * where implicit-GEMM algorithms won) would shut out any faster algorithm that needs more at another size.
     */
    static long sliceBytes(long needed, long limit, long freeBytes, int lanes) {
        return Math.max(needed, Math.min(limit, freeBytes / (16L * lanes)));
    }

    /**
     * Allocates every slice ({@link #sliceBytes}, rounded up to the alignment) once the maximum batch's algorithms
     * are chosen: {@code needed} is what they need, {@code freeBytes} the device's free memory.
     */
    void allocate(long needed, long freeBytes) {
        long perLane = sliceBytes(needed, limit, freeBytes, lanes);
        long slice = (perLane + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        buffer = new DeviceBuffer(slice * lanes, "the cuDNN workspace (" + lanes + " x " + (slice >> 20) + " MiB)");
    }

    /** What one slice holds: its share of the buffer once allocated, the limit while algorithms are chosen. */
    long sliceBytes() {
        return buffer != null ? buffer.bytes() / lanes : limit;
    }

    long bytes() {
        return buffer == null ? 0 : buffer.bytes();
    }

    Lane lane(int index) {
        if (index < 0 || index >= lanes) {
            throw new IllegalArgumentException("workspace lane " + index + " of " + lanes);
        }
        return new Lane(this, index);
    }

    /** One stream's slice. */
    record Lane(Workspace workspace, int index) {
        Pointer ptr() {
            return workspace.buffer == null ? new Pointer()
                    : workspace.buffer.at(index * workspace.sliceBytes());
        }

        long bytes() {
            return workspace.sliceBytes();
        }
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
