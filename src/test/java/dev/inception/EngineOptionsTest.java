package dev.inception;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each GPU switch's with* method changes that switch and keeps every other, checked against the record's
 * constructor.
 */
class EngineOptionsTest {

    /** Every switch away from its default, so that a with* that copied the wrong field shows. */
    private static final EngineOptions.Gpu START = new EngineOptions.Gpu(Precision.BF16, false, false, true, true, 7, 3,
            true, true, true);

    private static EngineOptions.Gpu changed(java.util.function.UnaryOperator<EngineOptions> with) {
        return with.apply(EngineOptions.defaults().withGpu(START)).gpu();
    }

    @Test
    void eachWitherChangesItsSwitchOnly() {
        assertEquals(new EngineOptions.Gpu(Precision.FP16, false, false, true, true, 7, 3, true, true, true),
                changed(o -> o.withPrecision(Precision.FP16)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, true, false, true, true, 7, 3, true, true, true),
                changed(o -> o.withCudaGraphs(true)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, true, true, true, 7, 3, true, true, true),
                changed(o -> o.withBranchStreams(true)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, false, true, 7, 3, true, true, true),
                changed(o -> o.withCopyFreeConcat(false)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, true, false, 7, 3, true, true, true),
                changed(o -> o.withCudnnPooling(false)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, true, true, 64, 3, true, true, true),
                changed(o -> o.withStreamsMaxBatch(64)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, true, true, 7, 9, true, true, true),
                changed(o -> o.withCudnnEngines(9)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, true, true, 7, 3, false, true, true),
                changed(o -> o.withBiasReluKernel(false)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, true, true, 7, 3, true, false, true),
                changed(o -> o.withGemm1x1(false)));
        assertEquals(new EngineOptions.Gpu(Precision.BF16, false, false, true, true, 7, 3, true, true, false),
                changed(o -> o.withGpuResize(false)));
    }

    @Test
    void aChangedSwitchIsCheckedAsANewOneIs() {
        assertThrows(IllegalArgumentException.class, () -> changed(o -> o.withStreamsMaxBatch(0)));
        assertThrows(IllegalArgumentException.class, () -> changed(o -> o.withCudnnEngines(-1)));
    }
}
