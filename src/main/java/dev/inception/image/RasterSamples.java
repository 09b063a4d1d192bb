package dev.inception.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * A decoded raster's samples, one row at a time, at rows counted from its first pixel. Where the raster is 8 bits per
 * sample, pixel-interleaved in one byte array (what the JDK's PNG and JPEG readers make of 8-bit RGB, RGBA, grey and
 * YCbCr images) the samples are read straight from that array, instead of through the raster's sample model and its
 * checks, for every image a server or {@code predict} decodes ({@code bench --scope decode} times it). Every other
 * raster (16-bit, packed, palette indices of under 8 bits) goes through {@code Raster.getPixels}, a row per call.
 * Rows, not pixels: the decoders convert a row in a loop of their own per colour space, with no call or choice per
 * pixel (a pixel at a time, converting a 640x480 JPEG's samples took as long as libjpeg took to decode them).
 */
abstract class RasterSamples {

    /** The number of samples per pixel. */
    abstract int bands();

    /** Writes row y's samples, pixel after pixel, one per band (width x bands values), into row. */
    abstract void row(int y, int[] row);

    static RasterSamples of(Raster r) {
        if (r.getSampleModel() instanceof ComponentSampleModel sm && r.getDataBuffer() instanceof DataBufferByte db
                && db.getNumBanks() == 1 && sm.getDataType() == DataBuffer.TYPE_BYTE
                && java.util.Arrays.stream(sm.getBankIndices()).allMatch(b -> b == 0)) {
            // the first pixel's offset in the array: the buffer's own offset, and the raster's place in its parent
            int first = db.getOffset() + (r.getMinY() - r.getSampleModelTranslateY()) * sm.getScanlineStride()
                    + (r.getMinX() - r.getSampleModelTranslateX()) * sm.getPixelStride();
            return new Interleaved(db.getData(), first, sm.getScanlineStride(), sm.getPixelStride(),
                    sm.getBandOffsets());
        }
        return new Generic(r);
    }

    private static final class Interleaved extends RasterSamples {
        private final byte[] data;
        private final int first;
        private final int scanline;
        private final int pixelStride;
        private final int[] bandOffsets;

        Interleaved(byte[] data, int first, int scanline, int pixelStride, int[] bandOffsets) {
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
            int at = first + y * scanline;
            for (int b = 0; b < bands; b++) {
                int from = at + bandOffsets[b];
                for (int i = b; i < row.length; i += bands, from += pixelStride) {
                    row[i] = data[from] & 0xff;
                }
            }
        }
    }

    private static final class Generic extends RasterSamples {
        private final Raster raster;

        Generic(Raster raster) {
            this.raster = raster;
        }

        @Override
        int bands() {
            return raster.getNumBands();
        }

        @Override
        void row(int y, int[] row) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, raster.getWidth(), 1, row);
        }
    }
}
