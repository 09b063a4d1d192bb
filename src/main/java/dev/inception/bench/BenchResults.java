package dev.inception.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.inception.io.InputFiles;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads benchmark results in the inception-bench/1 schema, written by `inception bench` and by the PyTorch peer
 * script (bench/peers/torch_inception.py): one object per file, or an array of them.
 */
public final class BenchResults {

    /** How a series resized with --resize bilinear ends its name: its images are not nearest's, so not its twin's. */
    static final String BILINEAR = "bilinear";

    /** One measured point: a series (who and how), a scope, a batch size, p50 latency and throughput. */
    public record Point(String series, String machine, String date, String scope, int batch, double p50Ms,
                        double p90Ms, double imagesPerSecond) {
    }

    private BenchResults() {
    }

    /** Reads one results file; anything that is not an inception-bench/1 result is an IOException naming why. */
    public static List<Point> read(Path file) throws IOException {
        String problem = InputFiles.problem(file);
        if (problem != null) {
            throw new IOException(file + ": " + problem);
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(file));
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not UTF-8 text, so not a JSON result of 'inception bench --out'", e);
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid JSON (" + e.getMessage() + ")", e);
        }
        List<JsonElement> reports = root.isJsonArray() ? root.getAsJsonArray().asList() : List.of(root);
        List<Point> points = new ArrayList<>();
        for (JsonElement e : reports) {
            JsonObject r = object(e, "a result", file);
            if (!r.has("schema") || !r.get("schema").toString().equals("\"inception-bench/1\"")) {
                throw new IOException(file + " is not an inception-bench/1 result (its \"schema\" is "
                        + r.get("schema") + ")");
            }
            JsonObject s = object(r.get("settings"), "\"settings\"", file);
            // a GPU series says which of its switches differ from the defaults
            String series = string(s, "backend", file) + " " + string(s, "plan", file) + " "
                    + string(s, "precision", file) + when(s, "cuda_graphs", false, "no graphs")
                    + when(s, "branch_streams", false, "no streams")
                    + streamsUpTo(s)
                    + when(s, "copy_free_concat", true, "copy-free concat")
                    + when(s, "cudnn_pooling", true, "cuDNN pooling")
                    + when(s, "bias_relu_kernel", true, "bias+ReLU kernel")
                    + when(s, "gemm_1x1", true, "1x1 as GEMM")
                    + when(s, "gpu_resize", true, "GPU resize")
                    + (s.has("resize") && s.get("resize").toString().equals("\"bilinear\"") ? ", " + BILINEAR : "")
                    + enginesTried(s);
            JsonObject m = object(r.get("machine"), "\"machine\"", file);
            String machine = m.has("gpu") ? string(m, "gpu", file)
                    : string(m, "cpu", file) + ", " + (int) number(m, "cores", file) + " cores";
            JsonElement results = r.get("results");
            if (results == null || !results.isJsonArray()) {
                throw new IOException(file + ": \"results\" is missing or not an array");
            }
            for (JsonElement pe : results.getAsJsonArray()) {
                JsonObject p = object(pe, "a point of \"results\"", file);
                JsonObject l = object(p.get("latency_ms"), "\"latency_ms\"", file);
                points.add(new Point(series, machine, string(r, "date", file), string(p, "scope", file),
                        (int) number(p, "batch", file), number(l, "p50", file), number(l, "p90", file),
                        number(p, "images_per_s", file)));
            }
        }
        return points;
    }

    /** ", streams up to N" for branch streams on with another largest batch than the default, else nothing. */
    private static String streamsUpTo(JsonObject settings) {
        JsonElement on = settings.get("branch_streams");
        JsonElement max = settings.get("branch_streams_max_batch");
        if (on == null || !on.isJsonPrimitive() || !on.getAsBoolean() || max == null || !max.isJsonPrimitive()
                || max.getAsInt() == dev.inception.EngineOptions.Gpu.STREAMS_MAX_BATCH) {
            return "";
        }
        return ", streams up to " + max.getAsInt();
    }

    /** ", cuDNN engines N" when the backend API's plans were timed (N of them per convolution), else nothing. */
    private static String enginesTried(JsonObject settings) {
        JsonElement n = settings.get("cudnn_engines");
        return n == null || !n.isJsonPrimitive() || n.getAsInt() <= 0 ? "" : ", cuDNN engines " + n.getAsInt();
    }

    /** ", label" when the setting is present and has the given value, else nothing. */
    private static String when(JsonObject settings, String key, boolean value, String label) {
        JsonElement v = settings.get(key);
        return v != null && v.isJsonPrimitive() && v.getAsBoolean() == value ? ", " + label : "";
    }

    static JsonObject object(JsonElement e, String what, Path file) throws IOException {
        if (e == null || !e.isJsonObject()) {
            throw new IOException(file + ": " + what + " is missing or not a JSON object; is it a result of"
                    + " 'inception bench --out'?");
        }
        return e.getAsJsonObject();
    }

    static String string(JsonObject o, String key, Path file) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IOException(file + ": \"" + key + "\" is missing or not a string");
        }
        return e.getAsString();
    }

    static double number(JsonObject o, String key, Path file) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IOException(file + ": \"" + key + "\" is missing or not a number");
        }
        return e.getAsDouble();
    }
}
