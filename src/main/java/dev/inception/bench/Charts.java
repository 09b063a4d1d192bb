package dev.inception.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** PNG charts of benchmark points with XChart: one line per series against the batch size. */
public final class Charts {

    private Charts() {
    }

    public static void latency(List<BenchResults.Point> points, String scope, Path png) throws IOException {
        render(points, scope, "p50 latency (ms) vs batch size, " + scope, "latency p50 (ms)",
                BenchResults.Point::p50Ms, png);
    }

    public static void throughput(List<BenchResults.Point> points, String scope, Path png) throws IOException {
        render(points, scope, "throughput (images/s) vs batch size, " + scope, "images/s",
                BenchResults.Point::imagesPerSecond, png);
    }

    private static void render(List<BenchResults.Point> points, String scope, String title, String yTitle,
                               ToDoubleFunction<BenchResults.Point> y, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(640).title(title).xAxisTitle("batch size")
                .yAxisTitle(yTitle).build();
        // XChart labels only powers of ten on a log axis: log scale only where the batch sizes span a decade
        int min = points.stream().mapToInt(BenchResults.Point::batch).min().orElse(1);
        int max = points.stream().mapToInt(BenchResults.Point::batch).max().orElse(1);
        chart.getStyler().setXAxisLogarithmic(max >= 10 * min);
        chart.getStyler().setYAxisMin(0.0);
        // below the plot: inside it, a legend of many series (ours and every peer) hides the lines it names
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        Map<String, List<BenchResults.Point>> bySeries = points.stream().filter(p -> p.scope().equals(scope))
                .sorted(Comparator.comparingInt(BenchResults.Point::batch))
                .collect(Collectors.groupingBy(p -> p.series() + " (" + p.machine() + ")", LinkedHashMap::new,
                        Collectors.toList()));
        if (bySeries.isEmpty()) {
            throw new IOException("no '" + scope + "' results to chart");
        }
        bySeries.forEach((name, ps) -> chart.addSeries(name, ps.stream().mapToDouble(BenchResults.Point::batch).toArray(),
                ps.stream().mapToDouble(y).toArray()).setMarker(SeriesMarkers.CIRCLE));
        save(chart, png);
    }

    /** A horizontal-reading bar chart of named values (profile: the slowest steps), in the order given. */
    public static void profile(List<Map.Entry<String, Double>> bars, String title, Path png) throws IOException {
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(1100).height(600)
                .title(title).xAxisTitle("step").yAxisTitle("ms").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.addSeries("ms", bars.stream().map(Map.Entry::getKey).toList(),
                bars.stream().map(Map.Entry::getValue).toList());
        save(chart, png);
    }

    /**
     * Draws a chart into a PNG, or says why this JRE cannot: Java draws text through native font libraries that link
     * the host's libharfbuzz, libfreetype and fontconfig, which a minimal GPU image may lack (the H200's did,
     * 2026-11-30: "libfontmanager.so: libharfbuzz.so.0: cannot open shared object file"). The numbers are in the
     * results either way, and {@code inception report} draws the chart on another machine.
     */
    public static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path png) throws IOException {
        try {
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (LinkageError | java.awt.AWTError e) {
            java.nio.file.Files.deleteIfExists(png);
            throw new Unavailable(png, e);
        }
    }

    /** This JRE cannot draw charts here; the message names the missing piece and what to do. */
    public static final class Unavailable extends IOException {
        Unavailable(Path png, Throwable cause) {
            super("chart " + png.getFileName() + " not drawn: this Java cannot render text here (" + cause
                    + "); the numbers are in the results: run 'inception report' on them where Java has its font"
                    + " libraries (libharfbuzz, libfreetype, fontconfig)", cause);
        }
    }

    /** A Markdown table of every point, grouped by scope and series. */
    public static String markdownTable(List<BenchResults.Point> points) {
        StringBuilder sb = new StringBuilder("| series | machine | scope | batch | p50 ms | p90 ms | images/s |\n"
                + "| --- | --- | --- | --- | --- | --- | --- |\n");
        points.stream().sorted(Comparator.comparing(BenchResults.Point::scope).thenComparing(BenchResults.Point::series)
                .thenComparingInt(BenchResults.Point::batch)).forEach(p -> sb.append(String.format(java.util.Locale.ROOT,
                "| %s | %s | %s | %d | %.1f | %.1f | %.2f |%n", p.series(), p.machine(), p.scope(), p.batch(), p.p50Ms(),
                p.p90Ms(), p.imagesPerSecond())));
        return sb.toString();
    }
}
