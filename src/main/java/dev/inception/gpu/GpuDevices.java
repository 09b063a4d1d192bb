package dev.inception.gpu;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The CUDA driver's view of this machine. Call only after NativeStack.load() succeeded. */
public final class GpuDevices {

    /**
     * @param multiprocessors how many SMs
     * @param clockKHz        the SMs' peak clock
     * @param memoryClockKHz  the memory's peak clock (transfers happen on both edges)
     * @param memoryBusBits   the memory bus's width
     */
    public record Device(int ordinal, String name, int major, int minor, long totalBytes, int multiprocessors,
                         int clockKHz, int memoryClockKHz, int memoryBusBits) {
        public String computeCapability() {
            return major + "." + minor;
        }

        /**
         * SMs, clocks and memory bus, as info and bench results record them: what the roofline is computed from,
         * and what tells apart GPUs of one name.
         */
        public Map<String, Object> hardware() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sms", multiprocessors);
            m.put("clock_mhz", clockKHz / 1000);
            m.put("memory_clock_mhz", memoryClockKHz / 1000);
            m.put("memory_bus_bits", memoryBusBits);
            return m;
        }
    }

    /** @param error why devices could not be listed (cuInit failed, ...), or null */
    public record Report(int driverVersion, List<Device> devices, String error) {
        public String driverVersionString() {
            return driverVersion / 1000 + "." + (driverVersion % 1000) / 10;
        }
    }

    private GpuDevices() {
    }

    public static Report query() {
        int[] version = new int[1];
        try {
            JCudaDriver.cuDriverGetVersion(version);
            JCudaDriver.cuInit(0);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                CUdevice d = new CUdevice();
                JCudaDriver.cuDeviceGet(d, i);
                byte[] name = new byte[256];
                JCudaDriver.cuDeviceGetName(name, name.length, d);
                long[] bytes = new long[1];
                JCudaDriver.cuDeviceTotalMem(bytes, d);
                devices.add(new Device(i, cString(name),
                        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), bytes[0],
                        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE),
                        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                        attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH)));
            }
            return new Report(version[0], devices, null);
        } catch (CudaException e) {
            return new Report(version[0], List.of(), "the CUDA driver answered " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("NO_DEVICE") ? " (no GPU visible)" : ""));
        }
    }

    private static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, attribute, d);
        return v[0];
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
