package dev.inception.image;

import dev.inception.io.InputFiles;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Decodes PNG, JPEG, BMP and GIF to the bytes Keras's {@code load_img} sees: PIL's {@code Image.open} then
 * {@code convert('RGB')}, with no colour-profile conversion (PIL ignores embedded ICC profiles). Samples are read
 * from the decoder's raster, never through {@code getRGB}, which would convert profiles and grey gamma: grey is
 * replicated to three channels, alpha is dropped (not composited), palettes are looked up, 16-bit grey is clamped
 * to 255 while 16-bit grey with alpha and 16-bit colour keep their high byte, as PIL does. JPEGs go through
 * {@link JpegSamples} (libjpeg's samples and colour arithmetic). The size is read from the header and checked before any pixel is decoded.
 */
public final class ImageDecoder {

    /** Larger images are refused before decoding: 100 megapixels, about 300 MB as RGB. */
    public static final long MAX_PIXELS = 100_000_000L;

    /**
     * The size an image is wanted at, and how it gets there (Resize.to's arguments): with NEAREST, only the pixels
     * the resizing keeps are converted from the decoder's samples (a pixel's RGB depends on its own samples alone, so
     * the bytes are Resize.to's), and the full-size RGB image is never made.
     */
    public record Size(int width, int height, Interpolation how) {
        public Size {
            if (width < 1 || height < 1) {
                throw new IllegalArgumentException("a size of " + width + "x" + height);
            }
        }
    }

    private ImageDecoder() {
    }

    public static RgbImage read(Path file) throws ImageDecodeException {
        return read(file, null);
    }

    /** {@link #read(Path)} resized to {@code size} as {@code Resize.to} does it; null keeps the decoded size. */
    public static RgbImage read(Path file, Size size) throws ImageDecodeException {
        String problem = InputFiles.problem(file);
        if (problem != null) {
            throw new ImageDecodeException(file + ": " + problem);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, file.toString(), () -> Files.readAllBytes(file), MAX_PIXELS, size);
        } catch (IOException e) {
            throw new ImageDecodeException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Decodes an encoded image held in memory (a request body; the fuzz tests); {@code name} is for messages.
     *
     * @param maxPixels images declaring more pixels in their header are refused before any is decoded: a server
     *                  sets its own limit, since a few hundred bytes of PNG can declare 100 megapixels
     */
    public static RgbImage read(byte[] encoded, String name, long maxPixels) throws ImageDecodeException {
        return read(encoded, name, maxPixels, null);
    }

    /** {@link #read(byte[], String, long)} resized to {@code size} as {@code Resize.to} does it (null: as decoded). */
    public static RgbImage read(byte[] encoded, String name, long maxPixels, Size size) throws ImageDecodeException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            return decode(in, name, () -> encoded, maxPixels, size);
        } catch (IOException e) {
            throw new ImageDecodeException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private interface Bytes {
        byte[] get() throws IOException;
    }

    /**
     * Nearest resizing happens while converting (Resize.to then finds the image at its size and returns it); bilinear
     * filters neighbouring pixels' RGB values, so it needs every pixel converted first.
     */
    private static RgbImage decode(ImageInputStream in, String name, Bytes whole, long maxPixels, Size size)
            throws ImageDecodeException {
        RgbImage img = decodeNearest(in, name, whole, maxPixels, size != null && size.how() == Interpolation.NEAREST
                ? size : null);
        return size == null ? img : Resize.to(img, size.width(), size.height(), size.how());
    }

    /** @param nearest where not null, only the pixels nearest resizing to this size keeps are converted */
    private static RgbImage decodeNearest(ImageInputStream in, String name, Bytes whole, long maxPixels, Size nearest)
            throws ImageDecodeException {
        try {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new ImageDecodeException(name + ": not an image this program can read (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw new ImageDecodeException(String.format(java.util.Locale.ROOT, "%s: %dx%d is %.1f megapixels,"
                            + " over the limit of %.1f; downscale it first", name, w, h, w * h / 1e6, maxPixels / 1e6));
                }
                if (!reader.getFormatName().equalsIgnoreCase("jpeg")) {
                    BufferedImage img = reader.read(0);
                    return toRgb(img, samples(img.getRaster(), nearest));
                }
            } finally {
                reader.dispose();
            }
            // the whole file once: its markers, its end marker, then its samples, all from memory
            byte[] bytes = whole.get();
            JpegMarkers markers = JpegMarkers.read(bytes);
            if (!markers.endsWithEndOfImage(bytes)) {
                throw new ImageDecodeException(name + ": truncated or corrupt image (the file is truncated: no end"
                        + " marker after the image data)");
            }
            try (ImageInputStream memory = new MemoryCacheImageInputStream(
                    new ByteArrayInputStream(markers.withoutIccProfile(bytes)))) {
                return JpegSamples.read(memory, markers, nearest);
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports truncated and corrupt files as IOExceptions and, for some formats, runtime exceptions
            throw new ImageDecodeException(name + ": truncated or corrupt image (" + e.getMessage() + ")", e);
        } catch (LinkageError e) {
            // the JDK's JPEG natives need system libraries (libjpeg.so.62 on Debian's JDK) that another
            // distribution may lack: that fails this image, not the whole command
            throw new ImageDecodeException(name + ": this Java runtime cannot decode the image: a native library"
                    + " failed to load (" + e.getMessage() + "); use the offline bundle's JRE, which carries those"
                    + " libraries, or install the one named", e);
        }
    }

    /** A raster's samples: every pixel, or (nearest not null) those that nearest resizing to that size keeps. */
    static RasterSamples samples(Raster r, Size nearest) {
        return nearest == null ? RasterSamples.of(r) : RasterSamples.of(r,
                Resize.nearestIndices(r.getWidth(), nearest.width()),
                Resize.nearestIndices(r.getHeight(), nearest.height()));
    }

    /** PIL convert('RGB') semantics for any decoded image, from its raster's samples. */
    public static RgbImage toRgb(BufferedImage img) {
        return toRgb(img, RasterSamples.of(img.getRaster()));
    }

    /** {@link #toRgb(BufferedImage)} of the pixels samples picks. */
    private static RgbImage toRgb(BufferedImage img, RasterSamples samples) {
        int w = samples.width();
        int h = samples.height();
        byte[] out = new byte[w * h * 3];
        int bits = img.getRaster().getSampleModel().getSampleSize(0);
        int bands = samples.bands();
        int[] row = new int[w * bands];
        IndexColorModel palette = img.getColorModel() instanceof IndexColorModel icm ? icm : null;
        for (int y = 0; y < h; y++) {
            samples.row(y, row);
            int o = y * w * 3;
            if (palette != null) {
                // P -> RGB looks the index up; transparency is not applied
                for (int x = 0; x < w; x++, o += 3) {
                    int index = row[x * bands];
                    out[o] = (byte) palette.getRed(index);
                    out[o + 1] = (byte) palette.getGreen(index);
                    out[o + 2] = (byte) palette.getBlue(index);
                }
            } else if (bands <= 2) {
                // L, LA; 1-, 2- and 4-bit grey scaled to 0..255 (PIL's L;2, L;4 and mode 1). 16-bit grey is
                // PIL's mode I, whose conversion to RGB clamps at 255; 16-bit grey with alpha PIL reads as
                // its high bytes (LA;16B)
                for (int x = 0; x < w; x++, o += 3) {
                    int s = row[x * bands];
                    int v = bits < 8 ? s * 255 / ((1 << bits) - 1)
                            : bits == 8 ? s : bands == 1 ? Math.min(s, 255) : s >> (bits - 8);
                    out[o] = out[o + 1] = out[o + 2] = (byte) v;
                }
            } else {
                // RGB, RGBA; 16-bit colour is read by PIL as its high byte
                int shift = Math.max(bits - 8, 0);
                for (int i = 0; i < w * bands; i += bands, o += 3) {
                    out[o] = (byte) (row[i] >> shift);
                    out[o + 1] = (byte) (row[i + 1] >> shift);
                    out[o + 2] = (byte) (row[i + 2] >> shift);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
