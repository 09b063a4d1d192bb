package dev.inception.gpu;

/** A convolution step of a program, however cuDNN runs it: what it enqueues, and the algorithm or plan it uses now. */
interface ConvStep extends Runnable {

    ConvChoice choice();
}
