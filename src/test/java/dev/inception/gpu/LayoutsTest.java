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

    /**
     * kh 2, kw 3, cin 2, cout 3, each Keras element coded as 1000 r + 100 s + 10 ci + co. The cuDNN layouts are
     * defined by their loop order (outermost first): KRSC = co, r, s, ci (NHWC filters); KCRS = co, ci, r, s (NCHW).
     */
    @Test
    void filterLayoutsWithRectangularKernelsAndSeveralChannels() {
        int kh = 2, kw = 3, cin = 2, cout = 3;
        float[] keras = new float[kh * kw * cin * cout];
        int i = 0;
        for (int r = 0; r < kh; r++) {
            for (int s = 0; s < kw; s++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int co = 0; co < cout; co++) {
                        keras[i++] = 1000 * r + 100 * s + 10 * ci + co;
                    }
                }
            }
        }
        float[] krsc = new float[keras.length];
        float[] kcrs = new float[keras.length];
        int a = 0, b = 0;
        for (int co = 0; co < cout; co++) {
            for (int r = 0; r < kh; r++) {
                for (int s = 0; s < kw; s++) {
                    for (int ci = 0; ci < cin; ci++) {
                        krsc[a++] = 1000 * r + 100 * s + 10 * ci + co;
                    }
                }
            }
            for (int ci = 0; ci < cin; ci++) {
                for (int r = 0; r < kh; r++) {
                    for (int s = 0; s < kw; s++) {
                        kcrs[b++] = 1000 * r + 100 * s + 10 * ci + co;
                    }
                }
            }
        }
        assertArrayEquals(krsc, Layouts.kerasKernelToKrsc(keras, kh, kw, cin, cout));
        assertArrayEquals(kcrs, Layouts.kerasKernelToKcrs(keras, kh, kw, cin, cout));
        // first elements by hand: KRSC starts (co0 r0 s0 ci0) = 0, (co0 r0 s0 ci1) = 10, (co0 r0 s1 ci0) = 100
        assertArrayEquals(new float[] {0, 10, 100, 110, 200}, java.util.Arrays.copyOf(krsc, 5));
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
