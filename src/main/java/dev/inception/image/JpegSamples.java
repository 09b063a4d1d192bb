package dev.inception.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Iterator;

/**
 * JPEG to RGB as PIL does it for Keras's load_img: libjpeg's decoded samples, converted with libjpeg's own integer
 * YCbCr -> RGB tables, and with no colour-profile conversion (PIL ignores an embedded ICC profile; Java's
 * getRGB applies it, which moves an Adobe RGB photo's pixels by up to 55 levels).
 *
 * <p>The samples come from the JDK's own JPEG reader (libjpeg inside) through {@code readRaster}, which performs no
 * colour conversion. Which colour space they are in is decided as libjpeg decides it (jdapimin.c): JFIF means
 * YCbCr; an Adobe APP14 marker's transform says RGB/CMYK (0), YCbCr (1) or YCCK (2); otherwise component ids
 * 'R','G','B' mean RGB. CMYK and YCCK end as PIL makes them: YCCK to CMYK by libjpeg, the Adobe inversion
 * ("CMYK;I"), then PIL's cmyk2rgb.
 */
final class JpegSamples {

    enum ColorSpace { GRAY, RGB, YCBCR, CMYK, YCCK }

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        // jdcolor.c build_ycc_rgb_table: FIX(x) = (int) (x * 2^16 + 0.5), x centred on 128
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private JpegSamples() {
    }

    private static int fix(double x) {
        return (int) (x * (1 << SCALEBITS) + 0.5);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Decodes a JPEG to PIL's convert('RGB') bytes.
     *
     * @param nearest where not null, only the pixels that nearest resizing to this size keeps are converted
     */
    static RgbImage read(ImageInputStream in, JpegMarkers markers, ImageDecoder.Size nearest) throws IOException {
        ImageReader reader = jdkReader();
        java.util.List<String> warnings = new java.util.ArrayList<>();
        // libjpeg fills a cut-off file with grey and only warns; PIL refuses it ("image file is truncated")
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try {
            reader.setInput(in, true, true);
            Raster r = reader.readRaster(0, null);
            for (String w : warnings) {
                if (w.toLowerCase(java.util.Locale.ROOT).contains("premature end")) {
                    throw new IOException("the file is truncated (" + w + ")");
                }
            }
            return toRgb(ImageDecoder.samples(r, nearest), markers.colorSpace(r.getNumBands()), markers.adobe());
        } finally {
            reader.dispose();
        }
    }

    /** The JDK's JPEG reader (libjpeg), not TwelveMonkeys': only it hands out unconverted samples for every kind. */
    private static ImageReader jdkReader() throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.")) {
                return r;
            }
        }
        throw new IOException("this Java runtime has no JPEG reader of its own (module java.desktop)");
    }

    static RgbImage toRgb(RasterSamples samples, ColorSpace cs, boolean adobe) {
        int w = samples.width();
        int h = samples.height();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * samples.bands()];
        for (int y = 0; y < h; y++) {
            samples.row(y, row);
            int o = y * w * 3;
            switch (cs) {
                case GRAY -> {
                    for (int x = 0; x < w; x++, o += 3) {
                        out[o] = out[o + 1] = out[o + 2] = (byte) row[x];
                    }
                }
                case RGB -> {
                    for (int i = 0; i < w * 3; i++) {
                        out[o + i] = (byte) row[i];
                    }
                }
                case YCBCR -> {
                    for (int i = 0; i < w * 3; i += 3) {
                        ycc(row[i], row[i + 1], row[i + 2], out, o + i);
                    }
                }
                case CMYK, YCCK -> {
                    for (int i = 0; i < w * 4; i += 4, o += 3) {
                        cmyk(row[i], row[i + 1], row[i + 2], row[i + 3], cs == ColorSpace.YCCK, adobe, out, o);
                    }
                }
                default -> throw new IllegalStateException(cs.toString());
            }
        }
        return new RgbImage(w, h, out);
    }

    /** A CMYK or YCCK pixel as PIL makes it RGB. */
    private static void cmyk(int s0, int s1, int s2, int s3, boolean ycck, boolean adobe, byte[] out, int o) {
        int c = s0, m = s1, ye = s2, k = s3;
        if (ycck) {
            // jdcolor.c ycck_cmyk_convert: YCC -> RGB, then inverted; K passes through
            c = 255 - clamp(s0 + CR_R[s2]);
            m = 255 - clamp(s0 + ((CB_G[s1] + CR_G[s2]) >> SCALEBITS));
            ye = 255 - clamp(s0 + CB_B[s1]);
        }
        if (adobe) {
            // PIL reads Adobe CMYK as "CMYK;I": inverted
            c = 255 - c;
            m = 255 - m;
            ye = 255 - ye;
            k = 255 - k;
        }
        // PIL's cmyk2rgb: nk = 255 - k; out = nk - c * nk / 255, rounded as MULDIV255
        int nk = 255 - k;
        out[o] = (byte) clamp(nk - mulDiv255(c, nk));
        out[o + 1] = (byte) clamp(nk - mulDiv255(m, nk));
        out[o + 2] = (byte) clamp(nk - mulDiv255(ye, nk));
    }

    private static void ycc(int y, int cb, int cr, byte[] out, int o) {
        out[o] = (byte) clamp(y + CR_R[cr]);
        out[o + 1] = (byte) clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
        out[o + 2] = (byte) clamp(y + CB_B[cb]);
    }

    /** PIL's MULDIV255: (a * b + 128) folded to a division by 255 that rounds like PIL. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }
}
