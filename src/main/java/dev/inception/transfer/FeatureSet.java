package dev.inception.transfer;

import dev.inception.weights.Hdf5Input;
import dev.inception.weights.WeightsFileException;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;

import java.nio.file.Path;
import java.util.List;

/**
 * Bottleneck features of a labelled image set, stored as HDF5 (one file, readable by h5py):
 * datasets {@code features} (N x D float32), {@code labels} (N int32), {@code validation} (N int32, 1 = held out),
 * {@code files} (N strings); attributes {@code class_names}, {@code weights} (where the network's weights came from)
 * and {@code input_size} ("HxW").
 */
public record FeatureSet(float[][] features, int[] labels, boolean[] validation, List<String> classNames,
                         List<String> files, String weights, String inputSize) {

    private static final String KIND = "a features file is the .h5 file 'inception features' writes";

    public FeatureSet {
        int n = features.length;
        if (labels.length != n || validation.length != n || files.size() != n) {
            throw new IllegalArgumentException("features, labels, validation flags and files differ in length");
        }
    }

    public int size() {
        return features.length;
    }

    public int dimension() {
        return features.length == 0 ? 0 : features[0].length;
    }

    /** The rows with the given validation flag, as a smaller set. */
    public FeatureSet subset(boolean heldOut) {
        int n = 0;
        for (boolean v : validation) {
            n += v == heldOut ? 1 : 0;
        }
        float[][] f = new float[n][];
        int[] l = new int[n];
        boolean[] v = new boolean[n];
        String[] names = new String[n];
        for (int i = 0, j = 0; i < size(); i++) {
            if (validation[i] == heldOut) {
                f[j] = features[i];
                l[j] = labels[i];
                v[j] = heldOut;
                names[j++] = files.get(i);
            }
        }
        return new FeatureSet(f, l, v, classNames, List.of(names), weights, inputSize);
    }

    public void write(Path file) {
        int[] val = new int[size()];
        for (int i = 0; i < val.length; i++) {
            val[i] = validation[i] ? 1 : 0;
        }
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            h5.putDataset("features", features);
            h5.putDataset("labels", labels);
            h5.putDataset("validation", val);
            h5.putDataset("files", files.toArray(new String[0]));
            h5.putAttribute("class_names", classNames.toArray(new String[0]));
            h5.putAttribute("weights", weights);
            h5.putAttribute("input_size", inputSize);
        } catch (RuntimeException e) {
            throw new WeightsFileException("cannot write features to " + file + ": " + e.getMessage(), e);
        }
    }

    public static FeatureSet read(Path file) {
        try (Hdf5Input.Source in = Hdf5Input.open(file, KIND)) {
            return read(in);
        }
    }

    /** Reads an open file; {@link Hdf5Input#open(byte[], String, String)} gives one from memory. */
    public static FeatureSet read(Hdf5Input.Source in) {
        try {
            HdfFile h5 = in.h5();
            Dataset features = dataset(h5, "features", in.name());
            int[] dims = features.getDimensions();
            if (dims.length != 2) {
                throw new WeightsFileException(in.name() + ": 'features' must be N x D, got rank " + dims.length);
            }
            int n = dims[0];
            float[] flat = Hdf5Input.floats(in, features, "features");
            int[] labels = column(in, h5, "labels", n);
            int[] val = column(in, h5, "validation", n);
            Dataset filesDs = dataset(h5, "files", in.name());
            // the size is checked first: a crafted header could declare billions of names
            if (filesDs.getSize() != n || !(filesDs.getData() instanceof String[] files)) {
                throw new WeightsFileException(in.name() + ": 'files' must be " + n + " strings");
            }
            String[] classNames = strings(h5, "class_names", in.name());
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= classNames.length) {
                    throw new WeightsFileException(in.name() + ": sample " + i + " (" + files[i] + ") has label "
                            + labels[i] + " but the file names " + classNames.length + " classes: a damaged"
                            + " features file");
                }
            }
            float[][] f = new float[n][dims[1]];
            boolean[] v = new boolean[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * dims[1], f[i], 0, dims[1]);
                v[i] = val[i] != 0;
            }
            return new FeatureSet(f, labels, v, List.of(classNames), List.of(files), string(h5, "weights"),
                    string(h5, "input_size"));
        } catch (WeightsFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new WeightsFileException(in.name() + " is not a features file written by 'inception features' ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    /** A per-sample int32 dataset: labels or validation flags, one per row of features. */
    private static int[] column(Hdf5Input.Source in, HdfFile h5, String name, int n) {
        Dataset d = dataset(h5, name, in.name());
        int[] values = Hdf5Input.ints(in, d, name);
        if (d.getDimensions().length != 1 || values.length != n) {
            throw new WeightsFileException(in.name() + ": '" + name + "' must be " + n + " int32 values, one per"
                    + " sample; it is " + java.util.Arrays.toString(d.getDimensions()));
        }
        return values;
    }

    private static Dataset dataset(HdfFile h5, String name, String file) {
        Node n = h5.getChild(name);
        if (!(n instanceof Dataset d)) {
            throw new WeightsFileException(file + " has no dataset '" + name + "': is it a features file?");
        }
        return d;
    }

    private static String[] strings(HdfFile h5, String name, String file) {
        Attribute a = h5.getAttribute(name);
        if (a == null || !(a.getData() instanceof String[] s)) {
            throw new WeightsFileException(file + " has no string attribute '" + name + "'");
        }
        return s;
    }

    private static String string(HdfFile h5, String name) {
        Attribute a = h5.getAttribute(name);
        return a == null ? "unknown" : String.valueOf(a.getData());
    }
}
