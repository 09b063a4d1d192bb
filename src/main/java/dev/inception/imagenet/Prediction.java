package dev.inception.imagenet;

/** One entry of a top-k list, as Keras's decode_predictions returns it, plus the class index. */
public record Prediction(int index, String wnid, String label, float probability) {
}
