package dev.inception.gpu;

import dev.inception.Tensor;
import dev.inception.cpu.CpuOps;
import dev.inception.nativelib.NativeStack;
import dev.inception.plan.Window;
import dev.inception.verify.Verification;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

/**
 * The first contact with a GPU: handles for cuDNN and cuBLAS (through the bridges where needed), one small
 * convolution and one SGEMM on the device, each compared with the CPU reference. Every step is recorded, so a
 * failure says exactly how far it got.
 */
public final class SmokeTest {

    /** fp32 with TF32 off: only summation order differs from the CPU (see docs/VERIFICATION.md). */
    static final double TOLERANCE = 1e-4;

    private final Map<String, Object> steps = new LinkedHashMap<>();

    private SmokeTest() {
    }

    /** @return step name -> "ok", a measured value, or the failure message; "passed" is true or false */
    public static Map<String, Object> run(int device) {
        SmokeTest t = new SmokeTest();
        try {
            t.steps(device);
            boolean close = (double) t.steps.get("conv_max_relative_error") < TOLERANCE
                    && (double) t.steps.get("sgemm_max_relative_error") < TOLERANCE;
            t.steps.put("tolerance", TOLERANCE);
            t.steps.put("passed", close);
        } catch (RuntimeException e) {
            t.steps.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
            t.steps.put("passed", false);
        }
        return t.steps;
    }

    private void steps(int ordinal) {
        NativeStack stack = NativeStack.load();
        steps.put("cudnn", stack.discovery().cudnn().orElseThrow().soname() + " (" + stack.discovery().cudnn().get().route() + ")");
        steps.put("cublas", stack.discovery().cublas().orElseThrow().soname() + " (" + stack.discovery().cublas().get().route() + ")");
        steps.put("cudnnGetVersion", stack.cudnnRuntimeVersion());
        JCudaDriver.cuInit(0);
        CUdevice device = new CUdevice();
        JCudaDriver.cuDeviceGet(device, ordinal);
        CUcontext context = new CUcontext();
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        List<CUdeviceptr> allocations = new ArrayList<>();
        try {
            JCudaDriver.cuCtxSetCurrent(context);
            steps.put("context", "ok");
            cudnnHandle cudnn = new cudnnHandle();
            CudaCalls.cudnn(JCudnn.cudnnCreate(cudnn), "cudnnCreate");
            cublasHandle cublas = new cublasHandle();
            CudaCalls.cublas(JCublas2.cublasCreate(cublas), "cublasCreate");
            steps.put("handles", "ok");
            try {
                steps.put("conv_max_relative_error", convolution(cudnn, allocations));
                steps.put("sgemm_max_relative_error", sgemm(cublas, allocations));
            } finally {
                JCudnn.cudnnDestroy(cudnn);
                JCublas2.cublasDestroy(cublas);
            }
        } finally {
            for (CUdeviceptr p : allocations) {
                JCudaDriver.cuMemFree(p);
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    /** 3x3 'same' convolution, 1 image of 9x7x5 -> 6 channels, NCHW on the device, NHWC on the CPU. */
    private double convolution(cudnnHandle h, List<CUdeviceptr> mem) {
        int height = 9, width = 7, cin = 5, cout = 6;
        float[] xNhwc = Tensor.uniform(height * width * cin, 1);
        float[] kernel = Tensor.uniform(3 * 3 * cin * cout, 2);          // Keras (kh, kw, cin, cout)
        float[] expected = new float[height * width * cout];
        CpuOps.conv2d(xNhwc, 0, new CpuOps.Dims(1, height, width, cin), kernel, null,
                new Window(3, 3, 1, 1, 1, 1, 1, 1), cout, false, expected, 0);

        cudnnTensorDescriptor x = new cudnnTensorDescriptor();
        cudnnTensorDescriptor y = new cudnnTensorDescriptor();
        cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateTensorDescriptor(x), "cudnnCreateTensorDescriptor");
        CudaCalls.cudnn(JCudnn.cudnnCreateTensorDescriptor(y), "cudnnCreateTensorDescriptor");
        CudaCalls.cudnn(JCudnn.cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
        CudaCalls.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
        try {
            CudaCalls.cudnn(JCudnn.cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, cin, height, width),
                    "cudnnSetTensor4dDescriptor(x)");
            CudaCalls.cudnn(JCudnn.cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, cout, height, width),
                    "cudnnSetTensor4dDescriptor(y)");
            CudaCalls.cudnn(JCudnn.cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, cout, cin, 3, 3),
                    "cudnnSetFilter4dDescriptor");
            CudaCalls.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(conv, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION,
                    CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
            int algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
            long[] wsBytes = new long[1];
            CudaCalls.cudnn(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(h, x, w, conv, y, algo, wsBytes),
                    "cudnnGetConvolutionForwardWorkspaceSize");
            CUdeviceptr dx = upload(mem, Layouts.nhwcToNchw(xNhwc, 1, height, width, cin));
            CUdeviceptr dw = upload(mem, Layouts.kerasKernelToKcrs(kernel, 3, 3, cin, cout));
            CUdeviceptr dy = alloc(mem, (long) expected.length * Sizeof.FLOAT);
            CUdeviceptr ws = alloc(mem, Math.max(wsBytes[0], 1));
            CudaCalls.cudnn(JCudnn.cudnnConvolutionForward(h, Pointer.to(new float[] {1f}), x, dx, w, dw, conv, algo, ws,
                    wsBytes[0], Pointer.to(new float[] {0f}), y, dy), "cudnnConvolutionForward");
            JCudaDriver.cuCtxSynchronize();
            float[] nchw = new float[expected.length];
            JCudaDriver.cuMemcpyDtoH(Pointer.to(nchw), dy, (long) nchw.length * Sizeof.FLOAT);
            return Verification.relativeError(expected, Layouts.nchwToNhwc(nchw, 1, cout, height, width));
        } finally {
            JCudnn.cudnnDestroyTensorDescriptor(x);
            JCudnn.cudnnDestroyTensorDescriptor(y);
            JCudnn.cudnnDestroyFilterDescriptor(w);
            JCudnn.cudnnDestroyConvolutionDescriptor(conv);
        }
    }

    /** C (m x n) = A (m x k) B (k x n), column-major as cuBLAS wants. */
    private double sgemm(cublasHandle h, List<CUdeviceptr> mem) {
        int m = 37, n = 29, k = 53;
        float[] a = Tensor.uniform(m * k, 3);
        float[] b = Tensor.uniform(k * n, 4);
        float[] expected = new float[m * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[p * m + i] * b[j * k + p];
                }
                expected[j * m + i] = (float) s;
            }
        }
        CUdeviceptr da = upload(mem, a);
        CUdeviceptr db = upload(mem, b);
        CUdeviceptr dc = alloc(mem, (long) m * n * Sizeof.FLOAT);
        CudaCalls.cublas(JCublas2.cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, Pointer.to(new float[] {1f}), da, m,
                db, k, Pointer.to(new float[] {0f}), dc, m), "cublasSgemm");
        JCudaDriver.cuCtxSynchronize();
        float[] c = new float[m * n];
        JCudaDriver.cuMemcpyDtoH(Pointer.to(c), dc, (long) c.length * Sizeof.FLOAT);
        return Verification.relativeError(expected, c);
    }

    private static CUdeviceptr alloc(List<CUdeviceptr> mem, long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(p, bytes);
        mem.add(p);
        return p;
    }

    private static CUdeviceptr upload(List<CUdeviceptr> mem, float[] host) {
        CUdeviceptr p = alloc(mem, (long) host.length * Sizeof.FLOAT);
        JCudaDriver.cuMemcpyHtoD(p, Pointer.to(host), (long) host.length * Sizeof.FLOAT);
        return p;
    }
}
