package dev.inception.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.Graphics2D;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drawing a chart where Java cannot render text is a clear, catchable error, not a crash of the command. */
class ChartsTest {

    @TempDir
    Path tmp;

    @Test
    void aJreThatCannotLoadItsFontLibrariesGivesUnavailableAndLeavesNoFile() throws Exception {
        // as on the H200's image (2026-11-30): the first text drawn loads libfontmanager, which links libharfbuzz
        XYChart chart = new XYChart(300, 200) {
            @Override
            public void paint(Graphics2D g, int width, int height) {
                throw new UnsatisfiedLinkError("/tmp/bundle/jre/lib/libfontmanager.so: libharfbuzz.so.0: cannot open"
                        + " shared object file: No such file or directory");
            }
        };
        Path png = tmp.resolve("chart.png");
        Charts.Unavailable e = assertThrows(Charts.Unavailable.class, () -> Charts.save(chart, png));
        assertTrue(e.getMessage().startsWith("chart chart.png not drawn: this Java cannot render text here"),
                e.getMessage());
        assertTrue(e.getMessage().contains("libharfbuzz.so.0") && e.getMessage().contains("inception report"),
                e.getMessage());
        assertFalse(Files.exists(png), "an empty or partial PNG was left");
    }

    @Test
    void aChartThatCanBeDrawnIsWritten() throws Exception {
        XYChart chart = new XYChart(300, 200);
        chart.addSeries("s", new double[] {1, 2}, new double[] {3, 4});
        Path png = tmp.resolve("ok.png");
        Charts.save(chart, png);
        assertTrue(javax.imageio.ImageIO.read(png.toFile()).getWidth() == 300);
    }
}
