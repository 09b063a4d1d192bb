package dev.inception.imagenet;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.List;

/** One entry of a top-k list, as Keras's decode_predictions returns it, plus the class index. */
public record Prediction(int index, String wnid, String label, float probability) {

    /**
     * One image's top-k as {@code predict --json} prints it and {@code serve}'s /v1/classify returns it:
     * {@code {"image", "backend", "top": [{"index", "wnid", "label", "probability"}, ...]}}.
     */
    public static JsonObject json(String image, String backend, List<Prediction> top) {
        JsonObject o = new JsonObject();
        o.addProperty("image", image);
        o.addProperty("backend", backend);
        JsonArray arr = new JsonArray();
        for (Prediction p : top) {
            JsonObject e = new JsonObject();
            e.addProperty("index", p.index());
            e.addProperty("wnid", p.wnid());
            e.addProperty("label", p.label());
            e.addProperty("probability", p.probability());
            arr.add(e);
        }
        o.add("top", arr);
        return o;
    }
}
