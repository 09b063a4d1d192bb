package dev.inception.gpu;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;

/**
 * This project's kernels (kernels/*.cu), loaded from the fatbin resource the build made with nvcc, or from the file
 * named by {@code -Dinception.kernels=FILE}: a kernel engineer rebuilds the fatbin (kernels/build-kernels.sh) and
 * runs it without rebuilding the jar.
 */
public final class KernelModule implements AutoCloseable {

    static final String FATBIN = "/dev/inception/kernels/inception_kernels.fatbin";
    public static final String PROPERTY = "inception.kernels";
    private static final int BLOCK = 256;

    private final CUmodule module = new CUmodule();
    private final CUfunction concat32 = new CUfunction();
    private final CUfunction concat16 = new CUfunction();
    private final java.util.Map<StorageType, CUfunction> preprocess = new java.util.EnumMap<>(StorageType.class);
    private boolean loaded;

    public KernelModule() {
        byte[] fatbin = fatbin();
        try {
            JCudaDriver.cuModuleLoadData(module, fatbin);
        } catch (CudaException e) {
            throw new GpuException("the driver cannot load this build's kernels (" + e.getMessage() + "): they hold"
                    + " SASS for sm_80..sm_90 and PTX for compute_90 from nvcc 13; update the NVIDIA driver", e);
        }
        loaded = true;
        JCudaDriver.cuModuleGetFunction(concat32, module, "concat_nhwc_f32");
        JCudaDriver.cuModuleGetFunction(concat16, module, "concat_nhwc_u16");
        for (StorageType t : StorageType.values()) {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, module, preprocessKernel(t));
            preprocess.put(t, f);
        }
    }

    private static byte[] fatbin() {
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            try {
                return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(override));
            } catch (IOException e) {
                throw new GpuException("cannot read the kernels named by -D" + PROPERTY + ": " + e.getMessage(), e);
            }
        }
        try (InputStream in = KernelModule.class.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new GpuException("the CUDA kernels are missing from this build (nvcc was not found when it was"
                        + " built); rebuild on a machine with nvcc, or name a fatbin with -D" + PROPERTY + "=FILE");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new GpuException("cannot read the kernels: " + e.getMessage(), e);
        }
    }

    static String concatKernel(StorageType t) {
        return t == StorageType.FLOAT ? "concat_nhwc_f32" : "concat_nhwc_u16";
    }

    static String preprocessKernel(StorageType t) {
        return switch (t) {
            case FLOAT -> "preprocess_u8_f32";
            case HALF -> "preprocess_u8_f16";
            case BFLOAT16 -> "preprocess_u8_bf16";
        };
    }

    /**
     * Copies src (pixels x cPart) into channels [cOffset, cOffset + cPart) of dst (pixels x cTotal), elements of
     * type t.
     */
    void concat(CUstream stream, StorageType t, Pointer dst, Pointer src, long pixels, int cPart, int cTotal,
                int cOffset) {
        long n = pixels * cPart;
        launch(t == StorageType.FLOAT ? concat32 : concat16, stream, n, Pointer.to(Pointer.to(dst), Pointer.to(src),
                Pointer.to(new long[] {n}), Pointer.to(new int[] {cPart}), Pointer.to(new int[] {cTotal}),
                Pointer.to(new int[] {cOffset})));
    }

    /** dst[i] = src[i] / 127.5 - 1 for n bytes, stored as t. */
    void preprocess(CUstream stream, StorageType t, Pointer dst, Pointer src, long n) {
        launch(preprocess.get(t), stream, n, Pointer.to(Pointer.to(dst), Pointer.to(src), Pointer.to(new long[] {n})));
    }

    /** Grid-stride kernels: enough blocks to cover n, capped; the loop covers the rest. */
    static int blocks(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, 65_535));
    }

    private static void launch(CUfunction f, CUstream stream, long n, Pointer params) {
        JCudaDriver.cuLaunchKernel(f, blocks(n), 1, 1, BLOCK, 1, 1, 0, stream, params, null);
    }

    @Override
    public void close() {
        if (loaded) {
            loaded = false;
            JCudaDriver.cuModuleUnload(module);
        }
    }
}
