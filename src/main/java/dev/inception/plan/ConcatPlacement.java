package dev.inception.plan;

/** How a plan realises channel concatenation. */
public enum ConcatPlacement {
    /** Each branch has its own tensor; the Concat step copies them into the block output. Every executor. */
    COPY,
    /**
     * Each branch's last step writes straight into its channel slice of the block output, and the Concat step does
     * nothing. For executors that write strided outputs (oneDNN); a branch that is kept, or that another step
     * reads too, keeps its own tensor and is copied as with COPY.
     */
    IN_PLACE
}
