package dev.inception.gpu;

import dev.inception.model.InceptionV3;
import dev.inception.model.Padding;
import dev.inception.model.PoolMode;
import dev.inception.model.Shape;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.plan.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the pooling and concat kernels are launched with, checked against the plan and by hand, without a GPU. */
class PoolGeometryTest {

    /** At any input size, the kernel's output size is the plan's for every pooling (the kernel clips windows). */
    @ParameterizedTest
    @ValueSource(ints = {75, 139, 299, 300})
    void everyPoolingsOutputIsThePlans(int size) {
        Plan plan = Planner.lower(InceptionV3.build(InceptionV3.Options.features(size, size)), Lowering.FUSED);
        int pools = 0;
        for (Step s : plan.steps()) {
            if (s instanceof Step.Pool p) {
                Shape in = plan.tensor(p.input()).shape();
                Shape out = plan.tensor(p.output()).shape();
                PoolGeometry g = PoolGeometry.of(p, in, out.channels());
                assertEquals(out.height(), g.outHeight(), p.name());
                assertEquals(out.width(), g.outWidth(), p.name());
                assertEquals(in.channels(), g.channels(), p.name());
                pools++;
            }
        }
        assertEquals(13, pools);
    }

    /** mixed0's average pooling: 35x35x192, 3x3 'same' (one cell of padding each side), hand-written. */
    @Test
    void fieldsAreInTheKernelStructsOrder() {
        Step.Pool p = new Step.Pool("average_pooling2d_1", PoolMode.AVERAGE, 0, 1,
                Window.of(Shape.of(35, 35, 192), 3, 3, 1, 1, Padding.SAME));
        PoolGeometry g = PoolGeometry.of(p, Shape.of(35, 35, 192), 256);
        assertArrayEquals(new int[] {35, 35, 192, 35, 35, 3, 3, 1, 1, 1, 1, 256}, g.fields());
        assertEquals(2L * 35 * 35 * 192 / 8, g.threads(2, 8));
        assertEquals(1, PoolGeometry.mode(PoolMode.AVERAGE));
        assertEquals(0, PoolGeometry.mode(PoolMode.MAX));
        assertThrows(IllegalArgumentException.class, () -> PoolGeometry.of(p, Shape.of(35, 35, 192), 128));
    }

    /** 16 bytes per thread where channels, pixel stride and offset are whole 16-byte chunks; one channel else. */
    @Test
    void lanesAreA16ByteChunkOnlyWhereEverythingIsWholeChunks() {
        assertEquals(4, KernelModule.poolLanes(StorageType.FLOAT, 288, 288, 0));
        assertEquals(8, KernelModule.poolLanes(StorageType.HALF, 288, 288, 0));
        assertEquals(8, KernelModule.poolLanes(StorageType.BFLOAT16, 768, 1280, 512));
        assertEquals(1, KernelModule.poolLanes(StorageType.HALF, 3, 3, 0));
        assertEquals(4, KernelModule.poolLanes(StorageType.FLOAT, 12, 20, 4));
        assertEquals(1, KernelModule.poolLanes(StorageType.HALF, 12, 20, 4));   // 24 bytes: not whole chunks
        assertEquals(1, KernelModule.poolLanes(StorageType.HALF, 8, 20, 4));    // a stride of 40 bytes
        assertEquals(1, KernelModule.poolLanes(StorageType.HALF, 8, 16, 4));    // an offset of 8 bytes
        assertEquals("pool_nhwc_f16x8", KernelModule.poolKernel(StorageType.HALF, 8));
        assertEquals("pool_nhwc_bf16", KernelModule.poolKernel(StorageType.BFLOAT16, 1));
        assertEquals("pool_nhwc_f32x4", KernelModule.poolKernel(StorageType.FLOAT, 4));
        assertEquals(8, KernelModule.concatUnit(StorageType.HALF, 64, 256, 192));
        assertEquals(1, KernelModule.concatUnit(StorageType.HALF, 4, 256, 192));
        assertEquals(1, KernelModule.concatUnit(StorageType.FLOAT, 3, 8, 0));
        assertEquals(4, KernelModule.concatUnit(StorageType.FLOAT, 4, 8, 4));
        assertEquals("concat_nhwc_chunk16", KernelModule.concatKernel(StorageType.HALF, 8));
        assertEquals("concat_nhwc_u16", KernelModule.concatKernel(StorageType.HALF, 1));
        assertEquals("concat_nhwc_f32", KernelModule.concatKernel(StorageType.FLOAT, 1));
        assertEquals("concat_nhwc_chunk16", KernelModule.concatKernel(StorageType.FLOAT, 4));
    }
}
