package dev.inception.image;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Resize against PIL, byte for byte: what Keras's load_img gives at a target size ({@code convert('RGB')} then
 * {@code resize((w, h), NEAREST | BILINEAR)}), recorded by src/test/python/pil_resize_fixtures.py in
 * src/test/resources/pil/resize.json for the example photos and two small fixtures, shrunk, enlarged and lopsided.
 * The sources are decoded by ImageDecoder, which ImageDecoderPilTest checks against PIL's {@code convert('RGB')}.
 * Both routes are compared: decoding then resizing, and decoding straight at the size ({@link ImageDecoder.Size}).
 */
class ResizePilTest {

    @TestFactory
    List<DynamicTest> resizesExactlyAsPil() throws Exception {
        JsonObject index = JsonParser.parseString(Files.readString(Path.of("src/test/resources/pil/resize.json")))
                .getAsJsonObject();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : index.getAsJsonArray("resized")) {
            JsonObject f = e.getAsJsonObject();
            Path source = Path.of(f.get("source").getAsString());
            int width = f.get("width").getAsInt();
            int height = f.get("height").getAsInt();
            Interpolation how = Interpolation.valueOf(f.get("interpolation").getAsString());
            String pil = f.get("sha256").getAsString();
            String name = source.getFileName() + " to " + width + "x" + height + " " + how;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                RgbImage resized = Resize.to(ImageDecoder.read(source), width, height, how);
                assertEquals(pil, sha256(resized), name + ", decoded then resized");
                RgbImage atSize = ImageDecoder.read(source, new ImageDecoder.Size(width, height, how));
                assertEquals(pil, sha256(atSize), name + ", decoded at the size");
            }));
        }
        return tests;
    }

    private static String sha256(RgbImage img) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.pixels()));
    }
}
