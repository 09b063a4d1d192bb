package dev.inception.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads benchmark results in the inception-bench/1 schema, written by `inception bench` and by the PyTorch peer
 * script (bench/peers/torch_inception.py): one object per file, or an array of them.
 */
public final class BenchResults {

    /** One measured point: a series (who and how), a scope, a batch size, p50 latency and throughput. */
    public record Point(String series, String machine, String date, String scope, int batch, double p50Ms,
                        double p90Ms, double imagesPerSecond) {
    }

    private BenchResults() {
    }

    public static List<Point> read(Path file) throws IOException {
        JsonElement root = JsonParser.parseString(Files.readString(file));
        List<JsonObject> reports = new ArrayList<>();
        if (root.isJsonArray()) {
            for (JsonElement e : root.getAsJsonArray()) {
                reports.add(e.getAsJsonObject());
            }
        } else {
            reports.add(root.getAsJsonObject());
        }
        List<Point> points = new ArrayList<>();
        for (JsonObject r : reports) {
            if (!r.has("schema") || !r.get("schema").getAsString().equals("inception-bench/1")) {
                throw new IOException(file + " is not an inception-bench/1 result");
            }
            JsonObject s = r.getAsJsonObject("settings");
            String series = s.get("backend").getAsString() + " " + s.get("plan").getAsString() + " "
                    + s.get("precision").getAsString();
            JsonObject m = r.getAsJsonObject("machine");
            String machine = m.has("gpu") ? m.get("gpu").getAsString() : m.get("cpu").getAsString() + ", "
                    + m.get("cores").getAsInt() + " cores";
            JsonArray results = r.getAsJsonArray("results");
            for (JsonElement e : results) {
                JsonObject p = e.getAsJsonObject();
                JsonObject l = p.getAsJsonObject("latency_ms");
                points.add(new Point(series, machine, r.get("date").getAsString(), p.get("scope").getAsString(),
                        p.get("batch").getAsInt(), l.get("p50").getAsDouble(), l.get("p90").getAsDouble(),
                        p.get("images_per_s").getAsDouble()));
            }
        }
        return points;
    }
}
