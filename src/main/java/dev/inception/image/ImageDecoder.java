package dev.inception.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Decodes PNG, JPEG, BMP and GIF with ImageIO (plus TwelveMonkeys for the JPEGs plain ImageIO refuses) and converts
 * to RGB as PIL's {@code convert('RGB')} does: grey is replicated to three channels, alpha is dropped (not
 * composited), palettes are looked up. The size is read from the header and checked before any pixel is decoded.
 */
public final class ImageDecoder {

    /** Larger images are refused before decoding: 100 megapixels, about 300 MB as RGB. */
    public static final long MAX_PIXELS = 100_000_000L;

    private ImageDecoder() {
    }

    public static RgbImage read(Path file) throws ImageDecodeException {
        if (!Files.isRegularFile(file)) {
            throw new ImageDecodeException(file + ": no such file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new ImageDecodeException(file + ": not an image this program can read (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h > MAX_PIXELS) {
                    throw new ImageDecodeException(file + ": " + w + "x" + h + " is " + (w * h / 1_000_000)
                            + " megapixels, over the limit of " + MAX_PIXELS / 1_000_000 + "; downscale it first");
                }
                return toRgb(reader.read(0));
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports truncated and corrupt files as IOExceptions and, for some formats, runtime exceptions
            throw new ImageDecodeException(file + ": truncated or corrupt image (" + e.getMessage() + ")", e);
        } catch (LinkageError e) {
            // the JDK's JPEG and colour natives need system libraries (libjpeg.so.62, liblcms2.so.2 on Debian's
            // JDK) that another distribution may lack: that fails this image, not the whole command
            throw new ImageDecodeException(file + ": this Java runtime cannot decode the image: a native library"
                    + " failed to load (" + e.getMessage() + "); use the offline bundle's JRE, which carries those"
                    + " libraries, or install the one named", e);
        }
    }

    /** PIL convert('RGB') semantics for any BufferedImage. */
    public static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = img.getRaster();
        boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(img.getColorModel() instanceof IndexColorModel);
        if (grey) {
            // read samples directly: getRGB would apply a linear-to-sRGB conversion to grey images, which PIL does not
            int bits = img.getColorModel().getComponentSize(0);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = raster.getSample(x, y, 0);
                    v = bits > 8 ? v >> (bits - 8) : v;
                    int o = (y * w + x) * 3;
                    out[o] = out[o + 1] = out[o + 2] = (byte) v;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) (row[x] >> 16);
                    out[o + 1] = (byte) (row[x] >> 8);
                    out[o + 2] = (byte) row[x];
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
