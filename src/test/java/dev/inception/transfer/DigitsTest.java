package dev.inception.transfer;

import dev.inception.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DigitsTest {

    @TempDir
    Path tmp;

    @Test
    void loadsAllRowsWithTenClasses() throws Exception {
        List<Digits.Digit> d = Digits.load();
        assertEquals(1797, d.size());
        assertEquals(10, d.stream().mapToInt(Digits.Digit::label).distinct().count());
        // first row of the file (see DIGITS-SOURCE.md): label 0, pixel (0, 2) = 5
        assertEquals(0, d.get(0).label());
        assertEquals(5, d.get(0).pixels()[2]);
    }

    @Test
    void renderScalesToByteRangeAndUpscales() throws Exception {
        int[] px = new int[64];
        px[0] = 16;
        px[63] = 8;
        RgbImage img = Digits.render(new Digits.Digit(3, px), 16);
        assertEquals(16, img.width());
        assertEquals(255, img.at(0, 0, 0));
        assertEquals(255, img.at(1, 1, 2));          // each source pixel covers 2x2
        assertEquals(0, img.at(2, 0, 1));
        assertEquals(128, img.at(15, 15, 0));         // 8 * 255 / 16 = 127.5 -> 128
    }

    @Test
    void imageFolderSplitIsDeterministic() throws Exception {
        Digits.writeImageFolder(tmp, 8);
        ImageFolder a = ImageFolder.scan(tmp, 0.2, 1);
        ImageFolder b = ImageFolder.scan(tmp, 0.2, 1);
        ImageFolder c = ImageFolder.scan(tmp, 0.2, 2);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), a.classNames());
        assertEquals(1797, a.samples().size());
        assertEquals(359, a.samples().stream().filter(ImageFolder.Sample::validation).count());
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertTrue(Files.exists(tmp.resolve("0/digit_0000.png")));
    }
}
