package dev.inception.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeAheadTest {

    @TempDir
    Path tmp;

    /** Images whose width encodes their index, one unreadable file among them. */
    List<Path> files(int n, int broken) throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = tmp.resolve("img" + i + ".png");
            if (i == broken) {
                Files.writeString(p, "not an image");
            } else {
                ImageIO.write(new BufferedImage(i + 1, 3, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
            }
            files.add(p);
        }
        return files;
    }

    /** In order however many threads decode (a GPU host's default is every core but one). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 8})
    void batchesComeBackInOrderWithErrorsPerImage(int threads) throws Exception {
        List<Path> files = files(11, 4);
        List<Integer> sizes = new ArrayList<>();
        List<Path> order = new ArrayList<>();
        try (DecodeAhead<Path> ahead = new DecodeAhead<>(files, p -> p, 3, ImageDecoder::read, threads)) {
            while (ahead.hasNext()) {
                List<DecodeAhead.Item<Path>> batch = ahead.next();
                sizes.add(batch.size());
                for (DecodeAhead.Item<Path> item : batch) {
                    order.add(item.source());
                    int index = files.indexOf(item.source());
                    if (index == 4) {
                        assertNull(item.image());
                        assertTrue(item.error().getMessage().contains("img4.png"), item.error().getMessage());
                    } else {
                        assertNull(item.error());
                        assertEquals(index + 1, item.image().width(), "the image decoded from its own file");
                    }
                }
            }
            assertFalse(ahead.hasNext());
        }
        assertEquals(List.of(3, 3, 3, 2), sizes);
        assertEquals(files, order);
    }

    @Test
    void nothingToDecodeIsAnEmptyIterator() {
        try (DecodeAhead<Path> ahead = new DecodeAhead<>(List.of(), p -> p, 4, ImageDecoder::read, 1, 2)) {
            assertFalse(ahead.hasNext());
        }
    }

    @Test
    void workersResizeToTheInputSoTheQueueHoldsSmallImages() throws Exception {
        List<Path> files = files(4, -1);
        try (DecodeAhead<Path> ahead = new DecodeAhead<>(files, p -> p, 4,
                DecodeAhead.resizingTo(2, 3, Interpolation.BILINEAR))) {
            List<DecodeAhead.Item<Path>> batch = ahead.next();
            for (DecodeAhead.Item<Path> item : batch) {
                RgbImage full = ImageDecoder.read(item.source());
                RgbImage expected = Resize.to(full, 3, 2, Interpolation.BILINEAR);
                assertEquals(3, item.image().width());
                assertEquals(2, item.image().height());
                assertArrayEquals(expected.pixels(), item.image().pixels(), item.source().toString());
            }
        }
    }

    @Test
    void anImageTheHeapCannotHoldFailsAloneWithTheFix() throws Exception {
        List<Path> files = files(3, -1);
        DecodeAhead.Reader secondTooLarge = file -> {
            RgbImage img = ImageDecoder.read(file);
            if (img.width() == 2) {
                throw new OutOfMemoryError("Java heap space");
            }
            return img;
        };
        try (DecodeAhead<Path> ahead = new DecodeAhead<>(files, p -> p, 3, secondTooLarge)) {
            List<DecodeAhead.Item<Path>> batch = ahead.next();
            assertNull(batch.get(0).error());
            assertNull(batch.get(2).error());
            String m = batch.get(1).error().getMessage();
            assertTrue(m.startsWith(files.get(1) + ": too large to decode") && m.contains("--batch")
                    && m.contains("shared by 2 decoding threads") && m.contains("--decode-threads")
                    && m.contains("INCEPTION_JAVA_OPTS=-Xmx"), m);
        }
    }

    @Test
    void theGpuDecodesOnEveryCoreButOneAndTheCpuBackendsOnTwo() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(2, DecodeAhead.threadsFor("cpu"));
        assertEquals(2, DecodeAhead.threadsFor("reference"));
        assertEquals(Math.max(2, cores - 1), DecodeAhead.threadsFor("gpu"));
    }
}
