package dev.inception.gpu;

import dev.inception.Precision;

import java.util.Locale;
import java.util.Optional;

/**
 * The most a GPU can do per second, so that a step's measured time can be set against the least it could take: peak
 * arithmetic in the precision's units (dense, a multiply-add counted as two operations) and peak memory bandwidth.
 * A step moving {@code bytes} and computing {@code flops} takes at least max(flops / peak, bytes / bandwidth), the
 * roofline model's bound; how close a step comes to it says where tuning can still gain.
 *
 * <p>Both peaks come from the device's own attributes (SMs, clocks, memory bus) and, for the arithmetic, the per-SM
 * rates of NVIDIA's architecture whitepapers. The clock attribute is the highest boost clock, which tensor-core work
 * rarely sustains (an H100 SXM's 989 dense fp16 TFLOP/s are quoted at 1830 MHz, its attribute says 1980): the bound
 * is optimistic, as a bound should be.
 *
 * @param gflops          peak arithmetic, 10^9 operations per second
 * @param gbytesPerSecond peak memory bandwidth, 10^9 bytes per second
 * @param source          how the peaks were derived, for the reader
 */
public record Roofline(double gflops, double gbytesPerSecond, String source) {

    /** The least time, in milliseconds, for work of {@code flops} operations that moves {@code bytes}. */
    public double boundMilliseconds(double flops, double bytes) {
        return Math.max(flops / (gflops * 1e6), bytes / (gbytesPerSecond * 1e6));
    }

    /** The device's roofline in a precision; empty where its architecture's per-SM rates are not known here. */
    public static Optional<Roofline> of(GpuDevices.Device d, Precision p) {
        int perClock = flopsPerClockPerSm(d.major(), d.minor(), p);
        if (perClock == 0 || d.multiprocessors() <= 0 || d.clockKHz() <= 0 || d.memoryClockKHz() <= 0
                || d.memoryBusBits() <= 0) {
            return Optional.empty();
        }
        double gflops = (double) d.multiprocessors() * d.clockKHz() * 1e3 * perClock / 1e9;
        // double data rate: a transfer on each clock edge, memoryBusBits / 8 bytes each
        double gbytes = 2.0 * d.memoryClockKHz() * 1e3 * d.memoryBusBits() / 8 / 1e9;
        return Optional.of(new Roofline(gflops, gbytes, String.format(Locale.ROOT,
                "%s (%s): %d SMs x %.0f MHz x %d %s FLOP per clock = %.0f TFLOP/s; %d-bit memory at %.0f MHz,"
                        + " double data rate = %.0f GB/s", d.name(), d.computeCapability(), d.multiprocessors(),
                d.clockKHz() / 1e3, perClock, p.cliName(), gflops / 1e3, d.memoryBusBits(), d.memoryClockKHz() / 1e3,
                gbytes)));
    }

    /**
     * Dense operations per clock per SM in the arithmetic a precision runs (fp32 on the CUDA cores, tensor cores
     * being off; tf32, fp16 and bf16 on the tensor cores with float32 accumulation), from NVIDIA's whitepapers:
     * A100 (8.0): 64 float32 FMAs, 512 TF32 and 1024 FP16/BF16 tensor-core FMAs per clock per SM; H100 and H200
     * (9.0): twice each. 0 for other architectures, whose rates differ by product (GeForce parts halve FP16 with
     * float32 accumulation) and are not tabled here.
     */
    static int flopsPerClockPerSm(int major, int minor, Precision p) {
        int fmas = switch (p) {
            case FP32 -> 64;
            case TF32 -> 512;
            case FP16, BF16 -> 1024;
        };
        int generation = major == 8 && minor == 0 ? 1 : major == 9 && minor == 0 ? 2 : 0;
        return 2 * fmas * generation;
    }
}
