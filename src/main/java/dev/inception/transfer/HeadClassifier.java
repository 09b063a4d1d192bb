package dev.inception.transfer;

import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;
import dev.inception.image.Interpolation;
import dev.inception.image.RgbImage;

import java.util.List;

/** The frozen network and a newly trained head: images in, the new classes' probabilities out. */
public final class HeadClassifier {

    private final InceptionV3Engine engine;
    private final SoftmaxHead head;

    public HeadClassifier(InceptionV3Engine engine, SoftmaxHead head) {
        int features = engine.graph().has("avg_pool") ? engine.graph().node("avg_pool").shape().channels()
                : engine.graph().output().shape().channels();
        if (head.inputs() != features) {
            throw new IllegalArgumentException("the head takes " + head.inputs() + " features but this network gives "
                    + features);
        }
        this.engine = engine;
        this.head = head;
    }

    public SoftmaxHead head() {
        return head;
    }

    /** Probabilities over the head's classes, one row per image. */
    public float[][] predict(Tensor batch) {
        return probabilities(engine.features(batch));
    }

    /** {@link #predict(Tensor)} started now and collected later ({@link InceptionV3Engine#featuresLater(Tensor)}). */
    public java.util.function.Supplier<float[][]> predictLater(Tensor batch) {
        java.util.function.Supplier<float[][]> features = engine.featuresLater(batch);
        return () -> probabilities(features.get());
    }

    /**
     * {@link #predict(Tensor)} for decoded images, through the engine's uint8 path ({@link
     * InceptionV3Engine#featuresLater}), started now and collected later.
     */
    public java.util.function.Supplier<float[][]> predictLater(List<RgbImage> images, Interpolation how) {
        java.util.function.Supplier<float[][]> features = engine.featuresLater(images, how);
        return () -> probabilities(features.get());
    }

    private float[][] probabilities(float[][] features) {
        float[][] p = new float[features.length][];
        for (int i = 0; i < features.length; i++) {
            p[i] = head.probabilities(features[i]);
        }
        return p;
    }
}
