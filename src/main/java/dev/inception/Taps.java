package dev.inception;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named intermediate outputs used for verification: "stem" (the input of mixed0), mixed0..mixed10, avg_pool and
 * predictions (those present in the graph), in network order. Tap name -> Keras layer name.
 */
public final class Taps {

    private Taps() {
    }

    public static Map<String, String> of(Graph graph) {
        Map<String, String> taps = new LinkedHashMap<>();
        taps.put("stem", InceptionV3.STEM);
        for (int i = 0; i <= 10; i++) {
            taps.put("mixed" + i, "mixed" + i);
        }
        for (String top : new String[] {"avg_pool", "predictions"}) {
            if (graph.has(top)) {
                taps.put(top, top);
            }
        }
        if (!graph.has("avg_pool") && graph.output() != graph.node("mixed10")) {
            taps.put(graph.output().name(), graph.output().name());
        }
        return taps;
    }
}
