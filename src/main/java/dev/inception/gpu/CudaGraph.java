package dev.inception.gpu;

import jcuda.CudaException;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL;

/**
 * One forward pass recorded by stream capture and instantiated, replayed with a single {@code cuGraphLaunch}.
 * At batch 1 a pass is ~300 small launches whose CPU-side cost (JNI, cuDNN's argument checks, the driver) exceeds
 * the GPU time of many of them; a graph launch pays it once. A graph bakes in every pointer and algorithm it saw,
 * which is why the executor captures a pass only after one eager pass at that batch size: by then the program's
 * algorithms, fallbacks and cuDNN's lazily loaded kernels are settled, and nothing left to do inside capture
 * allocates, synchronises or chooses.
 */
final class CudaGraph implements AutoCloseable {

    private final CUgraph graph = new CUgraph();
    private final CUgraphExec exec = new CUgraphExec();
    private boolean captured;
    private boolean instantiated;
    private int nodes = -1;

    private CudaGraph() {
    }

    /**
     * Records what {@code work} enqueues on {@code stream} (nothing runs) and instantiates it. Capture is
     * thread-local: other threads' CUDA calls (another engine, the decode pool) do not invalidate it.
     *
     * @throws GpuException naming the reason when the work cannot be captured; the stream is out of capture
     *                      mode again and nothing was enqueued, so the caller can run the work eagerly
     */
    static CudaGraph capture(CUstream stream, Runnable work) {
        CudaGraph g = new CudaGraph();
        RuntimeException failure = null;
        try {
            JCudaDriver.cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        } catch (CudaException e) {
            throw new GpuException("cuStreamBeginCapture failed: " + e.getMessage(), e);
        }
        try {
            work.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        String call = "cuStreamEndCapture";
        try {
            // always end the capture, also after a failure: a stream left capturing refuses all later work
            JCudaDriver.cuStreamEndCapture(stream, g.graph);
            g.captured = true;
            if (failure == null) {
                g.nodes = graphNodes(g.graph);
                call = "cuGraphInstantiate";
                JCudaDriver.cuGraphInstantiate(g.exec, g.graph, 0);
                g.instantiated = true;
            }
        } catch (CudaException e) {
            failure = failure != null ? failure : new GpuException(call + ": " + e.getMessage(), e);
        }
        if (failure != null) {
            g.close();
            throw new GpuException(failure.getMessage(), failure);
        }
        return g;
    }

    /**
     * How many operations one launch runs: the graph's nodes, every kernel cuDNN, cuBLAS and this project's module
     * launched while it was recorded and every copy (a cuDNN convolution may be several kernels: a data transform,
     * the convolution, a reduction), which is what a pass costs in launches at batch 1; -1 where the driver would not
     * say (a diagnostic, never a reason to fail the capture).
     */
    int nodes() {
        return nodes;
    }

    /**
     * The count alone: JCuda 12.6's cuGraphGetNodes never passes the array's capacity to the driver (its
     * numNodes is an uninitialised native variable on the way in), so the form that returns the nodes themselves, and
     * with them their types, could overrun its own buffer; asked with no array, the driver only writes the count.
     */
    private static int graphNodes(CUgraph graph) {
        try {
            long[] count = new long[1];
            JCudaDriver.cuGraphGetNodes(graph, null, count);
            return (int) count[0];
        } catch (CudaException e) {
            return -1;
        }
    }

    /** Enqueues the whole recorded pass on {@code stream}. */
    void launch(CUstream stream) {
        JCudaDriver.cuGraphLaunch(exec, stream);
    }

    @Override
    public void close() {
        if (instantiated) {
            instantiated = false;
            JCudaDriver.cuGraphExecDestroy(exec);
        }
        if (captured) {
            captured = false;
            JCudaDriver.cuGraphDestroy(graph);
        }
    }
}
