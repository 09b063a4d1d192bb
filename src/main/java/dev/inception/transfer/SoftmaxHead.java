package dev.inception.transfer;

import dev.inception.weights.KerasH5Reader;
import dev.inception.weights.KerasH5Writer;
import dev.inception.weights.Weight;
import dev.inception.weights.Weights;
import dev.inception.weights.WeightsFileException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A new classifier on top of the frozen network: one Dense layer with softmax (multinomial logistic regression)
 * over the 2048-d bottleneck features. Stored as Keras stores a Dense layer named "predictions" (kernel D x K,
 * bias K), plus root attributes {@code class_names} and {@code input_size} (the image size the features were
 * extracted at, "HxW"), so Keras users can load it into their own model too.
 */
public record SoftmaxHead(float[] kernel, float[] bias, int inputs, List<String> classNames, String inputSize) {

    public static final String LAYER = "predictions";

    public SoftmaxHead {
        if (kernel.length != inputs * classNames.size() || bias.length != classNames.size()) {
            throw new IllegalArgumentException("a head of " + inputs + " x " + classNames.size() + " needs a kernel of "
                    + inputs * classNames.size() + " and a bias of " + classNames.size());
        }
        classNames = List.copyOf(classNames);
    }

    /** Trains a head on bottleneck features: see {@link HeadTrainer}. */
    public static HeadTrainer.Result train(FeatureSet train, FeatureSet validation, HeadTrainer.Options options,
                                           java.util.function.Consumer<HeadTrainer.Epoch> progress) {
        return HeadTrainer.train(train, validation, options, progress);
    }

    public int classes() {
        return classNames.size();
    }

    /** Logits for one feature row: x W + b. */
    public double[] logits(float[] x) {
        if (x.length != inputs) {
            throw new IllegalArgumentException("this head takes " + inputs + " features, got " + x.length);
        }
        int k = classes();
        double[] z = new double[k];
        for (int c = 0; c < k; c++) {
            z[c] = bias[c];
        }
        for (int i = 0; i < inputs; i++) {
            double v = x[i];
            if (v != 0) {
                for (int c = 0; c < k; c++) {
                    z[c] += v * kernel[i * k + c];
                }
            }
        }
        return z;
    }

    public float[] probabilities(float[] x) {
        double[] p = softmax(logits(x));
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) p[i];
        }
        return out;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    public void save(Path file) {
        Weights w = Weights.builder()
                .put(LAYER + "/kernel:0", new Weight(new int[] {inputs, classes()}, kernel))
                .put(LAYER + "/bias:0", new Weight(new int[] {classes()}, bias))
                .build();
        KerasH5Writer.write(file, w, Map.of("class_names", classNames.toArray(new String[0]), "input_size", inputSize));
    }

    /**
     * @param expectedInputs the feature size of the network it will sit on (2048 for InceptionV3); a head trained
     *                       on anything else is refused
     */
    public static SoftmaxHead load(Path file, int expectedInputs) {
        Weights w = KerasH5Reader.read(file).weights();
        if (!w.has(LAYER + "/kernel:0") || !w.has(LAYER + "/bias:0")) {
            throw new WeightsFileException(file + " has no Dense layer '" + LAYER + "' (kernel and bias): is it a head"
                    + " written by 'inception train-head'?");
        }
        Weight kernel = w.get(LAYER + "/kernel:0");
        if (kernel.shape().length != 2 || kernel.shape()[0] != expectedInputs) {
            throw new WeightsFileException(file + ": the head takes " + kernel.shapeString() + " features but the network"
                    + " gives " + expectedInputs + "; train it on features of this network");
        }
        String[] names;
        String size;
        try (HdfFile h5 = new HdfFile(file)) {
            Attribute a = h5.getAttribute("class_names");
            names = a != null && a.getData() instanceof String[] s ? s : null;
            Attribute in = h5.getAttribute("input_size");
            size = in != null ? String.valueOf(in.getData()) : "299x299";
        }
        int k = kernel.shape()[1];
        if (names == null || names.length != k) {
            names = new String[k];
            for (int i = 0; i < k; i++) {
                names[i] = "class_" + i;
            }
        }
        return new SoftmaxHead(kernel.values(), w.values(LAYER + "/bias:0"), expectedInputs, List.of(names), size);
    }
}
