package dev.inception.nativelib;

import dev.inception.BackendUnavailableException;
import jcuda.CudaException;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;

/** Run in a forked JVM by BridgeStubTest: loads the native stack against stub libraries and prints what it saw. */
public final class StubProbe {

    public static void main(String[] args) {
        try {
            NativeStack stack = NativeStack.load();
            System.out.println("cudnn.route=" + stack.discovery().cudnn().orElseThrow().route());
            System.out.println("cublas.route=" + stack.discovery().cublas().orElseThrow().route());
            System.out.println("cudnn.runtime=" + stack.cudnnRuntimeVersion());
        } catch (BackendUnavailableException e) {
            System.out.println("unavailable=" + e.getMessage());
            return;
        }
        System.out.println("cudnnGetVersion=" + JCudnn.cudnnGetVersion());
        cudnnHandle h = new cudnnHandle();
        System.out.println("cudnnCreate=" + JCudnn.cudnnCreate(h) + " " + h);
        System.out.println("cudnnDestroy=" + JCudnn.cudnnDestroy(h));
        cublasHandle b = new cublasHandle();
        System.out.println("cublasCreate=" + JCublas2.cublasCreate(b) + " " + b);
        int[] v = new int[1];
        System.out.println("cublasGetVersion=" + JCublas2.cublasGetVersion(b, v) + " " + v[0]);
        System.out.println("cublasDestroy=" + JCublas2.cublasDestroy(b));
        int[] dv = new int[1];
        JCudaDriver.cuDriverGetVersion(dv);
        System.out.println("cuDriverGetVersion=" + dv[0]);
        try {
            JCudaDriver.cuInit(0);
            System.out.println("cuInit=ok");
        } catch (CudaException e) {
            System.out.println("cuInit.error=" + e.getMessage());
        }
    }
}
