package dev.inception.gpu;

import dev.inception.cpu.CpuOps;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.plan.Window;
import org.junit.jupiter.api.Test;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every descriptor the GPU executor would create, checked against the plan without a GPU. */
class CudnnGeometryTest {

    static void checkAllSteps(Plan plan, int batch) {
        int convs = 0;
        for (Step s : plan.steps()) {
            Shape in = s.inputs().isEmpty() ? null : plan.tensor(s.inputs().get(0)).shape();
            Shape out = plan.tensor(s.output()).shape();
            if (s instanceof Step.Conv c) {
                CudnnGeometry.Conv g = CudnnGeometry.conv(c, in, batch);
                assertEquals(CudnnGeometry.Dims.of(batch, out), g.output(), c.name());
                assertEquals(c.filters(), g.k());
                assertEquals(in.channels(), g.input().c());
                assertEquals(c.window().padTop(), g.padH(), c.name());
                assertEquals(c.window().padLeft(), g.padW(), c.name());
                assertEquals(c.window().rows(), g.r(), c.name());
                assertEquals(c.window().cols(), g.s(), c.name());
                assertEquals(c.window().strideRows(), g.strideH(), c.name());
                assertEquals(c.window().strideCols(), g.strideW(), c.name());
                convs++;
            } else if (s instanceof Step.Pool p) {
                assertEquals(CudnnGeometry.Dims.of(batch, out), CudnnGeometry.pool(p, in, batch).output(), p.name());
            } else if (s instanceof Step.GlobalPool gp) {
                assertEquals(CudnnGeometry.Dims.of(batch, out), CudnnGeometry.globalPool(gp.mode(), in, batch).output());
            }
        }
        assertEquals(94, convs);
    }

    @ParameterizedTest
    @EnumSource(Lowering.class)
    void cudnnOutputShapesMatchThePlanForEveryStep(Lowering lowering) {
        checkAllSteps(Planner.lower(InceptionV3.build(), lowering), 8);
        Graph odd = InceptionV3.build(new InceptionV3.Options(false, InceptionV3.Options.Pooling.AVG, 150, 203, 1000));
        checkAllSteps(Planner.lower(odd, lowering), 3);
    }

    /**
     * Three convolutions whose cuDNN parameters are known from Keras's source: conv2d_1 (32 filters, 3x3, stride 2,
     * 'valid', on 299x299x3), conv2d_33 (128, 1x7 'same', on mixed3's 17x17 through conv2d_32's 128 channels) and
     * conv2d_34 (192, 7x1 'same'). In cuDNN's terms r is the filter's height and s its width.
     */
    @Test
    void knownConvolutionsByHand() {
        Plan plan = Planner.lower(InceptionV3.build(), Lowering.FAITHFUL);
        Map<String, CudnnGeometry.Conv> byName = new java.util.HashMap<>();
        for (Step s : plan.steps()) {
            if (s instanceof Step.Conv c) {
                byName.put(c.name(), CudnnGeometry.conv(c, plan.tensor(c.input()).shape(), 2));
            }
        }
        assertEquals(new CudnnGeometry.Conv(new CudnnGeometry.Dims(2, 3, 299, 299), 32, 3, 3, 0, 0, 2, 2,
                new CudnnGeometry.Dims(2, 32, 149, 149)), byName.get("conv2d_1"));
        assertEquals(new CudnnGeometry.Conv(new CudnnGeometry.Dims(2, 128, 17, 17), 128, 1, 7, 0, 3, 1, 1,
                new CudnnGeometry.Dims(2, 128, 17, 17)), byName.get("conv2d_33"));
        assertEquals(new CudnnGeometry.Conv(new CudnnGeometry.Dims(2, 128, 17, 17), 192, 7, 1, 3, 0, 1, 1,
                new CudnnGeometry.Dims(2, 192, 17, 17)), byName.get("conv2d_34"));
    }

    @Test
    void averagePoolingExcludesPaddingAndMaxIsMax() {
        assertEquals(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, CudnnGeometry.poolingMode(PoolMode.AVERAGE));
        assertEquals(CUDNN_POOLING_MAX, CudnnGeometry.poolingMode(PoolMode.MAX));
        CudnnGeometry.Pool g = CudnnGeometry.globalPool(PoolMode.AVERAGE, Shape.of(8, 8, 2048), 4);
        assertEquals(new CudnnGeometry.Pool(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, 8, 8, 0, 0, 8, 8,
                new CudnnGeometry.Dims(4, 2048, 1, 1)), g);
    }

    @Test
    void asymmetricPaddingIsRefusedWithAReason() {
        Step.Conv c = new Step.Conv("conv", 0, 1, "conv", 4, new Window(3, 3, 2, 2, 0, 1, 0, 1), null, false);
        GpuException e = assertThrows(GpuException.class, () -> CudnnGeometry.conv(c, Shape.of(4, 4, 1), 1));
        assertTrue(e.getMessage().contains("symmetrically"), e.getMessage());
    }

    /** cuBLAS's column-major SGEMM, as its documentation defines it, in plain Java. */
    static void sgemmColumnMajor(CudnnGeometry.Gemm g, float[] a, float[] b, float[] c) {
        for (int j = 0; j < g.n(); j++) {
            for (int i = 0; i < g.m(); i++) {
                float s = 0;
                for (int p = 0; p < g.k(); p++) {
                    s += a[p * g.lda() + i] * b[j * g.ldb() + p];
                }
                c[j * g.ldc() + i] = s;
            }
        }
    }

    @Test
    void denseAsColumnMajorGemmComputesXTimesW() {
        int batch = 3;
        int inputs = 5;
        int units = 4;
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[batch * inputs];
        float[] w = new float[inputs * units];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextDouble();
        }
        float[] expected = new float[batch * units];
        CpuOps.dense(x, 0, batch, inputs, w, new float[units], units, expected, 0);
        float[] y = new float[batch * units];
        // the executor passes the row-major kernel as A and the row-major activations as B
        sgemmColumnMajor(CudnnGeometry.dense(batch, inputs, units), w, x, y);
        assertArrayEquals(expected, y, 1e-5f);
    }

    /**
     * cuBLAS's C = op(A) B with op(A) = A transposed ("T", "N"), column-major as its documentation defines it: only
     * C's m x n elements are written, each column ldc apart, so what lies between them (a slice's neighbours) stays.
     */
    static void gemmTransposedA(CudnnGeometry.Gemm g, float[] a, float[] b, float[] c, int cOffset) {
        for (int j = 0; j < g.n(); j++) {
            for (int i = 0; i < g.m(); i++) {
                float s = 0;
                for (int p = 0; p < g.k(); p++) {
                    s += a[i * g.lda() + p] * b[j * g.ldb() + p];
                }
                c[cOffset + j * g.ldc() + i] = s;
            }
        }
    }

    /**
     * A 1x1 convolution as the GEMM the executor runs it as (--gemm-1x1): the reference's conv2d on the same
     * numbers, with x a channel slice of a wider tensor (its pixels 11 channels apart) and y written into channels
     * 3..6 of a 9-channel block output, whose other channels are left as they were.
     */
    @Test
    void oneByOneConvolutionAsTransposedGemmIsTheReferenceConvolution() {
        int n = 2;
        int h = 3;
        int w = 5;
        int cin = 6;
        int cout = 4;
        int xStride = 11;
        int yStride = 9;
        int yOffset = 3;
        SplittableRandom r = new SplittableRandom(7);
        float[] dense = new float[n * h * w * cin];
        float[] wide = new float[n * h * w * xStride];
        for (int p = 0; p < n * h * w; p++) {
            for (int c = 0; c < xStride; c++) {
                float v = (float) (r.nextDouble() - 0.5);
                wide[p * xStride + c] = v;
                if (c < cin) {
                    dense[p * cin + c] = v;
                }
            }
        }
        float[] keras = new float[cin * cout];
        for (int i = 0; i < keras.length; i++) {
            keras[i] = (float) (r.nextDouble() - 0.5);
        }
        Shape in = Shape.of(h, w, cin);
        Window win = Window.of(in, 1, 1, 1, 1, dev.inception.model.Padding.SAME);
        float[] expected = new float[n * h * w * cout];
        CpuOps.conv2d(dense, 0, new CpuOps.Dims(n, h, w, cin), keras, null, win, cout, false, expected, 0);

        CudnnGeometry.Conv g = new CudnnGeometry.Conv(new CudnnGeometry.Dims(n, cin, h, w), cout, 1, 1, 0, 0, 1, 1,
                new CudnnGeometry.Dims(n, cout, h, w));
        assertTrue(CudnnGeometry.oneByOne(g));
        CudnnGeometry.Gemm gemm = CudnnGeometry.oneByOne(g, xStride, yStride);
        float[] out = new float[n * h * w * yStride];
        java.util.Arrays.fill(out, 42f);
        // the filter as the GPU holds it (KRSC), x from its first channel, y from its slice's first channel
        gemmTransposedA(gemm, Layouts.kerasKernelToKrsc(keras, 1, 1, cin, cout), wide, out, yOffset);
        for (int p = 0; p < n * h * w; p++) {
            for (int c = 0; c < yStride; c++) {
                float got = out[p * yStride + c];
                if (c >= yOffset && c < yOffset + cout) {
                    assertEquals(expected[p * cout + c - yOffset], got, 1e-6f, "pixel " + p + " channel " + c);
                } else {
                    assertEquals(42f, got, "pixel " + p + " channel " + c + " is outside the slice");
                }
            }
        }
    }

    @Test
    void onlyStrideOneOneByOneConvolutionsAreGemms() {
        CudnnGeometry.Dims x = new CudnnGeometry.Dims(2, 8, 9, 9);
        assertTrue(!CudnnGeometry.oneByOne(new CudnnGeometry.Conv(x, 4, 3, 3, 1, 1, 1, 1, x)));
        assertTrue(!CudnnGeometry.oneByOne(new CudnnGeometry.Conv(x, 4, 1, 1, 0, 0, 2, 2,
                new CudnnGeometry.Dims(2, 4, 5, 5))));
        CudnnGeometry.Conv one = new CudnnGeometry.Conv(x, 4, 1, 1, 0, 0, 1, 1, new CudnnGeometry.Dims(2, 4, 9, 9));
        assertEquals(new CudnnGeometry.Gemm(4, 2 * 9 * 9, 8, 8, 8, 4), CudnnGeometry.oneByOne(one, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> CudnnGeometry.oneByOne(one, 7, 4));
        // InceptionV3 at batch 256: 40 of its 94 convolutions are 1x1 with stride 1
        Plan plan = Planner.lower(InceptionV3.build(), Lowering.FUSED);
        long ones = plan.steps().stream().filter(s -> s instanceof Step.Conv c
                && CudnnGeometry.oneByOne(CudnnGeometry.conv(c, plan.tensor(c.input()).shape(), 256))).count();
        assertEquals(ONE_BY_ONE, ones);
    }

    /**
     * InceptionV3's 1x1 convolutions, counted from Keras's inception_v3.py: conv2d_bn(x, 80, 1, 1) in the stem; 4
     * in each of mixed0..2 (branch1x1, branch5x5's first, branch3x3dbl's first, branch_pool's); 1 in mixed3; 4 in
     * each of mixed4..7 (branch1x1, branch7x7's first, branch7x7dbl's first, branch_pool's); 2 in mixed8; 4 in each
     * of mixed9..10 (branch1x1, branch3x3's first, branch3x3dbl's first, branch_pool's).
     */
    static final int ONE_BY_ONE = 1 + 3 * 4 + 1 + 4 * 4 + 2 + 2 * 4;

    @Test
    void algorithmNamesAndGridSizes() {
        assertEquals("WINOGRAD_NONFUSED", ConvChoice.algoName(7));
        assertEquals("IMPLICIT_PRECOMP_GEMM", ConvChoice.algoName(1));
        assertEquals(1, KernelModule.blocks(1));
        assertEquals(4, KernelModule.blocks(1024));
        assertEquals(65_535, KernelModule.blocks(1L << 40));
    }

    /**
     * The math type a measured candidate runs with, by cudnnMathType_t's values (cudnn_ops.h: DEFAULT 0, TENSOR_OP
     * 1, TENSOR_OP_ALLOW_CONVERSION 2, FMA 3): FP32 is always FMA; the others run what was measured, except
     * conversion and unknown values, and the unmeasured last resort, which run the precision's own.
     */
    @Test
    void measuredMathTypesRunExceptWhereThePrecisionForbidsThem() {
        for (int measured : new int[] {0, 1, 2, 3, 7, ConvAlgorithms.AS_ASKED}) {
            assertEquals(3, Descriptors.runMathType(dev.inception.Precision.FP32, measured), "FP32, " + measured);
        }
        assertEquals(0, Descriptors.runMathType(dev.inception.Precision.FP16, 0));
        assertEquals(1, Descriptors.runMathType(dev.inception.Precision.BF16, 1));
        assertEquals(3, Descriptors.runMathType(dev.inception.Precision.TF32, 3));
        assertEquals(1, Descriptors.runMathType(dev.inception.Precision.TF32, 1));
        assertEquals(0, Descriptors.runMathType(dev.inception.Precision.TF32, 2));
        assertEquals(1, Descriptors.runMathType(dev.inception.Precision.FP16, 2));
        assertEquals(1, Descriptors.runMathType(dev.inception.Precision.FP16, ConvAlgorithms.AS_ASKED));
        assertEquals(0, Descriptors.runMathType(dev.inception.Precision.TF32, 9));
        assertEquals("TENSOR_OP_MATH", ConvChoice.mathName(1));
        assertEquals("FMA_MATH", ConvChoice.mathName(3));
        assertEquals("WINOGRAD (DEFAULT_MATH)", new ConvChoice("c", 1, 6, 0, 0, 1f).describe());
    }
}
