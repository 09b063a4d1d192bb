package dev.inception.weights;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** A layer as the file lists it, with its weights in file order. */
    public record Layer(String name, List<String> weightKeys) {
    }

    public record Contents(Weights weights, List<Layer> layers, String kerasVersion) {
    }

    private KerasH5Reader() {
    }

    public static Contents read(Path file) {
        checkSignature(file);
        try (HdfFile h5 = new HdfFile(file)) {
            checkLength(h5, file);
            Group root = h5.getAttribute("layer_names") != null ? h5 : weightsGroup(h5, file);
            String[] layerNames = strings(root.getAttribute("layer_names"), "layer_names", file);
            Weights.Builder b = Weights.builder().source(file.getFileName().toString());
            List<Layer> layers = new ArrayList<>();
            for (String layer : layerNames) {
                Node node = root.getChild(layer);
                if (!(node instanceof Group g)) {
                    throw new WeightsFileException(file + ": layer '" + layer + "' is listed in layer_names but has no group");
                }
                Attribute wn = g.getAttribute("weight_names");
                if (wn == null) {
                    throw new WeightsFileException(file + ": layer '" + layer + "' has no weight_names attribute");
                }
                List<String> keys = new ArrayList<>();
                if (!wn.isEmpty()) {
                    for (String weightName : strings(wn, layer + "/weight_names", file)) {
                        String key = layer + "/" + weightName.substring(weightName.lastIndexOf('/') + 1);
                        b.put(key, readDataset(g, weightName, file));
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
            throw new WeightsFileException(file + " is truncated or corrupt (" + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", e);
        }
    }

    /** The superblock records where the file ends; a shorter file lost its tail (an interrupted download). */
    private static void checkLength(HdfFile h5, Path file) {
        long expected = h5.getHdfBackingStorage().getSuperblock().getEndOfFileAddress() + h5.getUserBlockSize();
        long actual = h5.size();
        if (actual < expected) {
            throw new WeightsFileException(file + " is truncated: " + actual + " bytes, the HDF5 superblock says "
                    + expected + " (an interrupted download? fetch the file again)");
        }
    }

    private static Group weightsGroup(HdfFile h5, Path file) {
        Node mw = h5.getChild("model_weights");
        if (mw instanceof Group g && g.getAttribute("layer_names") != null) {
            return g;
        }
        throw new WeightsFileException(file + " is HDF5 but not a Keras weights file: no 'layer_names' attribute at the"
                + " root or under /model_weights");
    }

    private static Weight readDataset(Group layer, String weightName, Path file) {
        Node node;
        try {
            node = layer.getByPath(weightName);
        } catch (RuntimeException e) {
            node = null;
        }
        if (!(node instanceof Dataset ds)) {
            throw new WeightsFileException(file + ": weight '" + weightName + "' is listed but its dataset is missing");
        }
        if (ds.getJavaType() != float.class) {
            throw new WeightsFileException(file + ": weight '" + weightName + "' is " + ds.getJavaType().getSimpleName()
                    + "; Keras InceptionV3 weights are float32");
        }
        return new Weight(ds.getDimensions(), (float[]) ds.getDataFlat());
    }

    private static String[] strings(Attribute a, String what, Path file) {
        Object data = a.getData();
        if (data instanceof String[] s) {
            return s;
        }
        if (data instanceof String s) {
            return new String[] {s};
        }
        throw new WeightsFileException(file + ": attribute " + what + " is not a list of strings");
    }

    private static void checkSignature(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsFileException("weights file not found: " + file);
        }
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            // HDF5 allows a user block before the superblock; Keras never writes one, so offset 0 is checked
            if (in.readNBytes(head, 0, 8) < 8 || !java.util.Arrays.equals(head, HDF5_SIGNATURE)) {
                throw new WeightsFileException(file + " is not an HDF5 file (no HDF5 signature); Keras weights are .h5 files"
                        + " written by model.save_weights() or model.save()");
            }
        } catch (IOException e) {
            throw new WeightsFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
