package dev.inception.gpu;

import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.runtime.cudaStream_t;

import java.util.ArrayList;
import java.util.List;

import static jcuda.driver.CUevent_flags.CU_EVENT_DISABLE_TIMING;

/**
 * Streams for the branches of a mixed block, which are independent until their concatenation: lane 0 is the
 * context's stream, lanes 1..{@link #SIDE} are side streams, each with cuDNN and cuBLAS handles of its own (a
 * handle is bound to one stream, and cuBLAS's workspace to one handle). At batch 1 a branch's convolutions fill a
 * fraction of an H200, so running the four branches side by side shortens the pass; at large batches each already
 * fills the GPU and lanes change little.
 *
 * <p>Ordering is by events only, so it works inside stream capture too (the graph gets parallel branches): before
 * a block, the main stream records {@code fork} and every side lane waits for it; after its last step in the block,
 * a side lane records its {@code join} event, and the main stream waits for those before the concatenation. An event
 * is re-recorded by every block; a wait always refers to the record enqueued before it, so one event per lane
 * suffices.
 */
final class BranchLanes implements AutoCloseable {

    /** InceptionV3's blocks have at most four branches; the first runs on the main stream. */
    static final int SIDE = 3;

    private final CudaContext cx;
    private final List<CUstream> streams = new ArrayList<>();
    private final List<cudnnHandle> handles = new ArrayList<>();
    private final List<cublasHandle> blas = new ArrayList<>();
    private final List<CUevent> events = new ArrayList<>();

    BranchLanes(CudaContext cx) {
        this.cx = cx;
        try {
            for (int i = 0; i < SIDE; i++) {
                CUstream s = new CUstream();
                JCudaDriver.cuStreamCreate(s, 0);
                streams.add(s);
                cudnnHandle h = new cudnnHandle();
                CudaCalls.cudnn(JCudnn.cudnnCreate(h), "cudnnCreate (branch lane " + (i + 1) + ")");
                handles.add(h);
                CudaCalls.cudnn(JCudnn.cudnnSetStream(h, new cudaStream_t(s)), "cudnnSetStream (branch lane "
                        + (i + 1) + ")");
                cublasHandle b = new cublasHandle();
                CudaCalls.cublas(JCublas2.cublasCreate(b), "cublasCreate (branch lane " + (i + 1) + ")");
                blas.add(b);
                CudaCalls.cublas(JCublas2.cublasSetStream(b, new cudaStream_t(s)), "cublasSetStream (branch lane "
                        + (i + 1) + ")");
                CudaCalls.cublas(JCublas2.cublasSetMathMode(b, CudaContext.cublasMathMode(cx.precision())),
                        "cublasSetMathMode (branch lane " + (i + 1) + ")");
            }
            for (int i = 0; i <= SIDE; i++) {
                CUevent e = new CUevent();
                JCudaDriver.cuEventCreate(e, CU_EVENT_DISABLE_TIMING);
                events.add(e);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** How many lanes a block's branches are spread over: one each, up to the main stream plus the side ones. */
    static int lanesFor(int branches) {
        return Math.min(branches, SIDE + 1);
    }

    /** How many streams may run a convolution at the same time: every lane, or the main stream alone (null). */
    static int count(BranchLanes lanes) {
        return lanes == null ? 1 : SIDE + 1;
    }

    CUstream stream(int lane) {
        return lane == 0 ? cx.stream() : streams.get(lane - 1);
    }

    cudnnHandle cudnn(int lane) {
        return lane == 0 ? cx.cudnn() : handles.get(lane - 1);
    }

    cublasHandle cublas(int lane) {
        return lane == 0 ? cx.cublas() : blas.get(lane - 1);
    }

    /** Side lanes 1..lanes-1 start after everything enqueued so far on the main stream. */
    void fork(int lanes) {
        CUevent fork = events.get(0);
        JCudaDriver.cuEventRecord(fork, cx.stream());
        for (int lane = 1; lane < lanes; lane++) {
            JCudaDriver.cuStreamWaitEvent(stream(lane), fork, 0);
        }
    }

    /** Marks the end of a side lane's work in the current block. */
    void join(int lane) {
        JCudaDriver.cuEventRecord(events.get(lane), stream(lane));
    }

    /** The main stream continues only after side lanes 1..lanes-1 have finished their branches. */
    void await(int lanes) {
        for (int lane = 1; lane < lanes; lane++) {
            JCudaDriver.cuStreamWaitEvent(cx.stream(), events.get(lane), 0);
        }
    }

    @Override
    public void close() {
        events.forEach(JCudaDriver::cuEventDestroy);
        events.clear();
        handles.forEach(JCudnn::cudnnDestroy);
        handles.clear();
        blas.forEach(JCublas2::cublasDestroy);
        blas.clear();
        streams.forEach(JCudaDriver::cuStreamDestroy);
        streams.clear();
    }
}
