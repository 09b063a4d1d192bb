package dev.inception.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PIL's pixel mapping, computed by hand (see the comments). */
class ResizeTest {

    /** A 1-row image whose R = G = B = the given values. */
    private static RgbImage row(int... v) {
        byte[] p = new byte[v.length * 3];
        for (int i = 0; i < v.length; i++) {
            p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = (byte) v[i];
        }
        return new RgbImage(v.length, 1, p);
    }

    private static int[] red(RgbImage img) {
        int[] r = new int[img.width() * img.height()];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                r[y * img.width() + x] = img.at(x, y, 0);
            }
        }
        return r;
    }

    @Test
    void nearestDownscaleUsesPixelCentres() {
        // 4 -> 3: scale 4/3, centres 0.667, 2.0, 3.333 -> floor -> 0, 2, 3
        assertArrayEquals(new int[] {0, 2, 3}, Resize.nearestIndices(4, 3));
        // 299 -> 299 is the identity; 600 -> 299: first source 1 (0.5 * 600/299 = 1.003)
        assertEquals(1, Resize.nearestIndices(600, 299)[0]);
    }

    @Test
    void nearestUpscale() {
        // 3 -> 5: scale 0.6, centres 0.3, 0.9, 1.5, 2.1, 2.7 -> 0, 0, 1, 2, 2
        assertArrayEquals(new int[] {0, 0, 1, 2, 2}, Resize.nearestIndices(3, 5));
        assertArrayEquals(new int[] {10, 10, 20, 30, 30}, red(Resize.nearest(row(10, 20, 30), 5, 1)));
    }

    /**
     * Whole images, down, up and mixed: every output pixel is the input pixel at (xs[x], ys[y]), the indices checked
     * by hand above, read one by one (the resize itself copies rows and repeats them when upscaling).
     */
    @Test
    void nearestTakesEachPixelFromItsIndices() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        byte[] px = new byte[64 * 48 * 3];
        r.nextBytes(px);
        RgbImage img = new RgbImage(64, 48, px);
        int[][] sizes = {{29, 29}, {150, 101}, {30, 97}, {64, 20}, {1, 1}};
        for (int[] size : sizes) {
            int[] xs = Resize.nearestIndices(64, size[0]);
            int[] ys = Resize.nearestIndices(48, size[1]);
            RgbImage out = Resize.nearest(img, size[0], size[1]);
            byte[] packed = new byte[5 + size[0] * size[1] * 3];
            Resize.into(img, size[0], size[1], Interpolation.NEAREST, packed, 5);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(img.at(xs[x], ys[y], c), out.at(x, y, c), size[0] + "x" + size[1]);
                        assertEquals(img.at(xs[x], ys[y], c), packed[5 + (y * size[0] + x) * 3 + c] & 0xff);
                    }
                }
            }
        }
    }

    @Test
    void bilinearUpscaleInterpolates() {
        // 2 -> 4: centres 0.25, 0.75, 1.25, 1.75; the triangle weights give in0, .75 in0 + .25 in1, .25/.75, in1
        assertArrayEquals(new int[] {0, 25, 75, 100}, red(Resize.bilinear(row(0, 100), 4, 1)));
    }

    @Test
    void bilinearDownscaleWidensTheFilter() {
        // 4 -> 2: support 2; output 0 centre 1 covers inputs 0..2 with weights .75, .75, .25 (sum 1.75):
        // (0*3 + 70*3 + 140*1) / 7 = 50; output 1 centre 3 covers 1..3 with .25, .75, .75: (70 + 140*3 + 210*3) / 7 = 160
        assertArrayEquals(new int[] {50, 160}, red(Resize.bilinear(row(0, 70, 140, 210), 2, 1)));
    }

    @Test
    void bilinearVerticalPassMatchesHorizontal() {
        RgbImage column = new RgbImage(1, 4, row(0, 70, 140, 210).pixels());
        assertArrayEquals(new int[] {50, 160}, red(Resize.bilinear(column, 1, 2)));
    }

    @Test
    void sameSizeIsUntouched() {
        RgbImage img = row(1, 2, 3);
        assertEquals(img, Resize.to(img, 3, 1, Interpolation.BILINEAR));
    }
}
