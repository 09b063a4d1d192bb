package dev.inception.gpu;

import dev.inception.Precision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The roofline's peaks from device attributes, against NVIDIA's datasheets (the independent check): the attributes
 * below are what the CUDA driver reports for an A100 SXM4 40GB and an H100 SXM5 (SMs, boost clock, memory clock and
 * bus width), the expected figures those of the A100 and H100 datasheets.
 */
class RooflineTest {

    static final GpuDevices.Device A100 = new GpuDevices.Device(0, "NVIDIA A100-SXM4-40GB", 8, 0, 40L << 30, 108,
            1_410_000, 1_215_000, 5120);
    static final GpuDevices.Device H100 = new GpuDevices.Device(0, "NVIDIA H100 80GB HBM3", 9, 0, 80L << 30, 132,
            1_980_000, 2_619_000, 5120);

    static Roofline of(GpuDevices.Device d, Precision p) {
        return Roofline.of(d, p).orElseThrow();
    }

    @Test
    void a100PeaksAreItsDatasheets() {
        // 312 TFLOP/s fp16 and bf16, 156 TF32, 19.5 fp32 (dense); 1,555 GB/s
        assertEquals(312e3, of(A100, Precision.FP16).gflops(), 0.5e3);
        assertEquals(312e3, of(A100, Precision.BF16).gflops(), 0.5e3);
        assertEquals(156e3, of(A100, Precision.TF32).gflops(), 0.5e3);
        assertEquals(19.5e3, of(A100, Precision.FP32).gflops(), 0.1e3);
        assertEquals(1555, of(A100, Precision.FP16).gbytesPerSecond(), 1);
    }

    @Test
    void h100PeaksAreItsDatasheetsAtTheBoostClockTheAttributeReports() {
        // fp32 67 TFLOP/s and 3.35 TB/s; the tensor-core figures (989 fp16, 495 TF32) are quoted at 1830 MHz, and
        // the attribute's 1980 MHz puts the bound 8% above them: optimistic, never below
        assertEquals(66.9e3, of(H100, Precision.FP32).gflops(), 0.1e3);
        assertEquals(3352, of(H100, Precision.FP16).gbytesPerSecond(), 1);
        assertEquals(989.4e3 * 1980 / 1830, of(H100, Precision.FP16).gflops(), 1e3);
        assertEquals(494.7e3 * 1980 / 1830, of(H100, Precision.TF32).gflops(), 1e3);
        assertTrue(of(H100, Precision.FP16).source().contains("132 SMs x 1980 MHz x 4096 fp16 FLOP per clock"),
                of(H100, Precision.FP16).source());
    }

    @Test
    void otherArchitecturesAndMissingAttributesHaveNoRoofline() {
        assertTrue(Roofline.of(new GpuDevices.Device(0, "RTX A6000", 8, 6, 48L << 30, 84, 1_800_000, 8_001_000, 384),
                Precision.FP16).isEmpty());
        assertTrue(Roofline.of(new GpuDevices.Device(0, "H100, clock unknown", 9, 0, 80L << 30, 132, 0, 2_619_000,
                5120), Precision.FP16).isEmpty());
    }

    @Test
    void theBoundIsTheSlowerOfArithmeticAndMemory() {
        Roofline r = new Roofline(1000, 100, "by hand");
        // 1 GFLOP at 1000 GFLOP/s: 1 ms; 10 MB at 100 GB/s: 0.1 ms
        assertEquals(1.0, r.boundMilliseconds(1e9, 10e6), 1e-12);
        // 1 MFLOP: 0.001 ms; 100 MB: 1 ms
        assertEquals(1.0, r.boundMilliseconds(1e6, 100e6), 1e-12);
    }
}
