package dev.inception.model;

/** Max or average pooling. Keras's average pooling with 'same' padding divides by the in-bounds cells only. */
public enum PoolMode {
    MAX, AVERAGE
}
