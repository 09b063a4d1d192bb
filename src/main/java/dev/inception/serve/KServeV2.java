package dev.inception.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.inception.imagenet.Prediction;
import dev.inception.model.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The KServe v2 / Open Inference Protocol over REST, as Triton speaks it: JSON requests and responses, and Triton's
 * binary tensor extension for inputs (the JSON header's length in {@code Inference-Header-Content-Length}, each
 * input's raw bytes after it, sized by its {@code binary_data_size} parameter), which is what tritonclient.http
 * sends by default. One input per request:
 * <ul>
 *   <li>{@code FP32 [N, H, W, 3]}: images already preprocessed as Keras's preprocess_input does (x / 127.5 - 1);</li>
 *   <li>{@code BYTES [N]}: encoded images (PNG, JPEG, BMP, GIF), each element base64 in JSON, raw with the binary
 *       extension (4-byte little-endian length, then the bytes, as Triton serialises BYTES).</li>
 * </ul>
 * Outputs: {@code probabilities FP32 [N, classes]}, and with the request parameter {@code top_k: K} also
 * {@code top_k BYTES [N, K]} in Triton's classification format, "probability:index:label".
 */
final class KServeV2 {

    /** The one input of a request, its data as JSON or as raw bytes. */
    record Input(String name, String datatype, long[] shape, JsonArray json, byte[] binary) {
    }

    /** A parsed request: its id (echoed back), its input, top_k (0 = none) and the outputs asked for. */
    record Request(String id, Input input, int topK, List<String> outputs) {
    }

    static final String PROBABILITIES = "probabilities";
    static final String TOP_K = "top_k";

    private KServeV2() {
    }

    /**
     * @param headerLength the value of {@code Inference-Header-Content-Length}, or null when the body is all JSON
     */
    static Request parse(byte[] body, String headerLength) {
        int jsonLength = body.length;
        if (headerLength != null) {
            try {
                jsonLength = Integer.parseInt(headerLength.trim());
            } catch (NumberFormatException e) {
                jsonLength = -1;
            }
            if (jsonLength < 0 || jsonLength > body.length) {
                throw HttpError.badRequest("Inference-Header-Content-Length is '" + headerLength + "', not a length"
                        + " within the body's " + body.length + " bytes");
            }
        }
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(new String(body, 0, jsonLength, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw HttpError.badRequest("the request must be a JSON object with \"inputs\"");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw HttpError.badRequest("the request is not valid JSON (" + e.getMessage() + ")");
        }
        JsonArray inputs = array(root, "inputs", "the request");
        if (inputs.size() != 1) {
            throw HttpError.badRequest("give exactly one input (FP32 [N,H,W,3] or BYTES [N]); got " + inputs.size());
        }
        JsonObject in = object(inputs.get(0), "inputs[0]");
        String name = string(in, "name", "inputs[0]");
        String datatype = string(in, "datatype", "inputs[0]");
        JsonArray shapeJson = array(in, "shape", "inputs[0]");
        long[] shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).isJsonPrimitive() && shapeJson.get(i).getAsJsonPrimitive().isNumber()
                    ? shapeJson.get(i).getAsLong() : -1;
            if (shape[i] < 1) {
                throw HttpError.badRequest("inputs[0].shape must be positive integers, got " + shapeJson);
            }
        }
        JsonArray json = null;
        byte[] binary = null;
        long binarySize = binaryDataSize(in);
        if (binarySize >= 0) {
            if (headerLength == null || jsonLength + binarySize != body.length) {
                throw HttpError.badRequest("inputs[0] declares binary_data_size " + binarySize + " but the body has "
                        + (body.length - jsonLength) + " bytes after its JSON header"
                        + (headerLength == null ? " (no Inference-Header-Content-Length header)" : ""));
            }
            binary = Arrays.copyOfRange(body, jsonLength, body.length);
        } else {
            json = array(in, "data", "inputs[0]");
        }
        int topK = 0;
        if (root.has("parameters")) {
            JsonObject p = object(root.get("parameters"), "parameters");
            if (p.has(TOP_K)) {
                JsonElement k = p.get(TOP_K);
                if (!k.isJsonPrimitive() || !k.getAsJsonPrimitive().isNumber() || k.getAsDouble() < 0
                        || k.getAsDouble() != Math.rint(k.getAsDouble())) {
                    throw HttpError.badRequest("parameters.top_k must be a whole number >= 0, got " + k);
                }
                topK = k.getAsInt();
            }
        }
        List<String> outputs = new ArrayList<>();
        if (root.has("outputs")) {
            for (JsonElement o : array(root, "outputs", "the request")) {
                String out = string(object(o, "outputs[]"), "name", "outputs[]");
                if (!out.equals(PROBABILITIES) && !out.equals(TOP_K)) {
                    throw HttpError.badRequest("unknown output '" + out + "'; this model has " + PROBABILITIES
                            + " and " + TOP_K);
                }
                outputs.add(out);
            }
        }
        if (outputs.isEmpty()) {
            outputs.add(PROBABILITIES);
            if (topK > 0) {
                outputs.add(TOP_K);
            }
        }
        if (outputs.contains(TOP_K) && topK == 0) {
            topK = 1;
        }
        String id = root.has("id") && root.get("id").isJsonPrimitive() ? root.get("id").getAsString() : null;
        return new Request(id, new Input(name, datatype, shape, json, binary), topK, outputs);
    }

    private static long binaryDataSize(JsonObject in) {
        if (!in.has("parameters")) {
            return -1;
        }
        JsonObject p = object(in.get("parameters"), "inputs[0].parameters");
        if (!p.has("binary_data_size")) {
            return -1;
        }
        JsonElement e = p.get("binary_data_size");
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsLong() < 0) {
            throw HttpError.badRequest("inputs[0].parameters.binary_data_size must be a byte count, got " + e);
        }
        return e.getAsLong();
    }

    /** FP32 [N, H, W, 3] as N preprocessed images; checks shape, count and finiteness before any queueing. */
    static List<float[]> images(Input in, Shape image) {
        long[] want = {-1, image.height(), image.width(), image.channels()};
        if (in.shape().length != 4 || in.shape()[1] != want[1] || in.shape()[2] != want[2] || in.shape()[3] != want[3]) {
            throw HttpError.badRequest("an FP32 input must have shape [N, " + want[1] + ", " + want[2] + ", " + want[3]
                    + "], got " + Arrays.toString(in.shape()));
        }
        long n = in.shape()[0];
        int per = (int) image.elements();
        long total = n * per;   // n is bounded by the body size below, before anything is allocated
        long given = in.binary() != null ? in.binary().length / Float.BYTES : flattened(in.json());
        if (given != total || in.binary() != null && in.binary().length % Float.BYTES != 0) {
            throw HttpError.badRequest("inputs[0] holds " + given + " FP32 values; shape " + Arrays.toString(in.shape())
                    + " needs " + total);
        }
        List<float[]> out = new ArrayList<>();
        // binary data is read straight into each image's array; JSON's nested lists are flattened first
        java.nio.FloatBuffer values = in.binary() != null
                ? ByteBuffer.wrap(in.binary()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer() : flatJson(in.json(), total);
        for (int i = 0; i < n; i++) {
            float[] one = new float[per];
            values.get(one);
            for (int j = 0; j < per; j++) {
                if (!Float.isFinite(one[j])) {
                    throw HttpError.badRequest("image " + i + " has a non-finite value (" + one[j] + ") at element " + j);
                }
            }
            out.add(one);
        }
        return out;
    }

    private static java.nio.FloatBuffer flatJson(JsonArray json, long total) {
        float[] flat = new float[(int) total];
        fill(json, flat, new int[] {0});
        return java.nio.FloatBuffer.wrap(flat);
    }

    /** BYTES [N] (or [N, 1]) as N encoded images. */
    static List<byte[]> encoded(Input in) {
        long[] s = in.shape();
        if (!(s.length == 1 || s.length == 2 && s[1] == 1)) {
            throw HttpError.badRequest("a BYTES input must have shape [N] (one encoded image each), got "
                    + Arrays.toString(s));
        }
        if (s[0] > Integer.MAX_VALUE) {
            throw HttpError.badRequest("a BYTES input of " + s[0] + " images is more than any body holds");
        }
        int n = (int) s[0];
        List<byte[]> out = new ArrayList<>();
        if (in.binary() != null) {
            // Triton's BYTES serialisation: for each element, a 4-byte little-endian length, then the bytes
            ByteBuffer b = ByteBuffer.wrap(in.binary()).order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= 4 && out.size() < n) {
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw HttpError.badRequest("binary BYTES element " + out.size() + " declares " + len
                            + " bytes; " + b.remaining() + " remain");
                }
                byte[] e = new byte[len];
                b.get(e);
                out.add(e);
            }
            if (out.size() != n || b.hasRemaining()) {
                throw HttpError.badRequest("the binary BYTES data does not hold exactly " + n + " elements");
            }
            return out;
        }
        JsonArray data = in.json();
        List<JsonElement> flat = new ArrayList<>();
        data.forEach(e -> {
            if (e.isJsonArray()) {
                e.getAsJsonArray().forEach(flat::add);
            } else {
                flat.add(e);
            }
        });
        if (flat.size() != n) {
            throw HttpError.badRequest("inputs[0].data has " + flat.size() + " elements; shape " + Arrays.toString(s)
                    + " needs " + n);
        }
        for (int i = 0; i < n; i++) {
            JsonElement e = flat.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw HttpError.badRequest("BYTES element " + i + " must be a base64 string of an encoded image");
            }
            try {
                out.add(Base64.getDecoder().decode(e.getAsString()));
            } catch (IllegalArgumentException bad) {
                throw HttpError.badRequest("BYTES element " + i + " is not base64 (" + bad.getMessage() + ")");
            }
        }
        return out;
    }

    /** The response: the outputs asked for, in the order asked. */
    static JsonObject response(String model, String id, float[][] probabilities, List<List<Prediction>> top,
                               List<String> outputs) {
        JsonObject r = new JsonObject();
        r.addProperty("model_name", model);
        r.addProperty("model_version", "1");
        if (id != null) {
            r.addProperty("id", id);
        }
        JsonArray outs = new JsonArray();
        for (String name : outputs) {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            JsonArray shape = new JsonArray();
            JsonArray data = new JsonArray();
            shape.add(probabilities.length);
            if (name.equals(PROBABILITIES)) {
                o.addProperty("datatype", "FP32");
                shape.add(probabilities.length == 0 ? 0 : probabilities[0].length);
                for (float[] row : probabilities) {
                    for (float v : row) {
                        data.add(v);
                    }
                }
            } else {
                o.addProperty("datatype", "BYTES");
                shape.add(top.isEmpty() ? 0 : top.get(0).size());
                for (List<Prediction> row : top) {
                    for (Prediction p : row) {
                        data.add(String.format(Locale.ROOT, "%.6f:%d:%s", p.probability(), p.index(), p.label()));
                    }
                }
            }
            o.add("shape", shape);
            o.add("data", data);
            outs.add(o);
        }
        r.add("outputs", outs);
        return r;
    }

    /** GET /v2/models/{name}: inputs and outputs with shapes (-1: any batch) and datatypes. */
    static JsonObject metadata(ServedModel m) {
        JsonObject r = new JsonObject();
        r.addProperty("name", m.name());
        JsonArray versions = new JsonArray();
        versions.add("1");
        r.add("versions", versions);
        r.addProperty("platform", "inception-java");
        JsonArray inputs = new JsonArray();
        inputs.add(tensor("images", "FP32", -1, m.input().height(), m.input().width(), m.input().channels()));
        inputs.add(tensor("encoded_images", "BYTES", -1));
        r.add("inputs", inputs);
        JsonArray outputs = new JsonArray();
        outputs.add(tensor(PROBABILITIES, "FP32", -1, m.labels().size()));
        outputs.add(tensor(TOP_K, "BYTES", -1, -1));
        r.add("outputs", outputs);
        return r;
    }

    private static JsonObject tensor(String name, String datatype, long... shape) {
        JsonObject t = new JsonObject();
        t.addProperty("name", name);
        t.addProperty("datatype", datatype);
        JsonArray s = new JsonArray();
        for (long d : shape) {
            s.add(d);
        }
        t.add("shape", s);
        return t;
    }

    /** Values in a JSON array, nested or flat (the protocol allows both). */
    private static long flattened(JsonArray a) {
        long n = 0;
        for (JsonElement e : a) {
            n += e.isJsonArray() ? flattened(e.getAsJsonArray()) : 1;
        }
        return n;
    }

    private static void fill(JsonArray a, float[] out, int[] at) {
        for (JsonElement e : a) {
            if (e.isJsonArray()) {
                fill(e.getAsJsonArray(), out, at);
            } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                out[at[0]++] = e.getAsFloat();
            } else {
                throw HttpError.badRequest("FP32 data must be numbers; element " + at[0] + " is " + e);
            }
        }
    }

    private static JsonObject object(JsonElement e, String what) {
        if (e == null || !e.isJsonObject()) {
            throw HttpError.badRequest(what + " must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    private static JsonArray array(JsonObject o, String key, String what) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonArray()) {
            throw HttpError.badRequest(what + " needs \"" + key + "\" as a JSON array");
        }
        return e.getAsJsonArray();
    }

    private static String string(JsonObject o, String key, String what) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw HttpError.badRequest(what + " needs \"" + key + "\" as a string");
        }
        return e.getAsString();
    }
}
