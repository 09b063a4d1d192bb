package dev.inception.gpu;

import dev.inception.Precision;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;
import jcuda.runtime.cudaStream_t;

import static jcuda.jcublas.cublasMath.CUBLAS_DEFAULT_MATH;
import static jcuda.jcublas.cublasMath.CUBLAS_TF32_TENSOR_OP_MATH;

/**
 * One device's primary context, one stream, and cuDNN and cuBLAS handles bound to that stream. The primary context
 * is shared with every other user of the device in this process (the runtime API uses it too), which is what a
 * library should do. Every thread that calls CUDA makes it current first ({@link #makeCurrent()}).
 */
public final class CudaContext implements AutoCloseable {

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final cudnnHandle cudnn = new cudnnHandle();
    private final cublasHandle cublas = new cublasHandle();
    private final Precision precision;
    private final String deviceName;
    private final int ordinal;
    private int opened;

    public CudaContext(int ordinal, Precision precision) {
        this.precision = precision;
        this.ordinal = ordinal;
        JCudaDriver.cuInit(0);
        JCudaDriver.cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        deviceName = GpuDevices.cString(name);
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        opened = 1;
        try {
            JCudaDriver.cuCtxSetCurrent(context);
            JCudaDriver.cuStreamCreate(stream, 0);
            opened = 2;
            CudaCalls.cudnn(JCudnn.cudnnCreate(cudnn), "cudnnCreate");
            opened = 3;
            CudaCalls.cudnn(JCudnn.cudnnSetStream(cudnn, new cudaStream_t(stream)), "cudnnSetStream");
            CudaCalls.cublas(JCublas2.cublasCreate(cublas), "cublasCreate");
            opened = 4;
            CudaCalls.cublas(JCublas2.cublasSetStream(cublas, new cudaStream_t(stream)), "cublasSetStream");
            CudaCalls.cublas(JCublas2.cublasSetMathMode(cublas, cublasMathMode(precision)), "cublasSetMathMode");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** TF32 products for TF32 only: fp32 stays exact float32, and 16-bit GEMMs ask for tensor cores by type. */
    static int cublasMathMode(Precision precision) {
        return precision == Precision.TF32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH;
    }

    public void makeCurrent() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    /** For release paths: make the context current if it still exists, without throwing. */
    void makeCurrentIfOpen() {
        if (opened >= 1) {
            try {
                makeCurrent();
            } catch (RuntimeException e) {
                // the release calls that follow report their own errors, if any
            }
        }
    }

    public CUstream stream() {
        return stream;
    }

    public cudnnHandle cudnn() {
        return cudnn;
    }

    public cublasHandle cublas() {
        return cublas;
    }

    public Precision precision() {
        return precision;
    }

    public int ordinal() {
        return ordinal;
    }

    public String deviceName() {
        return deviceName;
    }

    public void synchronize() {
        JCudaDriver.cuStreamSynchronize(stream);
    }

    /** Free and total device memory, in bytes. */
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        JCudaDriver.cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    @Override
    public void close() {
        if (opened >= 4) {
            JCublas2.cublasDestroy(cublas);
        }
        if (opened >= 3) {
            JCudnn.cudnnDestroy(cudnn);
        }
        if (opened >= 2) {
            JCudaDriver.cuStreamDestroy(stream);
        }
        if (opened >= 1) {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
        opened = 0;
    }
}
