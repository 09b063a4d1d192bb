package dev.inception.image;

import dev.inception.Tensor;
import dev.inception.model.Shape;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Keras's inception_v3.preprocess_input ('tf' mode): x / 127.5 - 1, per channel value, in float32 as numpy computes
 * it. The CPU twin of kernels/preprocess.cu.
 */
public final class Preprocess {

    private Preprocess() {
    }

    public static float value(int u8) {
        return u8 / 127.5f - 1f;
    }

    /** One image, already at the network's input size, to HWC float32. */
    public static float[] toFloats(RgbImage img) {
        return toFloats(img.pixels());
    }

    /** One decoded image as the network's input: resized to the input's height and width, then preprocessed. */
    public static float[] input(RgbImage img, Shape input, Interpolation how) {
        return toFloats(Resize.to(img, input.width(), input.height(), how));
    }

    /** Packed uint8 values (any number of images) to float32. */
    public static float[] toFloats(byte[] p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = value(p[i] & 0xff);
        }
        return out;
    }

    /** Resizes each image to height x width and packs the bytes into one NHWC uint8 batch. */
    public static byte[] packBytes(List<RgbImage> images, int height, int width, Interpolation how) {
        byte[] out = new byte[Math.multiplyExact(height * width * 3, images.size())];
        packInto(images, height, width, how, ByteBuffer.wrap(out));
        return out;
    }

    /**
     * {@link #packBytes} into dst from its index 0: the GPU packs a batch straight into its pinned upload buffer,
     * with no batch-sized array between (69 MB at batch 256, allocated, filled, then copied again).
     */
    public static void packInto(List<RgbImage> images, int height, int width, Interpolation how, ByteBuffer dst) {
        int per = height * width * 3;
        if ((long) per * images.size() > dst.capacity()) {
            throw new IllegalArgumentException(images.size() + " images of " + height + "x" + width
                    + " do not fit " + dst.capacity() + " bytes");
        }
        // Images are resized in parallel: one thread resizing 640x480 photos to 299x299 kept a batch of 256 at
        // 1.6k images/s on the H200's host while the GPU computes 10k (bench/results/2026-11-30-h200, end2end).
        java.util.stream.IntStream.range(0, images.size()).parallel().forEach(i -> {
            if (dst.hasArray()) {
                Resize.into(images.get(i), width, height, how, dst.array(), dst.arrayOffset() + i * per);
            } else {
                // one image's bytes, still in this core's cache, then one bulk copy (a direct buffer's byte-wise
                // puts are slower than an array's stores)
                dst.duplicate().put(i * per, Resize.to(images.get(i), width, height, how).pixels(), 0, per);
            }
        });
    }

    /** Resizes each image to height x width and stacks them into one NHWC batch. */
    public static Tensor batch(List<RgbImage> images, int height, int width, Interpolation how) {
        Shape shape = Shape.of(height, width, 3);
        return Tensor.stack(shape, images.stream().map(i -> input(i, shape, how)).toList());
    }
}
