package dev.inception.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line on stderr for long runs: redrawn in place on a terminal, a line every 10% otherwise, silent for
 * runs of a single batch.
 */
final class Progress {

    private final PrintWriter err;
    private final int total;
    private final String unit;
    private final boolean enabled;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private int lastDecile = -1;

    Progress(PrintWriter err, int total, String unit, boolean enabled) {
        this.err = err;
        this.total = total;
        this.unit = unit;
        this.enabled = enabled && total > 0;
    }

    void update(int done) {
        if (!enabled) {
            return;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int width = 30;
        int filled = (int) ((long) width * done / total);
        String line = String.format(Locale.ROOT, "[%s%s] %d/%d %s, %.1f %s/s", "=".repeat(filled),
                " ".repeat(width - filled), done, total, unit, done / Math.max(seconds, 1e-9), unit);
        int decile = done * 10 / total;
        if (terminal) {
            err.print("\r" + line + (done == total ? "\n" : ""));
            err.flush();
        } else if (decile != lastDecile) {
            err.println(line);
            lastDecile = decile;
        }
    }
}
