package dev.inception.image;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** RasterSamples' rows against the JDK's own Raster.getPixel, pixel by pixel, for every kind of raster it reads. */
class RasterSamplesTest {

    /** A w x h image of the type with random samples in every band. */
    static BufferedImage random(int type, int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, type);
        WritableRaster r = img.getRaster();
        SplittableRandom rnd = new SplittableRandom(seed);
        int max = (1 << r.getSampleModel().getSampleSize(0)) - 1;
        int[] px = new int[r.getNumBands()];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < px.length; b++) {
                    px[b] = rnd.nextInt(max + 1);
                }
                r.setPixel(x, y, px);
            }
        }
        return img;
    }

    /** Every row holds each pixel's samples as getPixel gives them, at rows counted from the raster's first pixel. */
    static void assertSameAsGetPixel(Raster r, String what) {
        RasterSamples samples = RasterSamples.of(r);
        int bands = r.getNumBands();
        assertEquals(bands, samples.bands(), what);
        int[] row = new int[r.getWidth() * bands];
        int[] jdk = new int[bands];
        for (int y = 0; y < r.getHeight(); y++) {
            java.util.Arrays.fill(row, -1);
            samples.row(y, row);
            for (int x = 0; x < r.getWidth(); x++) {
                r.getPixel(r.getMinX() + x, r.getMinY() + y, jdk);
                int px = x;
                int py = y;
                assertArrayEquals(jdk, java.util.Arrays.copyOfRange(row, x * bands, (x + 1) * bands),
                        () -> what + " at " + px + "," + py);
            }
        }
    }

    @Test
    void interleavedBytesReadAsGetPixelReadsThem() {
        // BGR and ABGR: band offsets that are not 0, 1, 2; grey: one band; odd sizes, so rows are not round numbers
        assertReadBy("Interleaved", 37, 23, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
                BufferedImage.TYPE_BYTE_GRAY);
    }

    /** A child raster starts inside its parent's array, at another origin: the offset arithmetic must follow. */
    @Test
    void aChildRasterIsReadFromItsOwnFirstPixel() {
        WritableRaster parent = random(BufferedImage.TYPE_3BYTE_BGR, 40, 30, 9).getRaster();
        Raster child = parent.createChild(5, 7, 20, 11, 100, 200, null);
        assertEquals(100, child.getMinX());
        assertSameAsGetPixel(child, "child at 5,7 placed at 100,200");
        Raster bands = parent.createChild(3, 2, 10, 10, 3, 2, new int[] {2, 0});
        assertSameAsGetPixel(bands, "child with two of three bands");
    }

    /** 16-bit samples and packed pixels are left to getPixel. */
    @Test
    void otherRastersGoThroughGetPixel() {
        assertReadBy("Generic", 13, 9, BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_INT_RGB,
                BufferedImage.TYPE_BYTE_BINARY);
    }

    /** A random w x h image of each type is read by the named reader, pixel for pixel as getPixel reads it. */
    static void assertReadBy(String reader, int w, int h, int... types) {
        for (int type : types) {
            BufferedImage img = random(type, w, h, type);
            assertEquals(reader, RasterSamples.of(img.getRaster()).getClass().getSimpleName(), "type " + type);
            assertSameAsGetPixel(img.getRaster(), "type " + type);
        }
    }

    /**
     * Picked columns and rows (what nearest resizing keeps: repeated, skipped, out of order) read the samples getPixel
     * gives at those coordinates, from both readers.
     */
    @Test
    void pickedColumnsAndRowsReadThosePixels() {
        int[] columns = {0, 0, 5, 2, 36, 17};
        int[] rows = {22, 3, 3, 0};
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_BYTE_GRAY,
                BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_INT_RGB}) {
            Raster r = random(type, 37, 23, type).getRaster();
            RasterSamples picked = RasterSamples.of(r, columns, rows);
            assertEquals(columns.length, picked.width());
            assertEquals(rows.length, picked.height());
            int bands = r.getNumBands();
            int[] row = new int[columns.length * bands];
            int[] jdk = new int[bands];
            for (int y = 0; y < rows.length; y++) {
                picked.row(y, row);
                for (int x = 0; x < columns.length; x++) {
                    r.getPixel(columns[x], rows[y], jdk);
                    assertArrayEquals(jdk, java.util.Arrays.copyOfRange(row, x * bands, (x + 1) * bands),
                            "type " + type + " at " + x + "," + y);
                }
            }
        }
    }
}
