package dev.inception.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The GPU speed targets of issue #15, judged from one run's results ({@code inception bench} and the PyTorch peers
 * of bench/peers/torch_inception.py, as {@link BenchResults} reads them), so that a run's numbers become "met by
 * 12%" or "missed by 30%" without arithmetic by hand:
 * <ul>
 *   <li>batch 1 latency (network scope): at least 2x better than PyTorch eager fp32, and no worse than
 *       torch.compile(mode="reduce-overhead") in the same precision;</li>
 *   <li>batch 256 throughput in fp16 or bf16: at least 1.2x torch.compile(mode="max-autotune") (its fp16 mode),
 *       and at least 34,000 images/s;</li>
 *   <li>end to end at batch 256: at least 80% of the network scope's throughput.</li>
 * </ul>
 * Ours are the GPU series with the default switches ("gpu fused fp16": CUDA graphs and branch streams on,
 * copy-free concatenation off). A comparison needs both sides measured on the same machine; a point measured
 * twice counts with its slower measurement.
 */
public final class Targets {

    static final double LATENCY_VS_EAGER = 2.0;
    static final double LATENCY_VS_REDUCE_OVERHEAD = 1.0;
    static final double THROUGHPUT_VS_MAX_AUTOTUNE = 1.2;
    static final double IMAGES_PER_SECOND = 34_000;
    static final double END_TO_END_SHARE = 0.8;

    /** Whether a target was met, missed, or could not be judged from the results given. */
    public enum Verdict { MET, MISSED, NOT_MEASURED }

    /**
     * One judged target.
     *
     * @param measured the value compared with {@code required}, or NaN when not measured
     * @param unit     "x" for a ratio, else the unit of an absolute value ("images/s")
     * @param note     what was compared, or why nothing could be
     */
    public record Row(String target, double measured, double required, String unit, Verdict verdict, String note) {

        /** How far above (positive) or below (negative) the requirement, as a fraction of it; NaN if not measured. */
        public double margin() {
            return measured / required - 1;
        }
    }

    private Targets() {
    }

    public static List<Row> judge(List<BenchResults.Point> points) {
        List<Row> rows = new ArrayList<>();
        for (String p : List.of("fp32", "fp16")) {
            rows.add(latency("batch 1 latency, ours " + p + " vs PyTorch eager fp32", points, ours(p),
                    "torch-cuda eager-fp32 fp32", LATENCY_VS_EAGER));
        }
        rows.add(latency("batch 1 latency, fp32 vs torch.compile reduce-overhead fp32", points, ours("fp32"),
                "torch-cuda compile-reduce-overhead fp32", LATENCY_VS_REDUCE_OVERHEAD));
        rows.add(latency("batch 1 latency, fp16 vs torch.compile reduce-overhead fp16", points, ours("fp16"),
                "torch-cuda compile-reduce-overhead-fp16 fp16", LATENCY_VS_REDUCE_OVERHEAD));
        // the faster of our fp16 and bf16 at batch 256 stands for "fp16 or bf16"
        String fastest = fastest16Bit(points, series -> true).orElse(ours("fp16"));
        Side ours256 = new Side(fastest, "network", 256);
        rows.add(ratio("batch 256 images/s, ours fp16/bf16 vs torch.compile max-autotune fp16", points, ours256,
                new Side("torch-cuda compile-max-autotune-fp16 fp16", "network", 256),
                BenchResults.Point::imagesPerSecond, "images/s", THROUGHPUT_VS_MAX_AUTOTUNE));
        String target = "batch 256 images/s, ours fp16/bf16";
        rows.add(ours256.find(points).map(b -> judged(target, b.imagesPerSecond(), IMAGES_PER_SECOND, "images/s",
                        b.series())).orElse(notMeasured(target, IMAGES_PER_SECOND, "images/s",
                        "not in the results: " + ours256)));
        // end to end: the faster 16-bit series of those measured in both scopes at 256 (bench-bf16 is network only)
        String both = fastest16Bit(points, series -> point(points, series, "end2end", 256).isPresent())
                .orElse(fastest);
        rows.add(ratio("batch 256 end to end vs network images/s, " + both, points, new Side(both, "end2end", 256),
                new Side(both, "network", 256), BenchResults.Point::imagesPerSecond, "images/s", END_TO_END_SHARE));
        return rows;
    }

    /** Of our default-switch fp16 and bf16 series that {@code qualify}, the one with more images/s at batch 256. */
    private static Optional<String> fastest16Bit(List<BenchResults.Point> points, Predicate<String> qualify) {
        return Stream.of(ours("fp16"), ours("bf16")).filter(qualify)
                .flatMap(series -> point(points, series, "network", 256).stream())
                .max(Comparator.comparingDouble(BenchResults.Point::imagesPerSecond))
                .map(BenchResults.Point::series);
    }

    /** Our series with the default switches in a precision, as BenchResults names it. */
    static String ours(String precision) {
        return "gpu fused " + precision;
    }

    /** One side of a comparison: a series at a scope and batch size. */
    record Side(String series, String scope, int batch) {

        /** Its point; measured twice, the slower measurement. */
        Optional<BenchResults.Point> find(List<BenchResults.Point> points) {
            return point(points, series, scope, batch);
        }

        @Override
        public String toString() {
            return series + " at batch " + batch + " (" + scope + ")";
        }
    }

    /** Latency at batch 1, network scope: the peer's p50 over ours (above 1: ours is faster). */
    private static Row latency(String target, List<BenchResults.Point> points, String oursSeries, String peerSeries,
                               double required) {
        return ratio(target, points, new Side(peerSeries, "network", 1), new Side(oursSeries, "network", 1),
                BenchResults.Point::p50Ms, "ms p50", required);
    }

    /** value(top) / value(bottom) (in {@code of}), judged against what is required; not measured without a side. */
    private static Row ratio(String target, List<BenchResults.Point> points, Side top, Side bottom,
                             ToDoubleFunction<BenchResults.Point> value, String of, double required) {
        Optional<BenchResults.Point> a = top.find(points);
        Optional<BenchResults.Point> b = bottom.find(points);
        if (a.isEmpty() || b.isEmpty()) {
            return notMeasured(target, required, "x", "not in the results: " + String.join(" and ",
                    Stream.of(a.isEmpty() ? top : null, b.isEmpty() ? bottom : null).filter(Objects::nonNull)
                            .map(Side::toString).toList()));
        }
        if (!a.get().machine().equals(b.get().machine())) {
            return notMeasured(target, required, "x", "measured on different machines: " + a.get().machine()
                    + " vs " + b.get().machine());
        }
        double x = value.applyAsDouble(a.get());
        double y = value.applyAsDouble(b.get());
        return judged(target, x / y, required, "x", String.format(Locale.ROOT, "%s %.2f / %s %.2f %s", top.series(),
                x, bottom.series(), y, of));
    }

    private static Row judged(String target, double measured, double required, String unit, String note) {
        return new Row(target, measured, required, unit, measured >= required ? Verdict.MET : Verdict.MISSED, note);
    }

    private static Row notMeasured(String target, double required, String unit, String why) {
        return new Row(target, Double.NaN, required, unit, Verdict.NOT_MEASURED, why);
    }

    /** The point of a series at a scope and batch; measured twice, the slower measurement. */
    static Optional<BenchResults.Point> point(List<BenchResults.Point> points, String series, String scope,
                                              int batch) {
        return points.stream()
                .filter(p -> p.series().equals(series) && p.scope().equals(scope) && p.batch() == batch)
                .min(Comparator.comparingDouble(BenchResults.Point::imagesPerSecond));
    }

    /** The rows as a Markdown table: target, required, measured, verdict with its margin, and what was compared. */
    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| target | required | measured | verdict | compared |\n"
                + "| --- | --- | --- | --- | --- |\n");
        for (Row r : rows) {
            String required = ">= " + amount(r.required(), r.unit());
            String measured = Double.isNaN(r.measured()) ? "-" : amount(r.measured(), r.unit());
            String verdict = switch (r.verdict()) {
                case MET -> String.format(Locale.ROOT, "met by %.1f%%", 100 * r.margin());
                case MISSED -> String.format(Locale.ROOT, "missed by %.1f%%", -100 * r.margin());
                case NOT_MEASURED -> "not measured";
            };
            sb.append("| ").append(r.target()).append(" | ").append(required).append(" | ").append(measured)
                    .append(" | ").append(verdict).append(" | ").append(r.note()).append(" |\n");
        }
        return sb.toString();
    }

    private static String amount(double v, String unit) {
        return unit.equals("x") ? String.format(Locale.ROOT, "%.2fx", v)
                : String.format(Locale.ROOT, "%,.0f %s", v, unit);
    }
}
