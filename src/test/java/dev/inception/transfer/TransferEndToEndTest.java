package dev.inception.transfer;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.InceptionV3Engine;
import dev.inception.image.Interpolation;
import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;
import dev.inception.model.InceptionV3;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.WeightsFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Features -> train -> predict on a tiny generated image set (three classes of coloured shapes on noisy
 * backgrounds) with seeded weights: even random-projection features separate them far better than chance.
 */
public class TransferEndToEndTest {

    @TempDir
    Path tmp;

    public static void writeShapes(Path dir, int perClass) throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        String[] classes = {"blue_squares", "green_discs", "red_bars"};
        Color[] colors = {new Color(40, 60, 220), new Color(40, 200, 60), new Color(220, 40, 40)};
        for (int c = 0; c < 3; c++) {
            Path cd = Files.createDirectories(dir.resolve(classes[c]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(80, 80, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 80; y++) {
                    for (int x = 0; x < 80; x++) {
                        int g = 100 + r.nextInt(60);
                        img.setRGB(x, y, g << 16 | g << 8 | g);
                    }
                }
                Graphics2D gr = img.createGraphics();
                gr.setColor(colors[c]);
                int s = 20 + r.nextInt(20);
                int px = r.nextInt(80 - s);
                int py = r.nextInt(80 - s);
                switch (c) {
                    case 0 -> gr.fillRect(px, py, s, s);
                    case 1 -> gr.fillOval(px, py, s, s);
                    default -> gr.fillRect(px, py, s, s / 4);
                }
                gr.dispose();
                ImageIO.write(img, "png", cd.resolve("img" + i + ".png").toFile());
            }
        }
    }

    @Test
    void featuresTrainPredictBeatsChanceOnHeldOutImages() throws Exception {
        Path data = tmp.resolve("shapes");
        writeShapes(data, 12);
        Files.writeString(data.resolve("red_bars/notes.png"), "not an image");   // reported and skipped
        ImageFolder folder = ImageFolder.scan(data, 0.25, 1);
        InceptionV3.Options model = InceptionV3.Options.features(75, 75);
        EngineOptions options = EngineOptions.defaults().withBackend(Backend.CPU).withModel(model).withMaxBatch(8);
        java.util.List<String> problems = new java.util.ArrayList<>();
        try (InceptionV3Engine engine = InceptionV3Engine.open(
                SeededWeights.forGraph(InceptionV3.build(model), 1), options)) {
            FeatureSet set = FeatureExtractor.extract(engine, folder, 8, Interpolation.NEAREST, 2, n -> { },
                    problems::add);
            assertEquals(1, problems.size(), problems.toString());
            assertEquals(36, set.size());
            assertEquals(2048, set.dimension());
            Path file = tmp.resolve("features.h5");
            set.write(file);
            FeatureSet back = FeatureSet.read(file);
            assertArrayEquals(set.features()[7], back.features()[7]);
            assertArrayEquals(set.labels(), back.labels());

            FeatureSet train = back.subset(false);
            FeatureSet val = back.subset(true);
            HeadTrainer.Result res = HeadTrainer.train(train, val, HeadTrainer.Options.defaults(), e -> { });
            // held-out images through the whole pipeline: decode, resize, network, head
            HeadClassifier classifier = engine.withHead(res.head());
            int correct = 0;
            for (int i = 0; i < val.size(); i++) {
                RgbImage img = dev.inception.image.ImageDecoder.read(Path.of(val.files().get(i)));
                float[] p = classifier.predict(Preprocess.batch(List.of(img), 75, 75, Interpolation.NEAREST))[0];
                int arg = 0;
                for (int c = 1; c < p.length; c++) {
                    arg = p[c] > p[arg] ? c : arg;
                }
                correct += arg == val.labels()[i] ? 1 : 0;
            }
            double accuracy = (double) correct / val.size();
            assertTrue(val.size() >= 8, "held out " + val.size());
            assertTrue(accuracy >= 0.75, "held-out accuracy " + accuracy + " (chance 0.33)");
        }
    }

    @Test
    void headRoundTripsAndAMismatchedHeadIsRefused() throws Exception {
        SoftmaxHead head = new SoftmaxHead(new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, -0.5f}, 3,
                List.of("cat", "dog"), "75x75");
        Path f = tmp.resolve("head.h5");
        head.save(f);
        SoftmaxHead back = SoftmaxHead.load(f, 3);
        assertArrayEquals(head.kernel(), back.kernel());
        assertArrayEquals(head.bias(), back.bias());
        assertEquals(List.of("cat", "dog"), back.classNames());
        assertEquals("75x75", back.inputSize());
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> SoftmaxHead.load(f, 2048));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
        // x = [1, 0, 1]: logits = rows 0 and 2 of W + b = [1+5+0.5, 2+6-0.5] = [6.5, 7.5]
        float[] p = back.probabilities(new float[] {1, 0, 1});
        assertEquals(1 / (1 + Math.exp(1)), p[0], 1e-6);
    }
}
