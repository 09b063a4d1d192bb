package dev.inception.weights;

/** A weights file could not be read: not HDF5, truncated, corrupt, or not laid out as Keras writes weights. */
public class WeightsFileException extends RuntimeException {
    public WeightsFileException(String message) {
        super(message);
    }

    public WeightsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
