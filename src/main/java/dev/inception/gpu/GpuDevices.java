package dev.inception.gpu;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.List;

/** The CUDA driver's view of this machine. Call only after NativeStack.load() succeeded. */
public final class GpuDevices {

    public record Device(int ordinal, String name, int major, int minor, long totalBytes) {
        public String computeCapability() {
            return major + "." + minor;
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
                int[] major = new int[1];
                int[] minor = new int[1];
                JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
                JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
                long[] bytes = new long[1];
                JCudaDriver.cuDeviceTotalMem(bytes, d);
                devices.add(new Device(i, cString(name), major[0], minor[0], bytes[0]));
            }
            return new Report(version[0], devices, null);
        } catch (CudaException e) {
            return new Report(version[0], List.of(), "the CUDA driver answered " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("NO_DEVICE") ? " (no GPU visible)" : ""));
        }
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
