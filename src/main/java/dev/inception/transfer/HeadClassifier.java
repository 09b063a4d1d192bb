package dev.inception.transfer;

import dev.inception.InceptionV3Engine;
import dev.inception.Tensor;

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
        float[][] f = engine.features(batch);
        float[][] p = new float[f.length][];
        for (int i = 0; i < f.length; i++) {
            p[i] = head.probabilities(f[i]);
        }
        return p;
    }
}
