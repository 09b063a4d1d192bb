package dev.inception.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A directed acyclic graph of Keras layers, in the order they were applied (which is a topological order).
 * Immutable once built; shapes are inferred as nodes are added, so a graph that exists is well-formed.
 */
public final class Graph {

    private final String name;
    private final List<Node> nodes;
    private final Map<String, Node> byName;
    private final Node output;

    Graph(String name, List<Node> nodes, Node output) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        Map<String, Node> map = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (map.put(n.name(), n) != null) {
                throw new IllegalArgumentException("duplicate layer name " + n.name());
            }
        }
        this.byName = Collections.unmodifiableMap(map);
        this.output = output;
    }

    public String name() {
        return name;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node input() {
        return nodes.get(0);
    }

    public Node output() {
        return output;
    }

    public Node node(String layer) {
        Node n = byName.get(layer);
        if (n == null) {
            throw new IllegalArgumentException("no layer named '" + layer + "' in " + name);
        }
        return n;
    }

    public boolean has(String layer) {
        return byName.containsKey(layer);
    }

    /** Every weight the graph needs, in layer order. */
    public List<WeightSpec> weights() {
        List<WeightSpec> all = new ArrayList<>();
        for (Node n : nodes) {
            all.addAll(n.weights());
        }
        return all;
    }

    public long trainableParams() {
        return weights().stream().filter(WeightSpec::trainable).mapToLong(WeightSpec::size).sum();
    }

    public long nonTrainableParams() {
        return weights().stream().filter(w -> !w.trainable()).mapToLong(WeightSpec::size).sum();
    }

    public long params() {
        return trainableParams() + nonTrainableParams();
    }

    /** Multiply-adds for one image (convolutions and Dense; pooling and elementwise ops are not counted). */
    public long multiplyAdds() {
        return nodes.stream().mapToLong(Node::multiplyAdds).sum();
    }
}
