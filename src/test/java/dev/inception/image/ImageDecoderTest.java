package dev.inception.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {

    @TempDir
    Path tmp;

    @Test
    void greyIsReplicatedWithoutColourConversion() {
        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(0, 0, 0, 100);
        g.getRaster().setSample(1, 0, 0, 200);
        RgbImage rgb = ImageDecoder.toRgb(g);
        // PIL: L -> RGB copies the value; Java's getRGB would gamma-convert 100 to about 167
        assertArrayEquals(new byte[] {100, 100, 100, (byte) 200, (byte) 200, (byte) 200}, rgb.pixels());
    }

    @Test
    void paletteIsLookedUp() {
        IndexColorModel palette = new IndexColorModel(2, 2, new byte[] {10, 20}, new byte[] {30, 40},
                new byte[] {50, 60});
        BufferedImage p = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        p.getRaster().setSample(1, 0, 0, 1);
        assertArrayEquals(new byte[] {10, 30, 50, 20, 40, 60}, ImageDecoder.toRgb(p).pixels());
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage a = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        a.setRGB(0, 0, 0x00_ff_80_40);   // fully transparent orange: PIL keeps the colour
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0x80, 0x40}, ImageDecoder.toRgb(a).pixels());
    }

    @Test
    void pngRoundTripThroughImageIo() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x123456);
        Path f = tmp.resolve("x.png");
        ImageIO.write(img, "png", f.toFile());
        RgbImage rgb = ImageDecoder.read(f);
        assertEquals(3, rgb.width());
        assertEquals(2, rgb.height());
        assertEquals(0x12, rgb.at(2, 1, 0));
        assertEquals(0x56, rgb.at(2, 1, 2));
    }

    @Test
    void theExamplePhotosDecode() throws Exception {
        RgbImage cat = ImageDecoder.read(Path.of("examples/chelsea.png"));
        assertEquals(451, cat.width());
        assertEquals(300, cat.height());
        RgbImage rocket = ImageDecoder.read(Path.of("examples/rocket.jpg"));
        assertTrue(rocket.width() > 100 && rocket.height() > 100);
    }

    @Test
    void truncatedPngIsAnError() throws Exception {
        byte[] png = Files.readAllBytes(Path.of("examples/chelsea.png"));
        Path f = tmp.resolve("truncated.png");
        Files.write(f, Arrays.copyOf(png, png.length / 3));
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
    }

    @Test
    void nonImageAndMissingFiles() throws Exception {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "hello");
        assertTrue(assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(text)).getMessage()
                .contains("not an image"));
        assertTrue(assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(tmp.resolve("none.jpg")))
                .getMessage().contains("no such file"));
    }

    @Test
    void absurdSizeIsRefusedFromTheHeader() throws Exception {
        // a PNG whose IHDR claims 20000 x 20000 (400 megapixels) and which has no pixel data at all
        Path f = tmp.resolve("huge.png");
        Files.write(f, pngHeaderOnly(20000, 20000));
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().contains("400.0 megapixels"), e.getMessage());
    }

    /** PIL refuses a JPEG cut short ("image file is truncated"); libjpeg would fill the rest with grey. */
    @Test
    void aTruncatedJpegIsCorruptNotClassified() throws Exception {
        byte[] whole = Files.readAllBytes(Path.of("examples/rocket.jpg"));
        for (int keep : new int[] {whole.length / 2, whole.length - 2}) {
            Path f = tmp.resolve("cut" + keep + ".jpg");
            Files.write(f, Arrays.copyOf(whole, keep));
            ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(f), "kept " + keep);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        // the whole file, and the whole file with bytes after its end marker, still decode
        Path extra = tmp.resolve("extra.jpg");
        byte[] padded = Arrays.copyOf(whole, whole.length + 16);
        Files.write(extra, padded);
        assertEquals(640, ImageDecoder.read(extra).width());
    }

    /**
     * An embedded ICC profile changes no decoded byte (PIL ignores it; the decoder drops its segments before the
     * JDK's reader sees them, which would build a colour transform from it): sRGB's profile, in two APP2 segments
     * (as large profiles are split), the second after fill bytes, put into a JFIF file that had none; and the
     * segments found are exactly those put in.
     */
    @Test
    void anIccProfileChangesNoByteAndItsSegmentsAreDropped() throws Exception {
        byte[] plain = Files.readAllBytes(Path.of("src/test/resources/pil/baseline-420.jpg"));
        byte[] profile = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_sRGB).getData();
        int half = profile.length / 2;
        ByteArrayOutputStream tagged = new ByteArrayOutputStream();
        tagged.write(plain, 0, 2);                                      // SOI
        tagged.write(iccSegment(Arrays.copyOfRange(profile, 0, half), 1, 2));
        tagged.write(new byte[] {(byte) 0xFF, (byte) 0xFF});            // fill bytes before the next marker
        tagged.write(iccSegment(Arrays.copyOfRange(profile, half, profile.length), 2, 2));
        tagged.write(plain, 2, plain.length - 2);
        byte[] withProfile = tagged.toByteArray();

        JpegMarkers markers = JpegMarkers.read(withProfile);
        assertEquals(2, markers.iccSegments().size());
        // dropping them leaves the original file and the two fill bytes, which JPEG readers skip
        byte[] dropped = markers.withoutIccProfile(withProfile);
        assertEquals(plain.length + 2, dropped.length);
        assertArrayEquals(Arrays.copyOfRange(plain, 2, plain.length), Arrays.copyOfRange(dropped, 4, dropped.length));
        assertArrayEquals(plain, JpegMarkers.read(plain).withoutIccProfile(plain), "a file without a profile");

        RgbImage expected = ImageDecoder.read(plain, "plain", ImageDecoder.MAX_PIXELS);
        assertArrayEquals(expected.pixels(), ImageDecoder.read(withProfile, "tagged", ImageDecoder.MAX_PIXELS).pixels());
    }

    /** An APP2 "ICC_PROFILE" segment: the marker, its length, the name, this part's number and the part count. */
    private static byte[] iccSegment(byte[] part, int number, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = 2 + 12 + 2 + part.length;
        out.write(0xFF);
        out.write(0xE2);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes("ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII));
        out.write(number);
        out.write(count);
        out.writeBytes(part);
        return out.toByteArray();
    }

    static byte[] pngHeaderOnly(int w, int h) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.write("IHDR".getBytes(StandardCharsets.US_ASCII));
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 2, 0, 0, 0});   // 8-bit RGB
        byte[] chunk = ihdr.toByteArray();
        out.writeInt(chunk.length - 4);
        out.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }
}
