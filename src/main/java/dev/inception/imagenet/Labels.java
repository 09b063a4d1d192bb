package dev.inception.imagenet;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Class labels and top-k decoding, like Keras's decode_predictions. The ImageNet index is Keras's own
 * imagenet_class_index.json (index -> [wnid, label]), shipped as a resource.
 */
public final class Labels {

    private final List<ClassLabel> classes;

    public Labels(List<ClassLabel> classes) {
        this.classes = List.copyOf(classes);
    }

    /** Plain class names (e.g. a transfer-learning head's), index = position. */
    public static Labels ofNames(List<String> names) {
        List<ClassLabel> c = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            c.add(new ClassLabel(i, "", names.get(i)));
        }
        return new Labels(c);
    }

    public static Labels imagenet() {
        try (InputStream in = Labels.class.getResourceAsStream("imagenet_class_index.json")) {
            if (in == null) {
                throw new IllegalStateException("imagenet_class_index.json is missing from the jar");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the ImageNet class index: " + e.getMessage(), e);
        }
    }

    static Labels parse(Reader json) {
        JsonObject root = JsonParser.parseReader(json).getAsJsonObject();
        ClassLabel[] byIndex = new ClassLabel[root.size()];
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            int i = Integer.parseInt(e.getKey());
            JsonArray pair = e.getValue().getAsJsonArray();
            byIndex[i] = new ClassLabel(i, pair.get(0).getAsString(), pair.get(1).getAsString());
        }
        return new Labels(List.of(byIndex));
    }

    public int size() {
        return classes.size();
    }

    public ClassLabel get(int index) {
        return classes.get(index);
    }

    /** Indices of the k largest values, largest first; ties go to the lower index. */
    public static int[] topIndices(float[] values, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -values[i]).thenComparingInt(i -> i));
        return order.subList(0, Math.min(k, order.size())).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The k most probable classes, most probable first; ties go to the lower index. */
    public List<Prediction> top(float[] probabilities, int k) {
        if (probabilities.length != classes.size()) {
            throw new IllegalArgumentException(probabilities.length + " probabilities for " + classes.size() + " labels");
        }
        List<Prediction> top = new ArrayList<>();
        for (int i : topIndices(probabilities, k)) {
            ClassLabel c = classes.get(i);
            top.add(new Prediction(i, c.wnid(), c.label(), probabilities[i]));
        }
        return top;
    }
}
