package dev.inception.image;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JRE whose JPEG natives cannot load (Debian's JDK on Ubuntu without libjpeg.so.62): the reader throws
 * UnsatisfiedLinkError. Stood in for by a reader registered for a made-up format that does exactly that; the
 * decoder must turn it into a per-image error naming the cause and the fix, not let it end the program.
 */
class MissingNativeDecoderTest {

    static final byte[] MAGIC = {'N', 'O', 'L', 'I', 'B'};

    /** Claims files that start with MAGIC, then fails the way a reader with a missing native library does. */
    static final class BrokenSpi extends ImageReaderSpi {
        BrokenSpi() {
            super("test", "1", new String[] {"nolib"}, new String[] {"nolib"}, new String[] {"image/x-nolib"},
                    BrokenReader.class.getName(), new Class<?>[] {ImageInputStream.class}, null, false, null, null,
                    null, null, false, null, null, null, null);
        }

        @Override
        public boolean canDecodeInput(Object source) throws java.io.IOException {
            ImageInputStream in = (ImageInputStream) source;
            byte[] head = new byte[MAGIC.length];
            in.mark();
            try {
                in.readFully(head);
            } catch (java.io.EOFException e) {
                return false;
            } finally {
                in.reset();
            }
            return java.util.Arrays.equals(head, MAGIC);
        }

        @Override
        public ImageReader createReaderInstance(Object extension) {
            return new BrokenReader(this);
        }

        @Override
        public String getDescription(Locale locale) {
            return "a reader whose native library is missing";
        }
    }

    static final class BrokenReader extends ImageReader {
        BrokenReader(ImageReaderSpi spi) {
            super(spi);
        }

        @Override
        public int getNumImages(boolean allowSearch) {
            return 1;
        }

        @Override
        public int getWidth(int imageIndex) {
            return 4;
        }

        @Override
        public int getHeight(int imageIndex) {
            return 4;
        }

        @Override
        public java.util.Iterator<javax.imageio.ImageTypeSpecifier> getImageTypes(int imageIndex) {
            return java.util.Collections.emptyIterator();
        }

        @Override
        public javax.imageio.metadata.IIOMetadata getStreamMetadata() {
            return null;
        }

        @Override
        public javax.imageio.metadata.IIOMetadata getImageMetadata(int imageIndex) {
            return null;
        }

        @Override
        public BufferedImage read(int imageIndex, javax.imageio.ImageReadParam param) {
            throw new UnsatisfiedLinkError("/opt/jre/lib/libjavajpeg.so: libjpeg.so.62: cannot open shared object file");
        }
    }

    @TempDir
    Path tmp;

    private final BrokenSpi spi = new BrokenSpi();

    @BeforeEach
    void register() {
        IIORegistry.getDefaultInstance().registerServiceProvider(spi, ImageReaderSpi.class);
    }

    @AfterEach
    void deregister() {
        IIORegistry.getDefaultInstance().deregisterServiceProvider(spi, ImageReaderSpi.class);
    }

    @Test
    void aMissingNativeLibraryFailsThatImageWithItsNameAndTheFix() throws Exception {
        Path f = tmp.resolve("photo.nolib");
        Files.write(f, new byte[] {'N', 'O', 'L', 'I', 'B', 0, 0, 0});
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("libjpeg.so.62"), e.getMessage());
        assertTrue(e.getMessage().contains("bundle's JRE"), e.getMessage());
    }
}
