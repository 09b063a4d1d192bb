package dev.inception.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * A decoded raster's samples, one row at a time, at rows counted from its first pixel; or only the pixels that
 * nearest resizing keeps ({@link #of(Raster, int[], int[])}). Where the raster is 8 bits per sample,
 * pixel-interleaved in one byte array (what the JDK's PNG and JPEG readers make of 8-bit RGB, RGBA, grey and YCbCr
 * images) the samples are read straight from that array, instead of through the raster's sample model and its
 * checks, for every image a server or {@code predict} decodes ({@code bench --scope decode} times it). Every other
 * raster (16-bit, packed, palette indices of under 8 bits) goes through {@code Raster.getPixels}, a row per call.
 * Rows, not pixels: the decoders convert a row in a loop of their own per colour space, with no call or choice per
 * pixel (a pixel at a time, converting a 640x480 JPEG's samples took as long as libjpeg took to decode them).
 */
abstract class RasterSamples {

    /** The raster's column of each pixel of a row, and its row of each row. */
    final int[] columns;
    final int[] rows;

    RasterSamples(int[] columns, int[] rows) {
        this.columns = columns;
        this.rows = rows;
    }

    /** The number of samples per pixel. */
    abstract int bands();

    /** Pixels per row: the raster's width, or the columns picked. */
    final int width() {
        return columns.length;
    }

    final int height() {
        return rows.length;
    }

    /** Writes row y's samples, pixel after pixel, one per band (width x bands values), into row. */
    abstract void row(int y, int[] row);

    /** Every pixel of the raster. */
    static RasterSamples of(Raster r) {
        return of(r, identity(r.getWidth()), identity(r.getHeight()));
    }

    /**
     * Only the pixels at these columns and rows of the raster (counted from its first pixel), in that order: what
     * nearest resizing keeps of it, since a pixel's RGB depends on its own samples alone.
     */
    static RasterSamples of(Raster r, int[] columns, int[] rows) {
        if (r.getSampleModel() instanceof ComponentSampleModel sm && r.getDataBuffer() instanceof DataBufferByte db
                && db.getNumBanks() == 1 && sm.getDataType() == DataBuffer.TYPE_BYTE
                && java.util.Arrays.stream(sm.getBankIndices()).allMatch(b -> b == 0)) {
            // the first pixel's offset in the array: the buffer's own offset, and the raster's place in its parent
            int first = db.getOffset() + (r.getMinY() - r.getSampleModelTranslateY()) * sm.getScanlineStride()
                    + (r.getMinX() - r.getSampleModelTranslateX()) * sm.getPixelStride();
            return new Interleaved(db.getData(), first, sm.getScanlineStride(), sm.getPixelStride(),
                    sm.getBandOffsets(), columns, rows);
        }
        return new Generic(r, columns, rows);
    }

    private static int[] identity(int n) {
        int[] i = new int[n];
        java.util.Arrays.setAll(i, k -> k);
        return i;
    }

    private static final class Interleaved extends RasterSamples {
        private final byte[] data;
        private final int first;
        private final int scanline;
        private final int pixelStride;
        private final int[] bandOffsets;

        Interleaved(byte[] data, int first, int scanline, int pixelStride, int[] bandOffsets, int[] columns,
                    int[] rows) {
            super(columns, rows);
            this.data = data;
            this.first = first;
            this.scanline = scanline;
            this.pixelStride = pixelStride;
            this.bandOffsets = bandOffsets;
        }

        @Override
        int bands() {
            return bandOffsets.length;
        }

        @Override
        void row(int y, int[] row) {
            int bands = bandOffsets.length;
            int at = first + rows[y] * scanline;
            for (int b = 0; b < bands; b++) {
                int from = at + bandOffsets[b];
                for (int x = 0, i = b; x < columns.length; x++, i += bands) {
                    row[i] = data[from + columns[x] * pixelStride] & 0xff;
                }
            }
        }
    }

    private static final class Generic extends RasterSamples {
        private final Raster raster;
        /** A whole row of the raster, where only some of its columns are asked for. */
        private final int[] whole;

        Generic(Raster raster, int[] columns, int[] rows) {
            super(columns, rows);
            this.raster = raster;
            this.whole = new int[raster.getWidth() * raster.getNumBands()];
        }

        @Override
        int bands() {
            return raster.getNumBands();
        }

        @Override
        void row(int y, int[] row) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + rows[y], raster.getWidth(), 1, whole);
            int bands = raster.getNumBands();
            for (int x = 0; x < columns.length; x++) {
                System.arraycopy(whole, columns[x] * bands, row, x * bands, bands);
            }
        }
    }
}
