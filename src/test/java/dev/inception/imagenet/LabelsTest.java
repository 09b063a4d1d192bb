package dev.inception.imagenet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LabelsTest {

    @Test
    void kerasClassIndex() {
        Labels l = Labels.imagenet();
        assertEquals(1000, l.size());
        assertEquals(new ClassLabel(285, "n02124075", "Egyptian_cat"), l.get(285));
        assertEquals(new ClassLabel(0, "n01440764", "tench"), l.get(0));
        assertEquals("toilet_tissue", l.get(999).label());
    }

    @Test
    void topKIsSortedAndTiesGoToTheLowerIndex() {
        Labels l = Labels.ofNames(List.of("a", "b", "c", "d"));
        List<Prediction> top = l.top(new float[] {0.1f, 0.4f, 0.1f, 0.4f}, 3);
        assertEquals(List.of(1, 3, 0), top.stream().map(Prediction::index).toList());
        assertEquals("b", top.get(0).label());
        assertEquals(4, l.top(new float[4], 10).size());
    }
}
