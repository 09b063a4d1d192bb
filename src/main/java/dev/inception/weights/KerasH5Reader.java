package dev.inception.weights;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Keras 2 HDF5 weight files (with the jhdf library): {@code save_weights} files, whose root holds the
 * attribute {@code layer_names}, and {@code model.save} files, which hold the same under the group
 * {@code /model_weights}. Each layer group has an attribute {@code weight_names} (empty for weightless layers, which
 * h5py writes as an empty float64 array) and datasets at {@code /<layer>/<weight name>}, usually
 * {@code /<layer>/<layer>/kernel:0} because the name itself contains a '/'.
 *
 * <p>Keys in the returned store are {@code <layer group>/<last part of the weight name>}, so a file whose weight
 * names carry another prefix (TensorFlow's "conv2d_1_1/kernel:0") still maps by layer name.
 */
public final class KerasH5Reader {

    private static final String KIND = "Keras weights are .h5 files written by model.save_weights() or model.save()";

    /** A layer as the file lists it, with its weights in file order. */
    public record Layer(String name, List<String> weightKeys) {
    }

    public record Contents(Weights weights, List<Layer> layers, String kerasVersion) {
    }

    private KerasH5Reader() {
    }

    public static Contents read(Path file) {
        try (Hdf5Input.Source in = Hdf5Input.open(file, KIND)) {
            return read(in);
        }
    }

    /** Reads an open file; {@link Hdf5Input#open(byte[], String, String)} gives one from memory. */
    public static Contents read(Hdf5Input.Source in) {
        try {
            checkLength(in);
            HdfFile h5 = in.h5();
            Group root = h5.getAttribute("layer_names") != null ? h5 : weightsGroup(h5, in.name());
            String[] layerNames = strings(root.getAttribute("layer_names"), "layer_names", in.name());
            Weights.Builder b = Weights.builder().source(Path.of(in.name()).getFileName().toString());
            List<Layer> layers = new ArrayList<>();
            for (String layer : layerNames) {
                Node node = root.getChild(layer);
                if (!(node instanceof Group g)) {
                    throw new WeightsFileException(in.name() + ": layer '" + layer + "' is listed in layer_names but has"
                            + " no group");
                }
                Attribute wn = g.getAttribute("weight_names");
                if (wn == null) {
                    throw new WeightsFileException(in.name() + ": layer '" + layer + "' has no weight_names attribute");
                }
                List<String> keys = new ArrayList<>();
                if (!wn.isEmpty()) {
                    for (String weightName : strings(wn, layer + "/weight_names", in.name())) {
                        String key = layer + "/" + weightName.substring(weightName.lastIndexOf('/') + 1);
                        b.put(key, readDataset(in, g, weightName));
                        keys.add(key);
                    }
                }
                layers.add(new Layer(layer, keys));
            }
            Attribute version = root.getAttribute("keras_version");
            Object v = version == null ? null : version.getData();
            return new Contents(b.build(), layers, v == null ? "unknown" : v.toString());
        } catch (WeightsFileException e) {
            throw e;
        } catch (RuntimeException e) {
            // jhdf reports truncation and corruption as assorted runtime exceptions
            throw new WeightsFileException(in.name() + " is truncated or corrupt (" + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", e);
        }
    }

    /** The superblock records where the file ends; a shorter file lost its tail (an interrupted download). */
    private static void checkLength(Hdf5Input.Source in) {
        HdfFile h5 = in.h5();
        // with a user block the end address may count from the file's start (as h5py writes it) or from the
        // superblock: comparing with the address alone accepts both, and is exact for files without one
        long expected = h5.getHdfBackingStorage().getSuperblock().getEndOfFileAddress();
        if (in.length() < expected) {
            throw new WeightsFileException(in.name() + " is truncated: " + in.length() + " bytes, the HDF5 superblock"
                    + " says " + expected + " (an interrupted download? fetch the file again)");
        }
    }

    private static Group weightsGroup(HdfFile h5, String file) {
        Node mw = h5.getChild("model_weights");
        if (mw instanceof Group g && g.getAttribute("layer_names") != null) {
            return g;
        }
        throw new WeightsFileException(file + " is HDF5 but not a Keras weights file: no 'layer_names' attribute at the"
                + " root or under /model_weights");
    }

    private static Weight readDataset(Hdf5Input.Source in, Group layer, String weightName) {
        Node node;
        try {
            node = layer.getByPath(weightName);
        } catch (RuntimeException e) {
            node = null;
        }
        if (!(node instanceof Dataset ds)) {
            throw new WeightsFileException(in.name() + ": weight '" + weightName + "' is listed but its dataset is"
                    + " missing");
        }
        float[] values = Hdf5Input.floats(in, ds, weightName);
        return new Weight(ds.getDimensions(), values);
    }

    private static String[] strings(Attribute a, String what, String file) {
        Object data = a.getData();
        if (data instanceof String[] s) {
            return s;
        }
        if (data instanceof String s) {
            return new String[] {s};
        }
        throw new WeightsFileException(file + ": attribute " + what + " is not a list of strings");
    }
}
