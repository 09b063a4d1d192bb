package dev.inception.transfer;

import dev.inception.model.InceptionV3;
import dev.inception.weights.Hdf5Input;
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
        try (Hdf5Input.Source in = Hdf5Input.open(file, "a head is the .h5 file 'inception train-head' writes")) {
            return load(in, expectedInputs);
        }
    }

    /** Loads from an open file; {@link Hdf5Input#open(byte[], String, String)} gives one from memory. */
    public static SoftmaxHead load(Hdf5Input.Source in, int expectedInputs) {
        Weights w = KerasH5Reader.read(in).weights();
        if (!w.has(LAYER + "/kernel:0") || !w.has(LAYER + "/bias:0")) {
            throw new WeightsFileException(in.name() + " has no Dense layer '" + LAYER + "' (kernel and bias): is it a"
                    + " head written by 'inception train-head'?");
        }
        Weight kernel = w.get(LAYER + "/kernel:0");
        Weight bias = w.get(LAYER + "/bias:0");
        if (kernel.shape().length != 2 || kernel.shape()[0] != expectedInputs) {
            throw new WeightsFileException(in.name() + ": the head takes " + kernel.shapeString() + " features but the"
                    + " network gives " + expectedInputs + "; train it on features of this network");
        }
        int k = kernel.shape()[1];
        if (bias.shape().length != 1 || bias.shape()[0] != k) {
            throw new WeightsFileException(in.name() + ": the head's bias is " + bias.shapeString() + " but its kernel"
                    + " has " + k + " classes: a damaged head file");
        }
        HdfFile h5 = in.h5();
        Attribute a = h5.getAttribute("class_names");
        String[] names = a != null && a.getData() instanceof String[] s ? s : null;
        if (names == null || names.length != k) {
            names = new String[k];
            for (int i = 0; i < k; i++) {
                names[i] = "class_" + i;
            }
        }
        Attribute size = h5.getAttribute("input_size");
        return new SoftmaxHead(kernel.values(), bias.values(), expectedInputs, List.of(names),
                inputSize(size == null ? "299x299" : String.valueOf(size.getData()), in.name()));
    }

    /** The image size the head's features were extracted at, checked here so that a bad one names the file. */
    private static String inputSize(String hw, String file) {
        String[] p = hw.split("x");
        try {
            if (p.length == 2 && Integer.parseInt(p[0]) >= InceptionV3.Options.MIN_SIZE
                    && Integer.parseInt(p[1]) >= InceptionV3.Options.MIN_SIZE) {
                return hw;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new WeightsFileException(file + ": attribute input_size is '" + hw + "', not HxW with each side >= "
                + InceptionV3.Options.MIN_SIZE + ": a damaged head file");
    }
}
