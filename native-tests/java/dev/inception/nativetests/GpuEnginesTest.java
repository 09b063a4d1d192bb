package dev.inception.nativetests;

import dev.inception.Precision;
import dev.inception.plan.Lowering;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * --cudnn-engines 4 on the GPU: the convolutions whose cuDNN backend plan (conv + bias + ReLU as one operation
 * graph) was timed faster than the legacy algorithm run that plan, and every tap stays within the precision's
 * tolerance of the reference, eager and captured. A class of its own, so a runbook stage of its own: the plan
 * search may compile kernels at run time, and its time must not be taken from the network tests.
 */
class GpuEnginesTest {

    @BeforeAll
    static void needsAGpu() {
        GpuNetworkTest.needsAGpu();
    }

    @ParameterizedTest(name = "{0}, fused plan, batch {1}, cuDNN engines")
    @CsvSource({"FP16, 2", "BF16, 2"})
    void cudnnBackendPlansWithinTheirTolerance(Precision precision, int batch) {
        GpuNetworkTest.assertMatchesTheReference(GpuTestSupport.random(batch, GpuNetworkTest.graph.input().shape(), 9),
                Lowering.FUSED, precision, o -> o.withCudnnEngines(4));
    }
}
