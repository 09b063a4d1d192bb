package dev.inception.image;

/** Resize filters, as Keras's load_img names them (and as PIL computes them). */
public enum Interpolation {
    /** Keras load_img's default. */
    NEAREST,
    /** PIL's BILINEAR: a triangle filter whose support widens when shrinking, so it also antialiases. */
    BILINEAR
}
