package dev.inception.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What each GPU switch changes, from one run's results: every point of a series with a switch away from its default
 * ("gpu fused fp16, no graphs", "..., cuDNN pooling") beside the same precision's default series at the same scope,
 * batch and machine, as the ratio of their p50 latencies. Above 1, the default is faster by that factor (what the
 * feature the switch turns off saves, or what the experimental one it turns on costs).
 */
public final class Switches {

    /** One comparison: the switched series and the default one at the same point. */
    public record Row(String switched, String defaults, String scope, int batch, double switchedP50,
                      double defaultP50) {

        /** How many times faster the default is (above 1) or slower (below 1). */
        public double defaultSpeedup() {
            return switchedP50 / defaultP50;
        }
    }

    private Switches() {
    }

    /** Every switched point that has a default twin, by switch, scope and batch. */
    public static List<Row> compare(List<BenchResults.Point> points) {
        List<Row> rows = new ArrayList<>();
        for (BenchResults.Point p : points) {
            String base = defaults(p.series());
            if (base.equals(p.series())) {
                continue;
            }
            Optional<BenchResults.Point> twin = points.stream().filter(q -> q.series().equals(base)
                    && q.machine().equals(p.machine()) && q.scope().equals(p.scope()) && q.batch() == p.batch())
                    .max(Comparator.comparingDouble(BenchResults.Point::p50Ms));   // measured twice: the slower
            twin.ifPresent(d -> rows.add(new Row(p.series(), base, p.scope(), p.batch(), p.p50Ms(), d.p50Ms())));
        }
        rows.sort(Comparator.comparing(Row::switched).thenComparing(Row::scope).thenComparingInt(Row::batch));
        return rows;
    }

    /**
     * The series a switched one is compared with: its backend, plan and precision without its switches, but with
     * its resizing where that is bilinear (bilinear images beside nearest ones would compare the filters).
     */
    static String defaults(String series) {
        List<String> parts = List.of(series.split(", "));
        return parts.get(0) + (parts.contains(BenchResults.BILINEAR) ? ", " + BenchResults.BILINEAR : "");
    }

    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| switched | scope | batch | p50 ms | default p50 ms | default faster by |\n"
                + "| --- | --- | --- | --- | --- | --- |\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2fx |%n", r.switched(), r.scope(),
                    r.batch(), r.switchedP50(), r.defaultP50(), r.defaultSpeedup()));
        }
        return sb.toString();
    }
}
