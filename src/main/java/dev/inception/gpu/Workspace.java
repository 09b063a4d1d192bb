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

    /** Allocates every slice at {@code perLane} bytes (rounded up to the alignment). */
    void allocate(long perLane) {
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
