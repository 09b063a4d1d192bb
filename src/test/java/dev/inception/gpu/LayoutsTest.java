package dev.inception.gpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class LayoutsTest {

    @Test
    void nhwcToNchwByHand() {
        // 1 image, 1x2 pixels, 3 channels: NHWC = p0(a0 a1 a2) p1(b0 b1 b2) -> NCHW = (a0 b0)(a1 b1)(a2 b2)
        float[] nhwc = {1, 2, 3, 10, 20, 30};
        assertArrayEquals(new float[] {1, 10, 2, 20, 3, 30}, Layouts.nhwcToNchw(nhwc, 1, 1, 2, 3));
        assertArrayEquals(nhwc, Layouts.nchwToNhwc(Layouts.nhwcToNchw(nhwc, 1, 1, 2, 3), 1, 3, 1, 2));
    }

    @Test
    void kerasKernelToCudnnFilters() {
        // kh=1, kw=2, cin=1, cout=2: Keras k[s][co] = {{1, 2}, {3, 4}} (s = kernel column)
        float[] keras = {1, 2, 3, 4};
        // KCRS: co0 -> (s0, s1) = 1, 3 ; co1 -> 2, 4
        assertArrayEquals(new float[] {1, 3, 2, 4}, Layouts.kerasKernelToKcrs(keras, 1, 2, 1, 2));
        // KRSC with cin = 1 is the same order
        assertArrayEquals(new float[] {1, 3, 2, 4}, Layouts.kerasKernelToKrsc(keras, 1, 2, 1, 2));
        // cin=2, 1x1, cout=2: Keras k[ci][co] = {{1, 2}, {3, 4}} -> KCRS k[co][ci] = {{1, 3}, {2, 4}}
        assertArrayEquals(new float[] {1, 3, 2, 4}, Layouts.kerasKernelToKcrs(keras, 1, 1, 2, 2));
    }
}
