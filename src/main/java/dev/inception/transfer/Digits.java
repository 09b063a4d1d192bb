package dev.inception.transfer;

import dev.inception.image.Resize;
import dev.inception.image.RgbImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The UCI handwritten digits (1797 images of 8x8, values 0..16; see DIGITS-SOURCE.md), rendered as an image folder:
 * grey scaled to 0..255, replicated to RGB, upscaled with nearest neighbour.
 */
public final class Digits {

    public record Digit(int label, int[] pixels) {
    }

    private Digits() {
    }

    public static List<Digit> load() throws IOException {
        try (InputStream raw = Digits.class.getResourceAsStream("digits.csv.gz")) {
            if (raw == null) {
                throw new IOException("digits.csv.gz is missing from the jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII));
            List<Digit> out = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",");
                if (f.length != 65) {
                    throw new IOException("digits.csv.gz: row " + (out.size() + 1) + " has " + f.length + " fields, expected 65");
                }
                int[] px = new int[64];
                for (int i = 0; i < 64; i++) {
                    px[i] = Integer.parseInt(f[i].trim());
                }
                out.add(new Digit(Integer.parseInt(f[64].trim()), px));
            }
            return out;
        }
    }

    /** One digit as an RGB image of size x size. */
    public static RgbImage render(Digit d, int size) {
        byte[] rgb = new byte[8 * 8 * 3];
        for (int i = 0; i < 64; i++) {
            byte v = (byte) Math.round(d.pixels()[i] * 255 / 16.0);
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v;
        }
        return Resize.nearest(new RgbImage(8, 8, rgb), size, size);
    }

    /** Writes DIR/&lt;label&gt;/digit_NNNN.png for every digit; returns how many were written. */
    public static int writeImageFolder(Path dir, int size) throws IOException {
        List<Digit> digits = load();
        for (int i = 0; i < digits.size(); i++) {
            Digit d = digits.get(i);
            Path classDir = Files.createDirectories(dir.resolve(Integer.toString(d.label())));
            ImageIO.write(toBufferedImage(render(d, size)), "png",
                    classDir.resolve(String.format("digit_%04d.png", i)).toFile());
        }
        return digits.size();
    }

    static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                b.setRGB(x, y, img.at(x, y, 0) << 16 | img.at(x, y, 1) << 8 | img.at(x, y, 2));
            }
        }
        return b;
    }
}
