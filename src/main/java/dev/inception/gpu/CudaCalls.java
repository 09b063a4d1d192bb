package dev.inception.gpu;

import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.JCudnn;

/**
 * Status checks for cuDNN and cuBLAS calls (the driver API throws by itself once exceptions are enabled).
 * cuDNN 9 renumbered its status codes, so the text comes from the loaded library's cudnnGetErrorString, never
 * from JCudnn's cudnnStatus.stringFor, which knows cuDNN 8's numbers.
 */
public final class CudaCalls {

    private CudaCalls() {
    }

    /** What the bridge answers for a function cuDNN 9 no longer has: cuDNN 8's NOT_SUPPORTED. */
    static final int BRIDGE_NOT_SUPPORTED = 9;

    public static void cudnn(int status, String call) {
        if (status == BRIDGE_NOT_SUPPORTED && JCudnn.cudnnGetVersion() >= 90000) {
            throw new GpuException(call + " failed: this function does not exist in cuDNN 9 (the cuDNN 8 -> 9 bridge"
                    + " answered NOT_SUPPORTED); it needs cuDNN 8");
        }
        if (status != 0) {
            throw new GpuException(call + " failed: " + cudnnStatus(status));
        }
    }

    /** The loaded cuDNN's name for a status, with its number: "CUDNN_STATUS_NOT_SUPPORTED (cuDNN status 3000)". */
    static String cudnnStatus(int status) {
        return JCudnn.cudnnGetErrorString(status) + " (cuDNN status " + status + ")";
    }

    public static void cublas(int status, String call) {
        if (status != 0) {
            throw new GpuException(call + " failed: " + cublasStatus.stringFor(status));
        }
    }

    /** cuBLAS's name for a status, with its number: "CUBLAS_STATUS_NOT_SUPPORTED (cuBLAS status 15)". */
    static String cublasStatus(int status) {
        return cublasStatus.stringFor(status) + " (cuBLAS status " + status + ")";
    }
}
