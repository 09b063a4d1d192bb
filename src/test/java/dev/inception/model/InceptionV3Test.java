package dev.inception.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InceptionV3Test {

    private final Graph g = InceptionV3.build();

    @Test
    void blockOutputShapesMatchThePaperAndKeras() {
        Map<String, Shape> expected = Map.ofEntries(
                Map.entry(InceptionV3.STEM, Shape.of(35, 35, 192)),
                Map.entry("mixed0", Shape.of(35, 35, 256)),
                Map.entry("mixed1", Shape.of(35, 35, 288)),
                Map.entry("mixed2", Shape.of(35, 35, 288)),
                Map.entry("mixed3", Shape.of(17, 17, 768)),
                Map.entry("mixed4", Shape.of(17, 17, 768)),
                Map.entry("mixed5", Shape.of(17, 17, 768)),
                Map.entry("mixed6", Shape.of(17, 17, 768)),
                Map.entry("mixed7", Shape.of(17, 17, 768)),
                Map.entry("mixed8", Shape.of(8, 8, 1280)),
                Map.entry("mixed9", Shape.of(8, 8, 2048)),
                Map.entry("mixed10", Shape.of(8, 8, 2048)),
                Map.entry("mixed9_0", Shape.of(8, 8, 768)),
                Map.entry("avg_pool", Shape.vector(2048)),
                Map.entry("predictions", Shape.vector(1000)));
        expected.forEach((layer, shape) -> assertEquals(shape, g.node(layer).shape(), layer));
        assertEquals(Shape.of(149, 149, 32), g.node("conv2d_1").shape());
        assertEquals(Shape.of(73, 73, 64), g.node("max_pooling2d_1").shape());
    }

    @Test
    void kerasTotalsForTheFullModel() {
        assertEquals(23_851_784L, g.params());
        assertEquals(23_817_352L, g.trainableParams());
        assertEquals(34_432L, g.nonTrainableParams());
    }

    @Test
    void kerasTotalForNoTopWithAveragePooling() {
        Graph notop = InceptionV3.build(InceptionV3.Options.features(299, 299));
        assertEquals(21_802_784L, notop.params());
        assertEquals(Shape.vector(2048), notop.output().shape());
        assertFalse(notop.has("predictions"));
    }

    /**
     * Exactly what the independent NumPy transcription of Keras's source counted while it ran (conv outputs x kernel
     * taps x input channels x filters, plus the Dense layer), as recorded in the golden fixture.
     */
    @Test
    void multiplyAddsAreExactlyWhatTheKerasTranscriptionCounted() throws Exception {
        try (io.jhdf.HdfFile golden = new io.jhdf.HdfFile(java.nio.file.Path.of(
                "src/test/resources/golden/inception_v3_golden.h5"))) {
            long top = ((Number) ((io.jhdf.api.Group) golden.getChild("299x299_top")).getAttribute("multiply_adds")
                    .getData()).longValue();
            long notop75 = ((Number) ((io.jhdf.api.Group) golden.getChild("75x75_notop"))
                    .getAttribute("multiply_adds").getData()).longValue();
            assertEquals(5_713_216_096L, top);
            assertEquals(top, g.multiplyAdds());
            assertEquals(notop75, InceptionV3.build(new InceptionV3.Options(false, InceptionV3.Options.Pooling.NONE,
                    75, 75, 1000)).multiplyAdds());
        }
        // conv2d_3: 147*147 outputs x 64 filters x 3*3*32 taps, hand-computed
        assertEquals(147L * 147 * 64 * 3 * 3 * 32, g.node("conv2d_3").multiplyAdds());
    }

    @Test
    void namesFollowKerasCallOrder() {
        List<Node> convs = g.nodes().stream().filter(n -> n.op() instanceof Op.Conv2D).toList();
        assertEquals(94, convs.size());
        for (int k = 1; k <= 94; k++) {
            assertEquals("conv2d_" + k, convs.get(k - 1).name());
            assertEquals("conv2d_" + k, g.node("batch_normalization_" + k).inputs().get(0).name());
        }
        // mixed9's 3x3 branch: the 1x3 conv is called before the 3x1 conv
        Op.Conv2D a = (Op.Conv2D) g.node("conv2d_79").op();
        Op.Conv2D b = (Op.Conv2D) g.node("conv2d_80").op();
        assertEquals(List.of(1, 3, 3, 1), List.of(a.kernelRows(), a.kernelCols(), b.kernelRows(), b.kernelCols()));
        assertEquals("concatenate_1", g.node("mixed9").inputs().get(2).name());
        assertEquals(9, g.nodes().stream().filter(n -> n.name().startsWith("average_pooling2d_")).count());
        assertEquals(4, g.nodes().stream().filter(n -> n.name().startsWith("max_pooling2d_")).count());
    }

    @Test
    void nonDefaultInputSizeWithoutTop() {
        Graph small = InceptionV3.build(new InceptionV3.Options(false, InceptionV3.Options.Pooling.NONE, 150, 200, 1000));
        // 150 -> 74 -> 72 -> 72 -> 35 -> 35 -> 33 -> 16 -> mixed3: 7 -> mixed8: 3
        assertEquals(Shape.of(16, 22, 192), small.node(InceptionV3.STEM).shape());
        assertEquals(Shape.of(7, 10, 768), small.node("mixed3").shape());
        assertEquals(Shape.of(3, 4, 2048), small.node("mixed10").shape());
        assertEquals(small.node("mixed10"), small.output());
        assertEquals(21_802_784L, small.params(), "parameters do not depend on the input size");
    }

    @Test
    void tooSmallInputIsRefusedWithTheLimit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InceptionV3.Options(false, InceptionV3.Options.Pooling.AVG, 74, 299, 1000));
        assertTrue(e.getMessage().contains("75x75"), e.getMessage());
    }

    @Test
    void maxPoolingOptionEndsInGlobalMax() {
        Graph gm = InceptionV3.build(new InceptionV3.Options(false, InceptionV3.Options.Pooling.MAX, 299, 299, 1000));
        assertEquals("GlobalMaxPooling2D", gm.output().op().kerasClass());
    }
}
