package dev.inception.image;

/** An image could not be read: missing, not an image, truncated, or of an absurd size. */
public class ImageDecodeException extends Exception {
    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
