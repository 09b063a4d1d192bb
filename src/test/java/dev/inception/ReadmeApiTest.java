package dev.inception;

import dev.inception.image.ImageDecoder;
import dev.inception.image.Interpolation;
import dev.inception.image.Preprocess;
import dev.inception.image.RgbImage;
import dev.inception.imagenet.Labels;
import dev.inception.imagenet.Prediction;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.weights.KerasH5Writer;
import dev.inception.weights.KerasWeights;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's API example, run as written: the lines between the markers below are the README's ```java block
 * under "## API" (without its first line, which names Keras's file, and its closing brace), and the test checks
 * that they still are, so the example cannot drift from code that compiles and answers. The weights are the seeded
 * ones, written as a Keras .h5 file, so KerasWeights.load reads a real file of Keras's format.
 */
class ReadmeApiTest {

    private static final String BEGIN = "// README API: begin";
    private static final String END = "// README API: end";

    @TempDir
    Path tmp;

    @Test
    void theReadmesApiExampleRunsAndAnswers() throws Exception {
        Path h5 = tmp.resolve("inception_v3_seeded.h5");
        KerasH5Writer.write(h5, SeededWeights.forGraph(InceptionV3.build(), 1));
        // README API: begin
        Graph graph = InceptionV3.build();                                            // Keras's options: InceptionV3.Options
        Weights weights = KerasWeights.load(h5, graph, System.err::println);
        try (InceptionV3Engine engine = InceptionV3Engine.open(weights, EngineOptions.defaults().withBackend(Backend.CPU))) {
            RgbImage img = ImageDecoder.read(Path.of("examples/chelsea.png"));
            Tensor batch = Preprocess.batch(List.of(img), 299, 299, Interpolation.NEAREST);
            List<Prediction> top5 = Labels.imagenet().top(engine.predict(batch)[0], 5);
            float[][] features = engine.features(batch);                              // 2048-d bottleneck
            // a stream of batches: submit the next before collecting this one (on the GPU, upload and compute overlap)
            Supplier<float[][]> later = engine.predictLater(List.of(img), Interpolation.NEAREST);
            float[][] probabilities = later.get();
            // README API: end
            float[] row = engine.predict(batch)[0];
            int best = 0;
            for (int i = 1; i < row.length; i++) {
                best = row[i] > row[best] ? i : best;
            }
            assertEquals(5, top5.size());
            assertEquals(best, top5.get(0).index(), "the top class is the largest probability");
            for (int i = 1; i < 5; i++) {
                assertTrue(top5.get(i).probability() <= top5.get(i - 1).probability(), top5.toString());
            }
            assertEquals(2048, features[0].length);
            // the uint8 path (resized and preprocessed by the executor) answers as the float batch does
            assertArrayEquals(row, probabilities[0], 1e-6f);
        }
    }

    @Test
    void theTestRunsTheReadmesBlockAsWritten() throws Exception {
        List<String> readme = javaBlockUnderApi(Files.readAllLines(Path.of("README.md")));
        assertTrue(readme.get(0).startsWith("Path h5 = Path.of(\"inception_v3_weights_tf_dim_ordering_tf_kernels.h5\")"),
                readme.get(0));
        assertEquals("}", readme.get(readme.size() - 1));
        List<String> source = Files.readAllLines(Path.of("src/test/java/dev/inception/ReadmeApiTest.java"));
        List<String> marked = new ArrayList<>();
        boolean in = false;
        for (String line : source) {
            if (line.strip().equals(BEGIN) || line.strip().equals(END)) {
                in = line.strip().equals(BEGIN);
                continue;
            }
            if (in) {
                marked.add(line.substring(Math.min(8, line.length())));   // the test method's own indentation
            }
        }
        assertEquals(readme.subList(1, readme.size() - 1), marked);
    }

    private static List<String> javaBlockUnderApi(List<String> lines) {
        int at = lines.indexOf("## API");
        assertTrue(at >= 0, "README has no '## API' section");
        int start = lines.subList(at, lines.size()).indexOf("```java") + at + 1;
        int end = lines.subList(start, lines.size()).indexOf("```") + start;
        assertTrue(start > at && end > start, "no ```java block under '## API'");
        return lines.subList(start, end);
    }
}
