package dev.inception.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Graph} the way Keras's functional API does, including Keras's automatic layer names: the k-th
 * unnamed Conv2D is conv2d_k, the k-th BatchNormalization batch_normalization_k, and so on. Weight files are keyed by
 * these names, so the order of calls matters exactly as it does in Keras.
 */
public final class GraphBuilder {

    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> counters = new HashMap<>();

    public Node input(Shape shape) {
        if (!nodes.isEmpty()) {
            throw new IllegalStateException("the input must be the first layer");
        }
        return add("input_1", new Op.Input(shape), List.of());
    }

    /** Applies an op under an explicit name, or Keras's automatic name when name is null. */
    public Node apply(String name, Op op, Node... inputs) {
        return add(name != null ? name : autoName(op), op, List.of(inputs));
    }

    public Graph build(String graphName, Node output) {
        return new Graph(graphName, nodes, output);
    }

    private Node add(String name, Op op, List<Node> inputs) {
        for (Node in : inputs) {
            if (!nodes.contains(in)) {
                throw new IllegalArgumentException("input " + in.name() + " of " + name + " is not in this graph");
            }
        }
        Shape shape;
        try {
            shape = op.outputShape(inputs.stream().map(Node::shape).toList());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer " + name + ": " + e.getMessage(), e);
        }
        Node node = new Node(name, op, List.copyOf(inputs), shape);
        nodes.add(node);
        return node;
    }

    /** Keras's rule: the class name in snake case (MaxPooling2D -> max_pooling2d), then a per-prefix counter. */
    private String autoName(Op op) {
        String prefix = SNAKE_2.matcher(SNAKE_1.matcher(op.kerasClass()).replaceAll("$1_$2")).replaceAll("$1_$2")
                .toLowerCase(java.util.Locale.ROOT);
        return prefix + "_" + counters.merge(prefix, 1, Integer::sum);
    }

    private static final java.util.regex.Pattern SNAKE_1 = java.util.regex.Pattern.compile("(.)([A-Z][a-z]+)");
    private static final java.util.regex.Pattern SNAKE_2 = java.util.regex.Pattern.compile("([a-z])([A-Z])");
}
