package dev.inception.model;

import java.util.List;

/** One layer application in the graph: a Keras layer name, its op, its inputs and its inferred output shape. */
public record Node(String name, Op op, List<Node> inputs, Shape shape) {

    public List<Shape> inputShapes() {
        return inputs.stream().map(Node::shape).toList();
    }

    public List<WeightSpec> weights() {
        return op.weights(name, inputShapes());
    }

    public long multiplyAdds() {
        return op.multiplyAdds(inputShapes(), shape);
    }

    @Override
    public String toString() {
        return name + " " + op.kerasClass() + " " + shape;
    }
}
