package dev.inception.gpu;

import dev.inception.Tensor;
import dev.inception.Precision;
import dev.inception.cpu.CpuExecutor;
import dev.inception.model.Graph;
import dev.inception.model.GraphBuilder;
import dev.inception.model.Node;
import dev.inception.model.Op;
import dev.inception.model.Padding;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import dev.inception.nativelib.NativeStack;
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

    /**
     * A 3x5 'same' convolution of one 9x7x5 image to 6 channels, through the executor's own code: a one-layer graph
     * lowered by the planner, the CPU reference executor for the expected values, and on the GPU the executor's
     * geometry ({@link CudnnGeometry}), descriptors ({@link Descriptors}: NHWC activations, KRSC filters, FMA math so
     * that Hopper's TF32 stays off) and filter transpose ({@link Layouts#kerasKernelToKrsc}). A passing smoke test
     * therefore says something about the executor, not only about cuDNN.
     */
    private double convolution(cudnnHandle h, List<CUdeviceptr> mem) {
        GraphBuilder b = new GraphBuilder();
        Node in = b.input(Shape.of(9, 7, 5));
        Graph g = b.build("smoke", b.apply("conv", new Op.Conv2D(6, 3, 5, 1, 1, Padding.SAME), in));
        Plan plan = Planner.lower(g, Lowering.FAITHFUL);
        Step.Conv step = (Step.Conv) plan.steps().stream().filter(s -> s instanceof Step.Conv).findFirst().orElseThrow();
        Weights w = SeededWeights.forGraph(g, 2);
        Tensor x = Tensor.uniform(1, in.shape(), 1);
        float[] expected;
        try (CpuExecutor cpu = new CpuExecutor(plan, w)) {
            expected = cpu.forward(x, List.of("conv")).get("conv").data();
        }
        CudnnGeometry.Conv geo = CudnnGeometry.conv(step, in.shape(), 1);
        try (Descriptors d = new Descriptors()) {
            cudnnTensorDescriptor xd = d.tensor(geo.input());
            cudnnTensorDescriptor yd = d.tensor(geo.output());
            cudnnFilterDescriptor fd = d.filter(geo);
            cudnnConvolutionDescriptor cd = d.convolution(geo, Precision.FP32);
            int algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
            long[] wsBytes = new long[1];
            CudaCalls.cudnn(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(h, xd, fd, cd, yd, algo, wsBytes),
                    "cudnnGetConvolutionForwardWorkspaceSize");
            CUdeviceptr dx = upload(mem, x.data());
            CUdeviceptr dw = upload(mem, Layouts.kerasKernelToKrsc(w.get(step.kernelKey()).values(), 3, 5, 5, 6));
            CUdeviceptr dy = alloc(mem, (long) expected.length * Sizeof.FLOAT);
            CUdeviceptr ws = alloc(mem, Math.max(wsBytes[0], 1));
            CudaCalls.cudnn(JCudnn.cudnnConvolutionForward(h, Pointer.to(new float[] {1f}), xd, dx, fd, dw, cd, algo,
                    ws, wsBytes[0], Pointer.to(new float[] {0f}), yd, dy), "cudnnConvolutionForward");
            JCudaDriver.cuCtxSynchronize();
            float[] y = new float[expected.length];
            JCudaDriver.cuMemcpyDtoH(Pointer.to(y), dy, (long) y.length * Sizeof.FLOAT);
            return Verification.relativeError(expected, y);
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
