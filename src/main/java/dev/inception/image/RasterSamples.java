package dev.inception.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * A decoded raster's samples, one pixel at a time, at coordinates counted from its first pixel. Where the raster is
 * 8 bits per sample, pixel-interleaved in one byte array (what the JDK's PNG and JPEG readers make of 8-bit RGB,
 * RGBA, grey and YCbCr images) the samples are read straight from that array, instead of through
 * {@code Raster.getPixel}, which goes through the sample model and its checks for every pixel of every image a server
 * or {@code predict} decodes ({@code bench --scope decode} times it). Every other raster (16-bit, packed, palette
 * indices of under 8 bits) still goes through {@code getPixel}.
 */
abstract class RasterSamples {

    /** Writes the samples of pixel (x, y), one per band, into px. */
    abstract void pixel(int x, int y, int[] px);

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
        void pixel(int x, int y, int[] px) {
            int at = first + y * scanline + x * pixelStride;
            for (int b = 0; b < bandOffsets.length; b++) {
                px[b] = data[at + bandOffsets[b]] & 0xff;
            }
        }
    }

    private static final class Generic extends RasterSamples {
        private final Raster raster;

        Generic(Raster raster) {
            this.raster = raster;
        }

        @Override
        void pixel(int x, int y, int[] px) {
            raster.getPixel(raster.getMinX() + x, raster.getMinY() + y, px);
        }
    }
}
