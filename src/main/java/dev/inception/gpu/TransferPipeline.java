package dev.inception.gpu;

import dev.inception.Executor;
import dev.inception.Tensor;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static jcuda.driver.CUevent_flags.CU_EVENT_DISABLE_TIMING;

/**
 * Overlapped transfers for a stream of input batches (uint8 images; the executor keeps a second pipeline, with
 * float32 slots, for float batches): two slots, each with its own pinned and device buffers, and a copy stream beside
 * the compute stream. Batch i uses slot i % 2:
 * <pre>
 *   copy stream     H2D inputs -> slot bytes                              record uploaded
 *   compute stream  wait uploaded; preprocess (or narrow) + the pass (a graph replay);
 *                   D2D the outputs -> slot out                           record computed
 *   copy stream     wait computed; D2H slot out -> slot's pinned buffer   record downloaded
 * </pre>
 * so the upload of batch i+1 and the download of batch i-1 run on the copy engines while batch i computes, and the
 * host resizes batch i+1 meanwhile. The outputs are copied out of the arena on the compute stream because the next
 * pass overwrites the arena. A slot is taken again two batches later, after its batch was collected (by its owner,
 * or by the submission that needs the slot, which keeps the results for the owner).
 */
final class TransferPipeline implements AutoCloseable {

    static final int SLOTS = 2;
    /** The most output bytes a slot brings back: predictions or features at large batches, not taps. */
    static final long OUT_LIMIT = 64L << 20;

    /** One fetched output: where it is in the arena, and what it is. */
    record Output(String layer, CUdeviceptr device, int batch, dev.inception.model.Shape shape, StorageType type) {
        long bytes() {
            return (long) batch * shape.elements() * type.bytes;
        }
    }

    private final CudaContext cx;
    private final CUstream copy = new CUstream();
    private final List<Slot> slots = new ArrayList<>();
    private long inBytes;
    private final long outBytes;
    private int next;
    private boolean streamCreated;

    /** @param inBytes the largest batch of images; @param outBytes the largest set of outputs (up to OUT_LIMIT) */
    TransferPipeline(CudaContext cx, long inBytes, long outBytes) {
        this.cx = cx;
        this.inBytes = inBytes;
        this.outBytes = Math.min(outBytes, OUT_LIMIT);
        try {
            JCudaDriver.cuStreamCreate(copy, 0);
            streamCreated = true;
            for (int i = 0; i < SLOTS; i++) {
                slots.add(new Slot(inBytes, this.outBytes));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The most bytes of images a slot takes. */
    long capacity() {
        return inBytes;
    }

    /**
     * Makes each slot take batches of up to {@code bytes} (--gpu-resize's full-size images): the batches in flight
     * are collected first (their results kept for their owners), then the slots are made again at the new size.
     * Where that fails, the slots are made again at their old size and this returns false.
     */
    boolean grow(long bytes) {
        if (bytes <= inBytes) {
            return true;
        }
        for (Slot s : slots) {
            if (s.ticket != null) {
                s.ticket.collect();
            }
        }
        long old = inBytes;
        try {
            remake(bytes);
            return true;
        } catch (RuntimeException e) {
            remake(old);
            return false;
        }
    }

    private void remake(long in) {
        slots.forEach(Slot::close);
        slots.clear();
        next = 0;
        inBytes = in;
        for (int i = 0; i < SLOTS; i++) {
            slots.add(new Slot(in, outBytes));
        }
    }

    /** Whether these outputs fit a slot; larger fetches take the synchronous path. */
    boolean fits(List<Output> outputs) {
        return outputs.stream().mapToLong(Output::bytes).sum() <= outBytes;
    }

    /**
     * Enqueues one batch and returns at once.
     *
     * @param bytes   the batch's size in bytes
     * @param fill    writes the batch's bytes into the slot's pinned buffer, from its start
     * @param compute enqueues preprocessing from the given device images and the pass, on the compute stream
     */
    Executor.Pending submit(long bytes, Consumer<ByteBuffer> fill, List<Output> outputs,
                            Consumer<CUdeviceptr> compute, Object lock) {
        if (bytes > inBytes) {
            throw new IllegalArgumentException(bytes + " bytes of images do not fit a pipeline slot of " + inBytes);
        }
        Slot slot = slots.get(next);
        next = (next + 1) % SLOTS;
        if (slot.ticket != null) {
            slot.ticket.collect();     // the batch two back: its results are kept for whoever holds its ticket
        }
        fill.accept(slot.in.view());   // the slot's last upload finished before its batch was collected
        JCudaDriver.cuMemcpyHtoDAsync(slot.bytes.ptr(), slot.in.ptr(), bytes, copy);
        JCudaDriver.cuEventRecord(slot.uploaded, copy);
        JCudaDriver.cuStreamWaitEvent(cx.stream(), slot.uploaded, 0);
        compute.accept(slot.bytes.ptr());
        long at = 0;
        for (Output o : outputs) {
            JCudaDriver.cuMemcpyDtoDAsync(slot.out.at(at), o.device(), o.bytes(), cx.stream());
            at += o.bytes();
        }
        JCudaDriver.cuEventRecord(slot.computed, cx.stream());
        JCudaDriver.cuStreamWaitEvent(copy, slot.computed, 0);
        JCudaDriver.cuMemcpyDtoHAsync(slot.outHost.ptr(), slot.out.ptr(), at, copy);
        JCudaDriver.cuEventRecord(slot.downloaded, copy);
        Ticket t = new Ticket(slot, outputs);
        slot.ticket = t;
        return () -> {
            synchronized (lock) {
                return t.collect();
            }
        };
    }

    /** One submitted batch: collected once (waits for its download), its outputs kept for later calls. */
    private final class Ticket {
        private final Slot slot;
        private final List<Output> outputs;
        private Map<String, Tensor> result;

        Ticket(Slot slot, List<Output> outputs) {
            this.slot = slot;
            this.outputs = outputs;
        }

        Map<String, Tensor> collect() {
            if (result != null) {
                return result;
            }
            if (slot.closed) {
                throw new IllegalStateException("engine is closed: the batch was submitted but never collected");
            }
            cx.makeCurrent();
            JCudaDriver.cuEventSynchronize(slot.downloaded);
            Map<String, Tensor> out = new LinkedHashMap<>();
            ByteBuffer view = slot.outHost.view();
            int at = 0;
            for (Output o : outputs) {
                Tensor t = new Tensor(o.batch(), o.shape(), new float[(int) (o.batch() * o.shape().elements())]);
                view.position(at);
                o.type().decode(view.slice().order(view.order()), t.data(), 0, t.data().length);
                at += (int) o.bytes();
                out.put(o.layer(), t);
            }
            result = out;
            if (slot.ticket == this) {
                slot.ticket = null;
            }
            return result;
        }
    }

    /** A batch's buffers and the events that order its three stages. */
    private static final class Slot implements AutoCloseable {
        final PinnedBuffer in;
        final DeviceBuffer bytes;
        final DeviceBuffer out;
        final PinnedBuffer outHost;
        final CUevent uploaded = new CUevent();
        final CUevent computed = new CUevent();
        final CUevent downloaded = new CUevent();
        private final Resources owned = new Resources();
        Ticket ticket;
        boolean closed;

        Slot(long inBytes, long outBytes) {
            try {
                in = owned.own(new PinnedBuffer(inBytes));
                bytes = owned.own(new DeviceBuffer(inBytes, "a pipeline slot's images"));
                out = owned.own(new DeviceBuffer(outBytes, "a pipeline slot's outputs"));
                outHost = owned.own(new PinnedBuffer(outBytes));
                for (CUevent e : new CUevent[] {uploaded, computed, downloaded}) {
                    JCudaDriver.cuEventCreate(e, CU_EVENT_DISABLE_TIMING);
                    owned.own(() -> JCudaDriver.cuEventDestroy(e));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            closed = true;
            owned.close();
        }
    }

    @Override
    public void close() {
        if (streamCreated) {
            try {
                JCudaDriver.cuStreamSynchronize(copy);   // no copy may still use a buffer being freed
            } catch (RuntimeException e) {
                // a failed device: release what can be released
            }
        }
        slots.forEach(Slot::close);
        slots.clear();
        if (streamCreated) {
            streamCreated = false;
            JCudaDriver.cuStreamDestroy(copy);
        }
    }
}
