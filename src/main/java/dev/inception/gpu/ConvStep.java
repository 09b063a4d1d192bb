package dev.inception.gpu;

/** A convolution step of a program, however cuDNN runs it: what it enqueues, and the algorithm or plan it uses now. */
interface ConvStep extends Runnable {

    ConvChoice choice();

    /** What runs the step, for profiles: "cudnn " and the choice, unless a step says more. */
    default String implementation() {
        return "cudnn " + choice().describe();
    }
}
