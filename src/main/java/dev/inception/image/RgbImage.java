package dev.inception.image;

/** An 8-bit RGB image, height x width x 3, row-major (HWC), as PIL's convert('RGB') gives it. */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width < 1 || height < 1 || pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " bytes, got " + pixels.length);
        }
    }

    /** Channel c (0 = R) of pixel (x, y), 0..255. */
    public int at(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xff;
    }
}
