package dev.inception.image;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ImageDecoder against PIL, byte for byte: what {@code Image.open(f).convert('RGB')} gives (the first step of
 * Keras's load_img), recorded by src/test/python/pil_fixtures.py in src/test/resources/pil/index.json for JPEGs
 * with 4:2:0, 4:2:2 and 4:4:4 chroma, progressive, greyscale and CMYK, PNGs with 16-bit grey, a palette with
 * transparency, alpha, grey with alpha, and the example photos (rocket.jpg carries an Adobe RGB profile that PIL,
 * and therefore Keras, does not apply).
 */
class ImageDecoderPilTest {

    static final Path DIR = Path.of("src/test/resources/pil");

    /** Each fixture's name and what PIL recorded for it: source path, mode, size, SHA-256 of its RGB bytes. */
    static JsonObject fixtures() throws java.io.IOException {
        return JsonParser.parseString(Files.readString(DIR.resolve("index.json"))).getAsJsonObject()
                .getAsJsonObject("images");
    }

    @TestFactory
    List<DynamicTest> decodesExactlyAsPil() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, com.google.gson.JsonElement> e : fixtures().entrySet()) {
            JsonObject pil = e.getValue().getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(e.getKey() + " (" + pil.get("mode").getAsString() + ")", () -> {
                RgbImage ours = ImageDecoder.read(Path.of(pil.get("source").getAsString()));
                assertEquals(pil.get("width").getAsInt(), ours.width(), "width");
                assertEquals(pil.get("height").getAsInt(), ours.height(), "height");
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ours.pixels()));
                if (!digest.equals(pil.get("sha256").getAsString())) {
                    throw new AssertionError(e.getKey() + ": differs from PIL" + difference(e.getKey(), ours));
                }
            }));
        }
        return tests;
    }

    /**
     * Decoding at a size gives what resizing the decoded image gives, byte for byte, for every kind of image above:
     * with nearest resizing only the pixels kept are converted, which must not change one of them (a pixel's RGB
     * depends on its own samples alone). Sizes down, up, equal and lopsided.
     */
    @TestFactory
    List<DynamicTest> decodingAtASizeIsDecodingThenResizing() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, com.google.gson.JsonElement> e : fixtures().entrySet()) {
            Path source = Path.of(e.getValue().getAsJsonObject().get("source").getAsString());
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                RgbImage full = ImageDecoder.read(source);
                byte[] encoded = Files.readAllBytes(source);
                int[][] sizes = {{299, 299}, {full.width(), full.height()}, {full.width() / 3 + 1, 7},
                        {2 * full.width() + 1, full.height() + 2}};
                for (Interpolation how : Interpolation.values()) {
                    for (int[] wh : sizes) {
                        ImageDecoder.Size size = new ImageDecoder.Size(wh[0], wh[1], how);
                        byte[] expected = Resize.to(full, wh[0], wh[1], how).pixels();
                        String what = e.getKey() + " at " + wh[0] + "x" + wh[1] + " " + how;
                        assertArrayEquals(expected, ImageDecoder.read(source, size).pixels(), what);
                        assertArrayEquals(expected, ImageDecoder.read(encoded, "x", ImageDecoder.MAX_PIXELS, size)
                                .pixels(), what + ", from memory");
                    }
                }
            }));
        }
        return tests;
    }

    /** How many bytes differ and by how much, where the fixture keeps PIL's pixels (small images). */
    static String difference(String name, RgbImage ours) throws Exception {
        Path raw = DIR.resolve(name + ".rgb.gz");
        if (!Files.exists(raw)) {
            return "";
        }
        byte[] pil;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(raw))) {
            pil = in.readAllBytes();
        }
        int differing = 0;
        int worst = 0;
        int first = -1;
        for (int i = 0; i < pil.length; i++) {
            int d = Math.abs((pil[i] & 0xFF) - (ours.pixels()[i] & 0xFF));
            if (d != 0) {
                differing++;
                worst = Math.max(worst, d);
                first = first < 0 ? i : first;
            }
        }
        return ": " + differing + " of " + pil.length + " bytes, by up to " + worst + " (first at byte " + first
                + ": PIL " + (first >= 0 ? pil[first] & 0xFF : -1) + ", ours "
                + (first >= 0 ? ours.pixels()[first] & 0xFF : -1) + ")";
    }
}
