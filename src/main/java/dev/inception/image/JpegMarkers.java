package dev.inception.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * The few JPEG header facts that decide how libjpeg interprets the samples: a JFIF (APP0) marker, an Adobe (APP14)
 * marker and its transform, and the frame's component ids; and where the embedded ICC profile's segments are (APP2,
 * "ICC_PROFILE"), which decide nothing here. Read from the segments before the first scan; the file is not otherwise
 * parsed.
 *
 * @param iccSegments each ICC profile segment's first byte (its FF) and length in bytes, marker included
 */
record JpegMarkers(boolean jfif, boolean adobe, int adobeTransform, int[] componentIds, long scanStart,
                   List<int[]> iccSegments) {

    /** libjpeg's guess of the stored colour space (jdapimin.c default_decompress_parms). */
    JpegSamples.ColorSpace colorSpace(int components) {
        return switch (components) {
            case 1 -> JpegSamples.ColorSpace.GRAY;
            case 3 -> {
                if (jfif) {
                    yield JpegSamples.ColorSpace.YCBCR;
                }
                if (adobe) {
                    yield adobeTransform == 0 ? JpegSamples.ColorSpace.RGB : JpegSamples.ColorSpace.YCBCR;
                }
                boolean rgbIds = componentIds.length == 3 && componentIds[0] == 'R' && componentIds[1] == 'G'
                        && componentIds[2] == 'B';
                yield rgbIds ? JpegSamples.ColorSpace.RGB : JpegSamples.ColorSpace.YCBCR;
            }
            case 4 -> adobe && adobeTransform == 2 ? JpegSamples.ColorSpace.YCCK
                    : adobe && adobeTransform != 0 ? JpegSamples.ColorSpace.YCCK : JpegSamples.ColorSpace.CMYK;
            default -> throw new IllegalArgumentException("a JPEG with " + components + " components");
        };
    }

    /**
     * Whether an end-of-image marker follows the first scan. Entropy-coded data never contains FF D9 (a data byte
     * FF is followed by 00 or a restart marker), so its absence means the file was cut: PIL refuses such a file
     * ("image file is truncated") even when libjpeg decoded every row. Bytes after the marker are allowed.
     */
    boolean endsWithEndOfImage(byte[] file) {
        for (int i = file.length - 2; i >= scanStart; i--) {
            if ((file[i] & 0xFF) == 0xFF && (file[i + 1] & 0xFF) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    /**
     * The file without its ICC profile segments (itself where it has none). The profile changes no sample: PIL
     * ignores it, and so does this decoder, which reads libjpeg's samples unconverted. But the JDK's JPEG reader
     * builds a LittleCMS colour transform from it while reading the header, whatever is read after: for
     * examples/rocket.jpg (Adobe RGB) that was about a third of its decoding time.
     */
    byte[] withoutIccProfile(byte[] file) {
        if (iccSegments.isEmpty()) {
            return file;
        }
        int removed = iccSegments.stream().mapToInt(s -> s[1]).sum();
        byte[] out = new byte[file.length - removed];
        int from = 0;
        int to = 0;
        for (int[] segment : iccSegments) {
            System.arraycopy(file, from, out, to, segment[0] - from);
            to += segment[0] - from;
            from = segment[0] + segment[1];
        }
        System.arraycopy(file, from, out, to, file.length - from);
        return out;
    }

    /** Reads the file's markers up to its first start-of-scan. */
    static JpegMarkers read(byte[] file) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(file);
        if (in.read() != 0xFF || in.read() != 0xD8) {
            throw new IOException("not a JPEG file (no SOI marker)");
        }
        boolean jfif = false;
        boolean adobe = false;
        int transform = -1;
        int[] ids = new int[0];
        List<int[]> icc = new java.util.ArrayList<>();
        while (true) {
            int b = in.read();
            while (b == 0xFF) {
                b = in.read();           // fill bytes
            }
            if (b < 0) {
                throw new IOException("the JPEG header ends before its first scan");
            }
            int marker = b;
            int segmentStart = file.length - in.available() - 2;    // its FF, after any fill bytes
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue;                // no length
            }
            int length = (in.read() << 8) | in.read();
            if (length < 2) {
                throw new IOException("a JPEG segment with length " + length);
            }
            byte[] body = in.readNBytes(length - 2);
            if (body.length != length - 2) {
                throw new IOException("the JPEG header is truncated");
            }
            if (marker == 0xDA || marker == 0xD9) {
                return new JpegMarkers(jfif, adobe, transform, ids, file.length - in.available(), List.copyOf(icc));
            }
            if (marker == 0xE2 && startsWith(body, "ICC_PROFILE\0")) {
                icc.add(new int[] {segmentStart, length + 2});
            } else if (marker == 0xE0 && startsWith(body, "JFIF\0")) {
                jfif = true;
            } else if (marker == 0xEE && startsWith(body, "Adobe") && body.length >= 12) {
                adobe = true;
                transform = body[11] & 0xFF;
            } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
                    && body.length >= 6) {
                int n = body[5] & 0xFF;
                ids = new int[n];
                for (int i = 0; i < n && 6 + 3 * i < body.length; i++) {
                    ids[i] = body[6 + 3 * i] & 0xFF;
                }
            }
        }
    }

    private static boolean startsWith(byte[] body, String s) {
        if (body.length < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (body[i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
