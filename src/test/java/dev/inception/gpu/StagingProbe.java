package dev.inception.gpu;

import dev.inception.Precision;
import dev.inception.nativelib.NativeStack;

import java.util.Arrays;
import java.util.List;

/**
 * Run in a forked JVM by FakeGpuTest, on the fake GPU whose copies are real memcpy: uploads and downloads through a
 * staging buffer far smaller than the data (16 floats), so that every transfer goes in pieces, and prints whether
 * the values came back unchanged.
 */
public final class StagingProbe {

    public static void main(String[] args) {
        NativeStack.load();
        float[] a = new float[1000];
        float[] b = new float[37];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f - 7;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = -i;
        }
        byte[] bytes = new byte[301];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        try (CudaContext cx = new CudaContext(0, Precision.FP32);
             DeviceBuffer da = new DeviceBuffer(a.length * 4L, "a");
             DeviceBuffer db = new DeviceBuffer(b.length * 4L, "b");
             DeviceBuffer dc = new DeviceBuffer(bytes.length, "c");
             Staging s = new Staging(1 << 20, 64)) {
            s.upload(a, da.ptr(), cx.stream());
            s.upload(b, db.ptr(), cx.stream());
            s.upload(bytes, dc.ptr(), cx.stream());
            float[] a2 = new float[a.length];
            float[] b2 = new float[b.length];
            s.download(List.of(new Staging.Download(da.ptr(), a2), new Staging.Download(db.ptr(), b2)), cx.stream());
            // the bytes, read back as floats through the same path: 300 of them are 75 floats
            float[] c2 = new float[75];
            s.download(List.of(new Staging.Download(dc.ptr(), c2)), cx.stream());
            java.nio.ByteBuffer packed = java.nio.ByteBuffer.allocate(300).order(java.nio.ByteOrder.nativeOrder());
            packed.asFloatBuffer().put(c2);
            System.out.println("staging bytes=" + s.bytes());
            System.out.println("staging floats round trip=" + (Arrays.equals(a, a2) && Arrays.equals(b, b2)));
            System.out.println("staging bytes round trip=" + Arrays.equals(Arrays.copyOf(bytes, 300), packed.array()));
        }
    }
}
