package dev.inception.nativetests;

import dev.inception.model.Graph;
import dev.inception.model.GraphBuilder;
import dev.inception.model.InceptionV3;
import dev.inception.model.Node;
import dev.inception.model.Op;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One-block graphs with InceptionV3's real geometries, for checking an executor op by op against the reference
 * (GpuOpsTest on the GPU, OneDnnExecutorTest on oneDNN). Here, in native-tests, so the offline bundle carries it.
 */
public final class Blocks {

    private Blocks() {
    }

    /** The distinct (input shape, convolution) pairs of a graph, each with the first node that has it. */
    public static Map<String, Node> distinctConvs(Graph g) {
        Map<String, Node> distinct = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Conv2D) {
                distinct.putIfAbsent(n.inputs().get(0).shape() + " " + n.op(), n);
            }
        }
        return distinct;
    }

    /** conv2d_bn as Keras builds it, on the convolution's own input shape: Conv2D, BatchNormalization, ReLU. */
    public static Graph convBnRelu(Node conv) {
        GraphBuilder b = new GraphBuilder();
        Node x = b.input(conv.inputs().get(0).shape());
        x = b.apply(null, conv.op(), x);
        x = b.apply(null, new Op.BatchNormalization(InceptionV3.BN_EPSILON), x);
        x = b.apply(null, new Op.Relu(), x);
        return b.build("conv", x);
    }
}
