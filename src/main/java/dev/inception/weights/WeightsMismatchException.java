package dev.inception.weights;

/** The weights do not fit the model: a layer is missing, extra, or has the wrong shape. */
public class WeightsMismatchException extends IllegalArgumentException {
    public WeightsMismatchException(String message) {
        super(message);
    }
}
