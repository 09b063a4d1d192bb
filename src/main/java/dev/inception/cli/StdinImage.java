package dev.inception.cli;

import dev.inception.image.DecodeAhead;
import dev.inception.image.ImageDecodeException;
import dev.inception.image.ImageDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * "-" as an IMAGE: one encoded image read from standard input, as in {@code curl -s URL | inception predict -}. A file
 * named "-" is still reachable as "./-".
 */
final class StdinImage {

    static final String NAME = "-";
    /** More than this on standard input is not one image (a file on disk has no such limit, only ImageDecoder's). */
    static final int LIMIT = 256 << 20;

    private final byte[] bytes;
    /** Why there is no image to decode, or null. */
    private final String problem;

    private StdinImage(byte[] bytes, String problem) {
        this.bytes = bytes;
        this.problem = problem;
    }

    static boolean named(Path p) {
        return p.toString().equals(NAME);
    }

    /** Reads the stream to its end, at most {@link #LIMIT} bytes; what goes wrong is this image's error, later. */
    static StdinImage read(InputStream in) {
        try {
            byte[] b = in.readNBytes(LIMIT + 1);
            if (b.length == 0) {
                return new StdinImage(null, "standard input is empty: pipe an image in (curl -s URL | inception"
                        + " predict -)");
            }
            if (b.length > LIMIT) {
                return new StdinImage(null, "standard input holds more than " + (LIMIT >> 20) + " MiB, more than one"
                        + " image; save it to a file and name that");
            }
            return new StdinImage(b, null);
        } catch (IOException e) {
            return new StdinImage(null, "cannot read standard input (" + e.getMessage() + ")");
        }
    }

    /** A reader that decodes "-" from these bytes, at {@code size}, and hands every other path to {@code files}. */
    DecodeAhead.Reader or(DecodeAhead.Reader files, ImageDecoder.Size size) {
        return p -> {
            if (!named(p)) {
                return files.read(p);
            }
            if (problem != null) {
                throw new ImageDecodeException(NAME + ": " + problem);
            }
            return ImageDecoder.read(bytes, NAME + " (standard input)", ImageDecoder.MAX_PIXELS, size);
        };
    }
}
