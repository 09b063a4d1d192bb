package dev.inception.gpu;

/**
 * A slower path than planned, taken at run time because cuDNN refused the planned one: the fused
 * conv + bias + ReLU call replaced by three calls, or an algorithm replaced by the next candidate. Reported under
 * --verbose and counted in bench and verify results, so a GPU figure always says what ran.
 */
public record Fallback(String step, int batch, String from, String to, String why) {

    @Override
    public String toString() {
        return step + " (batch " + batch + "): " + from + " -> " + to + " (" + why + ")";
    }
}
