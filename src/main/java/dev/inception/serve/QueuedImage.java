package dev.inception.serve;

import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;

/**
 * One image waiting in a model's queue. An encoded image (a BYTES input, /v1/classify) waits as its decoded pixels at
 * the network's input size, a quarter of its floats' memory, and a batch of them takes the executor's uint8 path (on
 * the GPU: uploaded as bytes and preprocessed there); a KServe FP32 input waits as the floats the client sent.
 */
sealed interface QueuedImage {

    /** The image as preprocessed float32 values, for a batch where both kinds meet. */
    float[] floats();

    /** Decoded, resized to the input, not yet preprocessed. */
    record Pixels(RgbImage image) implements QueuedImage {
        @Override
        public float[] floats() {
            return Preprocess.toFloats(image);
        }
    }

    /** Preprocessed by the client (x / 127.5 - 1), checked finite before it was queued. */
    record Floats(float[] values) implements QueuedImage {
        @Override
        public float[] floats() {
            return values;
        }
    }
}
