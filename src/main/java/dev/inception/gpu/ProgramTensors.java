package dev.inception.gpu;

import dev.inception.model.Shape;
import dev.inception.plan.Plan;
import dev.inception.plan.TensorSpec;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * The plan's tensors at one batch size on the device: where each starts in the arena, how its pixels are laid out
 * (a channel slice's inside its parent), and its cuDNN descriptor. What every step of a {@link GpuProgram} is
 * built from.
 */
final class ProgramTensors {

    private final Plan plan;
    private final int n;
    private final DeviceBuffer arena;
    private final TensorTypes types;
    private final Descriptors d;

    /** @param d where descriptors are created; the program that owns it destroys them */
    ProgramTensors(Plan plan, int n, DeviceBuffer arena, TensorTypes types, Descriptors d) {
        this.plan = plan;
        this.n = n;
        this.arena = arena;
        this.types = types;
        this.d = d;
    }

    /** The batch size. */
    int n() {
        return n;
    }

    TensorSpec spec(int tensor) {
        return plan.tensor(tensor);
    }

    Shape shape(int tensor) {
        return plan.tensor(tensor).shape();
    }

    /**
     * Where a tensor starts: its float32-sized slot, of which a 16-bit tensor uses the first half (TensorTypes); a
     * channel slice starts at its channel offset inside its parent's first pixel.
     */
    CUdeviceptr at(int tensor) {
        TensorSpec t = plan.tensor(tensor);
        if (t.isSlice()) {
            return arena.at(plan.tensor(t.slice().parent()).offset() * n * Sizeof.FLOAT
                    + (long) t.slice().channelOffset() * types.of(tensor).bytes);
        }
        return arena.at(t.offset() * n * Sizeof.FLOAT);
    }

    /** Elements from one pixel of a tensor to the next: its channels, or its parent's for a channel slice. */
    int pixelStride(int tensor) {
        TensorSpec t = plan.tensor(tensor);
        return t.isSlice() ? shape(t.slice().parent()).channels() : shape(tensor).channels();
    }

    /** Where a channel slice's channels start inside each pixel of its parent; 0 for a whole tensor. */
    int channelOffset(int tensor) {
        TensorSpec t = plan.tensor(tensor);
        return t.isSlice() ? t.slice().channelOffset() : 0;
    }

    /** The tensor's pixels at this batch size: images times height times width. */
    long pixels(int tensor) {
        Shape s = shape(tensor);
        return (long) n * s.height() * s.width();
    }

    cudnnTensorDescriptor desc(int tensor) {
        return desc(tensor, CudnnGeometry.Dims.of(n, shape(tensor)));
    }

    /** The descriptor of a tensor with these dimensions: dense, or strided inside its parent for a channel slice. */
    cudnnTensorDescriptor desc(int tensor, CudnnGeometry.Dims dims) {
        TensorSpec t = plan.tensor(tensor);
        return t.isSlice() ? d.slice(dims, types.of(tensor), shape(t.slice().parent()).channels())
                : d.tensor(dims, types.of(tensor));
    }
}
