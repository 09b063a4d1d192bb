package dev.inception.cpu;

import dev.inception.model.Padding;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Window;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Every op against small cases computed by hand (the arithmetic is in the comments). */
class CpuOpsTest {

    private static float[] range(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return v;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    private static float[] conv(float[] x, CpuOps.Dims d, float[] k, int kh, int kw, int stride, Padding p, int cout) {
        Window w = Window.of(Shape.of(d.h(), d.w(), d.c()), kh, kw, stride, stride, p);
        float[] out = new float[d.n() * w.outHeight(d.h()) * w.outWidth(d.w()) * cout];
        CpuOps.conv2d(x, 0, d, k, null, w, cout, false, out, 0);
        return out;
    }

    @Test
    void stride2ValidConvolution() {
        // 5x5 input 1..25, 3x3 ones, stride 2 'valid' -> 2x2: sums of the four 3x3 corners
        // (0,0): 1+2+3+6+7+8+11+12+13 = 63   (0,1): 3+4+5+8+9+10+13+14+15 = 81
        // (1,0): 11+12+13+16+17+18+21+22+23 = 153   (1,1): 13+14+15+18+19+20+23+24+25 = 171
        float[] out = conv(range(25), new CpuOps.Dims(1, 5, 5, 1), ones(9), 3, 3, 2, Padding.VALID, 1);
        assertArrayEquals(new float[] {63, 81, 153, 171}, out);
    }

    @Test
    void oneBySevenSameConvolution() {
        // row [1,2,3,4], kernel weights 1..7, pad 3 each side: out[x] = sum_k in[x-3+k] * (k+1)
        // out0 = 1*4+2*5+3*6+4*7 = 60, out1 = 1*3+2*4+3*5+4*6 = 50, out2 = 40, out3 = 1*1+2*2+3*3+4*4 = 30
        float[] row = conv(range(4), new CpuOps.Dims(1, 1, 4, 1), range(7), 1, 7, 1, Padding.SAME, 1);
        assertArrayEquals(new float[] {60, 50, 40, 30}, row);
        float[] column = conv(range(4), new CpuOps.Dims(1, 4, 1, 1), range(7), 7, 1, 1, Padding.SAME, 1);
        assertArrayEquals(new float[] {60, 50, 40, 30}, column);
    }

    @Test
    void kernelLayoutIsKhKwCinCout() {
        // 1x1 conv, x = [1, 2], K[ci][co] = [[1, 2], [3, 4]]: out0 = 1*1 + 2*3 = 7, out1 = 1*2 + 2*4 = 10
        float[] out = conv(new float[] {1, 2}, new CpuOps.Dims(1, 1, 1, 2), new float[] {1, 2, 3, 4}, 1, 1, 1,
                Padding.VALID, 2);
        assertArrayEquals(new float[] {7, 10}, out);
    }

    /**
     * 3x3 'valid' on a 3x3x2 image to 2 channels, every kernel tap asymmetric, so that a transposed kernel (r and s
     * swapped), swapped channels or a flipped kernel all change the answer.
     * x channel 0 = [[1,2,3],[4,5,6],[7,8,9]]; channel 1 = 10 at (0,2), else 0.
     * out0 = 1 * x0(0,0) + 2 * x0(2,2) + 3 * x1(0,2) = 1 + 18 + 30 = 49
     * out1 = 1 * x0(0,1) + 5 * x1(2,0) = 2 + 0 = 2
     * (transposed: out0 = 1 + 18 + 3 * x1(2,0) = 19, out1 = x0(1,0) = 4)
     */
    @Test
    void asymmetric3x3KernelWithTwoInputAndTwoOutputChannels() {
        float[] x = new float[3 * 3 * 2];
        for (int i = 0; i < 9; i++) {
            x[i * 2] = i + 1;
        }
        x[(0 * 3 + 2) * 2 + 1] = 10;
        float[] k = new float[3 * 3 * 2 * 2];                        // Keras (kh, kw, cin, cout)
        k[kernelIndex(0, 0, 0, 0)] = 1;
        k[kernelIndex(2, 2, 0, 0)] = 2;
        k[kernelIndex(0, 2, 1, 0)] = 3;
        k[kernelIndex(0, 1, 0, 1)] = 1;
        k[kernelIndex(2, 0, 1, 1)] = 5;
        assertArrayEquals(new float[] {49, 2}, conv(x, new CpuOps.Dims(1, 3, 3, 2), k, 3, 3, 1, Padding.VALID, 2));
    }

    private static int kernelIndex(int r, int s, int ci, int co) {
        return ((r * 3 + s) * 2 + ci) * 2 + co;
    }

    /**
     * Kernel +1 at (0,1), -1 at (1,0): out = x(r, c+1) - x(r+1, c). On 5x5 values 1..25 (v = 5r + c + 1), stride 2
     * 'valid' gives 2x2 of (5r + c + 2) - (5r + c + 6) = -4; the transposed kernel would give +4.
     */
    @Test
    void strided3x3ValidWithAnAsymmetricKernel() {
        float[] k = new float[9];
        k[1] = 1;       // (r 0, s 1)
        k[3] = -1;      // (r 1, s 0)
        assertArrayEquals(new float[] {-4, -4, -4, -4},
                conv(range(25), new CpuOps.Dims(1, 5, 5, 1), k, 3, 3, 2, Padding.VALID, 1));
    }

    /**
     * The same kernel plus +1 at (2,2), stride 2 'same' on 4x4 values 1..16 (v = 4r + c + 1): TensorFlow pads 0
     * before and 1 after, so output (i, j) reads rows 2i..2i+2 and columns 2j..2j+2, row and column 4 being zeros.
     * (0,0): v(0,1) - v(1,0) + v(2,2) = 2 - 5 + 11 = 8; (0,1): 4 - 7 + 0 = -3; (1,0): 10 - 13 + 0 = -3;
     * (1,1): 12 - 15 + 0 = -3. Padding before instead, or a transposed kernel, changes (0,0).
     */
    @Test
    void strided3x3SameWithAnAsymmetricKernelPadsAfter() {
        float[] k = new float[9];
        k[1] = 1;
        k[3] = -1;
        k[8] = 1;
        assertArrayEquals(new float[] {8, -3, -3, -3},
                conv(range(16), new CpuOps.Dims(1, 4, 4, 1), k, 3, 3, 2, Padding.SAME, 1));
    }

    @Test
    void asymmetricSamePaddingPadsAfter() {
        // 4x4 ones, 3x3 ones, stride 2 'same': TensorFlow pads 0 before and 1 after
        // (0,0) covers rows 0-2 x cols 0-2 = 9; (0,1) cols 2-3 = 6; (1,0) = 6; (1,1) rows 2-3 x cols 2-3 = 4
        float[] out = conv(ones(16), new CpuOps.Dims(1, 4, 4, 1), ones(9), 3, 3, 2, Padding.SAME, 1);
        assertArrayEquals(new float[] {9, 6, 6, 4}, out);
    }

    @Test
    void biasAndReluOfAFusedConvolution() {
        // x = [1, -1] -> 1x1 conv K = [[1, -1], [2, 1]] -> [1-2, -1-1] = [-1, -2]; + bias [3, 1] = [2, -1]; ReLU [2, 0]
        float[] out = new float[2];
        CpuOps.conv2d(new float[] {1, -1}, 0, new CpuOps.Dims(1, 1, 1, 2), new float[] {1, -1, 2, 1},
                new float[] {3, 1}, new Window(1, 1, 1, 1, 0, 0, 0, 0), 2, true, out, 0);
        assertArrayEquals(new float[] {2, 0}, out);
    }

    @Test
    void averagePoolExcludesPaddingFromTheDivisor() {
        // 3x3 input 1..9, 3x3 stride 1 'same'. Corner (0,0): (1+2+4+5)/4 = 3, edge (0,1): (1+2+3+4+5+6)/6 = 3.5,
        // centre: 45/9 = 5, corner (2,2): (5+6+8+9)/4 = 7. Counting the padding would give 12/9, 21/9, ...
        Window w = Window.of(Shape.of(3, 3, 1), 3, 3, 1, 1, Padding.SAME);
        float[] out = new float[9];
        CpuOps.pool(PoolMode.AVERAGE, range(9), 0, new CpuOps.Dims(1, 3, 3, 1), w, out, 0);
        assertArrayEquals(new float[] {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}, out);
    }

    @Test
    void maxPool3x3Stride2Valid() {
        // 5x5 input 1..25 -> 2x2, each the bottom-right of its window: 13, 15, 23, 25
        Window w = Window.of(Shape.of(5, 5, 1), 3, 3, 2, 2, Padding.VALID);
        float[] out = new float[4];
        CpuOps.pool(PoolMode.MAX, range(25), 0, new CpuOps.Dims(1, 5, 5, 1), w, out, 0);
        assertArrayEquals(new float[] {13, 15, 23, 25}, out);
    }

    @Test
    void maxPoolIgnoresPaddingEvenWhenAllValuesAreNegative() {
        Window w = Window.of(Shape.of(2, 2, 1), 3, 3, 1, 1, Padding.SAME);
        float[] out = new float[4];
        CpuOps.pool(PoolMode.MAX, new float[] {-4, -3, -2, -1}, 0, new CpuOps.Dims(1, 2, 2, 1), w, out, 0);
        assertArrayEquals(new float[] {-1, -1, -1, -1}, out);
    }

    @Test
    void batchNormWithUnitGamma() {
        // (2 - 1) / sqrt(3 + 0.001) + 0.5 = 1 / 1.73233945... + 0.5 = 1.0772543...; channel 2: (0 - 0)/sqrt(1.001) - 1
        float[] out = new float[2];
        CpuOps.batchNorm(new float[] {2, 0}, 0, new CpuOps.Dims(1, 1, 1, 2), new float[] {0.5f, -1},
                new float[] {1, 0}, new float[] {3, 1}, 1e-3f, out, 0);
        assertArrayEquals(new float[] {1.0772543f, -1f}, out, 1e-6f);
    }

    @Test
    void reluClampsNegatives() {
        float[] out = new float[3];
        CpuOps.relu(new float[] {-2, 0, 3}, 0, 3, out, 0);
        assertArrayEquals(new float[] {0, 0, 3}, out);
    }

    @Test
    void concatInterleavesChannelSlicesPerPixel() {
        // two pixels; part A has 1 channel [a0, a1], part B has 2 channels [b00 b01, b10 b11]
        float[] arena = {1, 2, 10, 11, 20, 21, 0, 0, 0, 0, 0, 0};
        CpuOps.concat(arena, new int[] {0, 2}, new int[] {1, 2}, 2, arena, 6);
        assertArrayEquals(new float[] {1, 10, 11, 2, 20, 21}, java.util.Arrays.copyOfRange(arena, 6, 12));
    }

    @Test
    void globalPools() {
        // 2x2x2: channel 0 = 1,2,3,4 ; channel 1 = -1,-2,-3,-4
        float[] x = {1, -1, 2, -2, 3, -3, 4, -4};
        float[] avg = new float[2];
        CpuOps.globalPool(PoolMode.AVERAGE, x, 0, new CpuOps.Dims(1, 2, 2, 2), avg, 0);
        assertArrayEquals(new float[] {2.5f, -2.5f}, avg);
        float[] max = new float[2];
        CpuOps.globalPool(PoolMode.MAX, x, 0, new CpuOps.Dims(1, 2, 2, 2), max, 0);
        assertArrayEquals(new float[] {4, -1}, max);
    }

    @Test
    void denseAndSoftmax() {
        // x = [1, 2], K = [[1, 2, 3], [4, 5, 6]], b = [0.5, 0, -1] -> [1+8+0.5, 2+10, 3+12-1] = [9.5, 12, 14]
        float[] y = new float[3];
        CpuOps.dense(new float[] {1, 2}, 0, 1, 2, new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, 0, -1}, 3, y, 0);
        assertArrayEquals(new float[] {9.5f, 12, 14}, y);
        // softmax([0, ln 2, ln 3]) = [1, 2, 3] / 6
        float[] p = new float[3];
        CpuOps.softmax(new float[] {0, (float) Math.log(2), (float) Math.log(3)}, 0, 1, 3, p, 0);
        assertArrayEquals(new float[] {1 / 6f, 2 / 6f, 3 / 6f}, p, 1e-6f);
    }
}
