package dev.inception.plan;

/** How the graph becomes steps. */
public enum Lowering {
    /** One step per Keras layer: conv, batch norm and ReLU separately. Every Keras layer's output can be inspected. */
    FAITHFUL,
    /** Conv with BatchNormalization folded into kernel and bias, plus ReLU, as one step. Fewer passes over memory. */
    FUSED
}
