package dev.inception.weights;

import dev.inception.cpu.CpuOps;
import dev.inception.plan.Window;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BnFoldingTest {

    @Test
    void handComputedFold() {
        // kernel (1,1,1,2) = [2, 4]; var = [3, 0.999]: s = [1/sqrt(3.001), 1/sqrt(1.0)] = [0.5772543, 1]
        // kernel' = [2*0.5772543, 4] ; bias = beta - mean*s = [1 - 1*0.5772543, 0 - 2*1] = [0.4227457, -2]
        BnFolding.Folded f = BnFolding.fold(new float[] {2, 4}, 2, new float[] {1, 0}, new float[] {1, 2},
                new float[] {3, 0.999f}, 1e-3f);
        assertArrayEquals(new float[] {1.1545086f, 4f}, f.kernel(), 1e-6f);
        assertArrayEquals(new float[] {0.4227457f, -2f}, f.bias(), 1e-6f);
    }

    @Test
    void foldedConvEqualsConvThenBatchNorm() {
        Random r = new Random(7);
        int cin = 3;
        int cout = 4;
        float[] x = new float[5 * 5 * cin];
        float[] k = new float[3 * 3 * cin * cout];
        float[] beta = new float[cout];
        float[] mean = new float[cout];
        float[] var = new float[cout];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < cout; i++) {
            beta[i] = (float) r.nextGaussian();
            mean[i] = (float) r.nextGaussian();
            var[i] = 0.1f + r.nextFloat() * 3;
        }
        CpuOps.Dims d = new CpuOps.Dims(1, 5, 5, cin);
        Window w = new Window(3, 3, 1, 1, 1, 1, 1, 1);
        float[] conv = new float[25 * cout];
        CpuOps.conv2d(x, 0, d, k, null, w, cout, false, conv, 0);
        float[] reference = new float[25 * cout];
        CpuOps.batchNorm(conv, 0, new CpuOps.Dims(1, 5, 5, cout), beta, mean, var, 1e-3f, reference, 0);

        BnFolding.Folded f = BnFolding.fold(k, cout, beta, mean, var, 1e-3f);
        float[] fused = new float[25 * cout];
        CpuOps.conv2d(x, 0, d, f.kernel(), f.bias(), w, cout, false, fused, 0);
        for (int i = 0; i < fused.length; i++) {
            assertEquals(reference[i], fused[i], 1e-4 * (1 + Math.abs(reference[i])), "element " + i);
        }
    }

    @Test
    void mismatchedChannelsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BnFolding.fold(new float[6], 3, new float[2], new float[2],
                new float[2], 1e-3f));
    }
}
