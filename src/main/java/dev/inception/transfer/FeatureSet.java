package dev.inception.transfer;

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
        try (HdfFile h5 = new HdfFile(file)) {
            float[] flat = (float[]) dataset(h5, "features", file).getDataFlat();
            int[] dims = dataset(h5, "features", file).getDimensions();
            int[] labels = (int[]) dataset(h5, "labels", file).getData();
            int[] val = (int[]) dataset(h5, "validation", file).getData();
            String[] files = (String[]) dataset(h5, "files", file).getData();
            if (dims.length != 2) {
                throw new WeightsFileException(file + ": 'features' must be N x D, got rank " + dims.length);
            }
            float[][] f = new float[dims[0]][dims[1]];
            boolean[] v = new boolean[dims[0]];
            for (int i = 0; i < dims[0]; i++) {
                System.arraycopy(flat, i * dims[1], f[i], 0, dims[1]);
                v[i] = val[i] != 0;
            }
            return new FeatureSet(f, labels, v, List.of(strings(h5, "class_names", file)), List.of(files),
                    string(h5, "weights"), string(h5, "input_size"));
        } catch (WeightsFileException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new WeightsFileException(file + " is not a features file written by 'inception features' ("
                    + e.getMessage() + ")", e);
        }
    }

    private static Dataset dataset(HdfFile h5, String name, Path file) {
        Node n = h5.getChild(name);
        if (!(n instanceof Dataset d)) {
            throw new WeightsFileException(file + " has no dataset '" + name + "': is it a features file?");
        }
        return d;
    }

    private static String[] strings(HdfFile h5, String name, Path file) {
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
