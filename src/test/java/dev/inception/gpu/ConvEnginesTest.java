package dev.inception.gpu;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layouts and alignments {@link ConvEngines} declares to cuDNN's backend API, by hand: the API describes every
 * 4-d tensor in NCHW dimension order, with strides saying where each index steps in memory.
 */
class ConvEnginesTest {

    @Test
    void anNhwcTensorsStridesInNchwOrder() {
        // 2 images of 35x35 pixels, 64 channels: a channel steps 1, a column 64, a row 35 * 64, an image 35 * 35 * 64
        CudnnGeometry.Dims d = new CudnnGeometry.Dims(2, 64, 35, 35);
        assertArrayEquals(new long[] {2, 64, 35, 35}, ConvEngines.nchwOf(d));
        assertArrayEquals(new long[] {78400, 1, 2240, 64}, ConvEngines.nhwcStrides(d, 64));
        // the same 64 channels as a slice of a 256-channel block output: pixels 256 apart
        assertArrayEquals(new long[] {313600, 1, 8960, 256}, ConvEngines.nhwcStrides(d, 256));
    }

    @Test
    void alignmentIsTheStartAddressesUpTo16Bytes() {
        CUdeviceptr base = new CUdeviceptr();   // address 0: aligned to anything, declared as 16
        assertEquals(16, ConvEngines.alignment(base));
        assertEquals(16, ConvEngines.alignment(base.withByteOffset(256)));
        // a channel slice of halves starting at channel 36 (72 bytes in): 8-byte aligned only
        assertEquals(8, ConvEngines.alignment(base.withByteOffset(72)));
        assertEquals(2, ConvEngines.alignment(base.withByteOffset(2)));
        assertEquals(72, CudnnBackend.address(base.withByteOffset(72)));
    }
}
