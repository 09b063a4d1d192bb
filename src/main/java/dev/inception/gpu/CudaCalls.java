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

    public static void cudnn(int status, String call) {
        if (status != 0) {
            throw new GpuException(call + " failed: " + JCudnn.cudnnGetErrorString(status) + " (cuDNN status " + status + ")");
        }
    }

    public static void cublas(int status, String call) {
        if (status != 0) {
            throw new GpuException(call + " failed: " + cublasStatus.stringFor(status));
        }
    }
}
