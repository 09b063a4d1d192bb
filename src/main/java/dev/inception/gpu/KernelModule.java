package dev.inception.gpu;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

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
    /** Chunks of this many bytes are what the vector kernels move per access (a 128-bit load or store). */
    static final int CHUNK_BYTES = 16;

    /** Every function of the module, by name, resolved once. */
    private final java.util.Map<String, CUfunction> functions = new java.util.HashMap<>();
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
        for (String name : functionNames()) {
            CUfunction f = new CUfunction();
            JCudaDriver.cuModuleGetFunction(f, module, name);
            functions.put(name, f);
        }
    }

    /** Every function this module resolves when it loads: each must be in the fatbin (KernelElementsTest checks). */
    public static java.util.Set<String> functionNames() {
        java.util.Set<String> names = new java.util.TreeSet<>(List.of("concat_nhwc_f32", "concat_nhwc_u16",
                "concat_nhwc_chunk16"));
        for (StorageType t : StorageType.values()) {
            names.add(preprocessKernel(t));
            for (dev.inception.image.Interpolation how : dev.inception.image.Interpolation.values()) {
                names.add(resizeKernel(t, how));
            }
            if (t != StorageType.FLOAT) {
                names.add(narrowKernel(t));
            }
            for (int lanes : new int[] {1, CHUNK_BYTES / t.bytes}) {
                names.add(poolKernel(t, lanes));
                names.add(biasReluKernel(t, lanes));
            }
        }
        return names;
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

    /**
     * How many elements the concat kernel moves per access for one part: a 16-byte chunk's worth where the part's
     * channels, the output's and the offset all are whole chunks (one 128-bit access each), else one.
     */
    static int concatUnit(StorageType t, int cPart, int cTotal, int cOffset) {
        return chunked(t, cPart, cTotal, cOffset) ? CHUNK_BYTES / t.bytes : 1;
    }

    /** The concat kernel that moves {@code unit} elements of t per access ({@link #concatUnit}). */
    static String concatKernel(StorageType t, int unit) {
        if (unit > 1) {
            return "concat_nhwc_chunk16";
        }
        return t == StorageType.FLOAT ? "concat_nhwc_f32" : "concat_nhwc_u16";
    }

    private static boolean chunked(StorageType t, int... channelCounts) {
        int per = CHUNK_BYTES / t.bytes;
        return java.util.Arrays.stream(channelCounts).allMatch(c -> c % per == 0);
    }

    /**
     * How many adjacent channels one thread of the pooling kernel makes: a 16-byte chunk's worth where the
     * channels, the output's pixel stride and its channel offset (a slice's, inside its block output) are whole
     * chunks, so that every load and store is one aligned 128-bit access; else one.
     */
    static int poolLanes(StorageType t, int channels, int outPixelStride, int outChannelOffset) {
        return chunked(t, channels, outPixelStride, outChannelOffset) ? CHUNK_BYTES / t.bytes : 1;
    }

    static String poolKernel(StorageType t, int lanes) {
        return "pool_nhwc_" + suffix(t, lanes);
    }

    /** The bias + ReLU kernel for t with {@code lanes} channels per thread (chosen as for pooling: poolLanes). */
    static String biasReluKernel(StorageType t, int lanes) {
        return "bias_relu_nhwc_" + suffix(t, lanes);
    }

    /** "f16x8": the element type, and the channels per thread where more than one. */
    private static String suffix(StorageType t, int lanes) {
        String type = switch (t) {
            case FLOAT -> "f32";
            case HALF -> "f16";
            case BFLOAT16 -> "bf16";
        };
        return type + (lanes == 1 ? "" : "x" + lanes);
    }

    static String preprocessKernel(StorageType t) {
        return switch (t) {
            case FLOAT -> "preprocess_u8_f32";
            case HALF -> "preprocess_u8_f16";
            case BFLOAT16 -> "preprocess_u8_bf16";
        };
    }

    /** The kernel that resizes uint8 images as PIL does and preprocesses them into t (--gpu-resize). */
    static String resizeKernel(StorageType t, dev.inception.image.Interpolation how) {
        return preprocessKernel(t).replace("preprocess_", "resize_" + how.name().toLowerCase(java.util.Locale.ROOT)
                + "_");
    }

    /** The kernel that rounds float32 inputs to t (fp16 or bf16), to nearest even. */
    static String narrowKernel(StorageType t) {
        return switch (t) {
            case HALF -> "narrow_f32_f16";
            case BFLOAT16 -> "narrow_f32_bf16";
            case FLOAT -> throw new IllegalArgumentException("float32 inputs need no narrowing");
        };
    }

    /**
     * Copies src (pixels x cPart) into channels [cOffset, cOffset + cPart) of dst (pixels x cTotal), elements of
     * type t.
     */
    void concat(CUstream stream, StorageType t, Pointer dst, Pointer src, long pixels, int cPart, int cTotal,
                int cOffset) {
        // the chunk kernel counts channels in chunks
        int unit = concatUnit(t, cPart, cTotal, cOffset);
        long n = pixels * cPart / unit;
        launch(functions.get(concatKernel(t, unit)), stream, n, Pointer.to(Pointer.to(dst), Pointer.to(src),
                Pointer.to(new long[] {n}), Pointer.to(new int[] {cPart / unit}), Pointer.to(new int[] {cTotal / unit}),
                Pointer.to(new int[] {cOffset / unit})));
    }

    /**
     * Pools a batch of {@code batch} dense NHWC images x into y (whose pixels are g.outPixelStride() elements
     * apart; y points at the output's first channel), with {@code lanes} channels per thread ({@link #poolLanes}).
     */
    void pool(CUstream stream, StorageType t, int lanes, Pointer y, Pointer x, PoolGeometry g, int mode, int batch) {
        long n = g.threads(batch, lanes);
        launch(functions.get(poolKernel(t, lanes)), stream, n, Pointer.to(Pointer.to(y), Pointer.to(x),
                Pointer.to(g.fields()), Pointer.to(new int[] {mode}), Pointer.to(new long[] {n})));
    }

    /**
     * y = ReLU(y + bias) in place over {@code pixels} pixels of {@code channels} channels, pixels
     * {@code pixelStride} elements apart (y points at the first channel; a channel slice's at its offset
     * {@code channelOffset} inside its pixel), with as many channels per thread as {@link #poolLanes} allows.
     */
    void biasRelu(CUstream stream, StorageType t, Pointer y, Pointer bias, long pixels, int channels, int pixelStride,
                  int channelOffset) {
        int lanes = poolLanes(t, channels, pixelStride, channelOffset);
        long n = pixels * channels / lanes;
        launch(functions.get(biasReluKernel(t, lanes)), stream, n, Pointer.to(Pointer.to(y), Pointer.to(bias),
                Pointer.to(new int[] {channels}), Pointer.to(new int[] {pixelStride}), Pointer.to(new long[] {n})));
    }

    /** dst[i] = src[i] / 127.5 - 1 for n bytes, stored as t. */
    void preprocess(CUstream stream, StorageType t, Pointer dst, Pointer src, long n) {
        launch(functions.get(preprocessKernel(t)), stream, n, Pointer.to(Pointer.to(dst), Pointer.to(src),
                Pointer.to(new long[] {n})));
    }

    /**
     * dst = the batch of {@code batch} uint8 images src (each srcWidth x srcHeight x 3, packed) resized to width x
     * height by the source columns xs and rows ys ({@code Resize.nearestIndices}, device int arrays) and
     * preprocessed, stored as t.
     */
    void resizeNearest(CUstream stream, StorageType t, Pointer dst, Pointer src, Pointer xs, Pointer ys, int batch,
                       int width, int height, int srcWidth, int srcHeight) {
        long n = (long) batch * height * width * 3;
        launch(functions.get(resizeKernel(t, dev.inception.image.Interpolation.NEAREST)), stream, n,
                Pointer.to(Pointer.to(dst), Pointer.to(src), Pointer.to(xs), Pointer.to(ys), Pointer.to(new long[] {n}),
                Pointer.to(new int[] {width}), Pointer.to(new int[] {height}), Pointer.to(new int[] {srcWidth}),
                Pointer.to(new int[] {srcHeight})));
    }

    /**
     * {@link #resizeNearest} by PIL's bilinear resizing: each output column's first source column and xTaps weights
     * (xStart, xWeights: {@code Resize.Taps}, device int arrays), each output row's likewise.
     */
    void resizeBilinear(CUstream stream, StorageType t, Pointer dst, Pointer src, Pointer xStart, Pointer xWeights,
                        int xTaps, Pointer yStart, Pointer yWeights, int yTaps, int batch, int width, int height,
                        int srcWidth, int srcHeight) {
        long n = (long) batch * height * width * 3;
        launch(functions.get(resizeKernel(t, dev.inception.image.Interpolation.BILINEAR)), stream, n,
                Pointer.to(Pointer.to(dst), Pointer.to(src), Pointer.to(xStart), Pointer.to(xWeights),
                        Pointer.to(new int[] {xTaps}), Pointer.to(yStart), Pointer.to(yWeights),
                        Pointer.to(new int[] {yTaps}), Pointer.to(new long[] {n}), Pointer.to(new int[] {width}),
                        Pointer.to(new int[] {height}), Pointer.to(new int[] {srcWidth}),
                        Pointer.to(new int[] {srcHeight})));
    }

    /** dst[i] = src[i] (n float32 values) rounded to t, to nearest even, as {@link HalfFloats} rounds. */
    void narrow(CUstream stream, StorageType t, Pointer dst, Pointer src, long n) {
        launch(functions.get(narrowKernel(t)), stream, n, Pointer.to(Pointer.to(dst), Pointer.to(src),
                Pointer.to(new long[] {n})));
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
