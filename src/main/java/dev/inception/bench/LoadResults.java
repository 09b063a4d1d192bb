package dev.inception.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.inception.io.InputFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Results of {@code inception load} (schema inception-load/1): one point per concurrency level of one server
 * configuration; charted as latency against throughput, the usual picture of a server under load.
 */
public final class LoadResults {

    /** One level: the configuration's label, clients, p50 and p99 latency, answered images per second. */
    public record Point(String label, String date, int clients, double p50Ms, double p99Ms, double imagesPerSecond,
                        int refused) {
    }

    public static final String SCHEMA = "inception-load/1";

    private LoadResults() {
    }

    /** Whether the file declares this schema (a cheap look before choosing a reader). */
    public static boolean is(Path file) {
        try {
            return InputFiles.problem(file) == null && Files.readString(file).contains("\"" + SCHEMA + "\"");
        } catch (IOException e) {
            return false;
        }
    }

    public static List<Point> read(Path file) throws IOException {
        JsonObject r;
        try {
            r = BenchResults.object(JsonParser.parseString(Files.readString(file)), "the result", file);
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid JSON (" + e.getMessage() + ")", e);
        }
        JsonElement results = r.get("results");
        if (results == null || !results.isJsonArray()) {
            throw new IOException(file + ": \"results\" is missing or not an array");
        }
        List<Point> points = new ArrayList<>();
        for (JsonElement pe : results.getAsJsonArray()) {
            JsonObject p = BenchResults.object(pe, "a point of \"results\"", file);
            JsonObject l = BenchResults.object(p.get("latency_ms"), "\"latency_ms\"", file);
            points.add(new Point(BenchResults.string(r, "label", file), BenchResults.string(r, "date", file),
                    (int) BenchResults.number(p, "clients", file), BenchResults.number(l, "p50", file),
                    BenchResults.number(l, "p99", file), BenchResults.number(p, "images_per_s", file),
                    (int) BenchResults.number(p, "refused_503", file)));
        }
        return points;
    }

    /** p50 and p99 latency against throughput, one line per label, each point a concurrency level. */
    public static void chart(List<Point> points, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("serve: latency vs throughput (points: 1 ... N concurrent clients)")
                .xAxisTitle("answered images/s").yAxisTitle("latency (ms), log scale").build();
        chart.getStyler().setYAxisLogarithmic(true);
        // below the plot, as in Charts: inside it, the legend hides the low-concurrency points it names
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        Map<String, List<Point>> byLabel = points.stream().sorted(Comparator.comparingInt(Point::clients))
                .collect(Collectors.groupingBy(Point::label, LinkedHashMap::new, Collectors.toList()));
        byLabel.forEach((label, ps) -> {
            double[] x = ps.stream().mapToDouble(Point::imagesPerSecond).toArray();
            chart.addSeries(label + ", p50", x, ps.stream().mapToDouble(Point::p50Ms).toArray())
                    .setMarker(SeriesMarkers.CIRCLE);
            chart.addSeries(label + ", p99", x, ps.stream().mapToDouble(Point::p99Ms).toArray())
                    .setMarker(SeriesMarkers.DIAMOND);
        });
        Charts.save(chart, png);
    }

    public static String markdownTable(List<Point> points) {
        StringBuilder sb = new StringBuilder("| server | clients | p50 ms | p99 ms | images/s | 503s |\n"
                + "| --- | --- | --- | --- | --- | --- |\n");
        points.stream().sorted(Comparator.comparing(Point::label).thenComparingInt(Point::clients))
                .forEach(p -> sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.2f | %d |%n",
                        p.label(), p.clients(), p.p50Ms(), p.p99Ms(), p.imagesPerSecond(), p.refused())));
        return sb.toString();
    }
}
