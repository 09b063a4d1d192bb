package dev.inception.gpu;

import dev.inception.image.Interpolation;
import dev.inception.image.Resize;
import dev.inception.image.RgbImage;
import dev.inception.model.Shape;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * {@code --gpu-resize}: a batch of decoded images goes up at its own size, with PIL's resizing tables before it
 * (nearest: the source column of each output column and the source row of each output row; bilinear: the first
 * source index and the weights of each), and kernels/resize.cu resizes and preprocesses it into the network's input.
 * The host then only copies each image into the pipeline slot's pinned buffer (in parallel) instead of resizing it;
 * the copy stream carries the larger upload beside the compute.
 *
 * <p>A batch it cannot take (images of different sizes, a slot that would pass {@link #SLOT_LIMIT} or not fit the
 * free device memory) is resized on the host as without the switch; the first batch of each such kind is reported as
 * a {@link Fallback}, so that a figure measured with the switch says what ran. Images at the input size already are
 * copied on the host, as they always are, and not reported.
 */
public final class GpuResize {

    /** The most bytes a pipeline slot grows to for full-size images: twice, pinned and on the device, 2 GiB in all. */
    static final long SLOT_LIMIT = 512L << 20;
    /** Device memory left free after growing the slots, for cuDNN and the rest of the process. */
    static final long HEADROOM = 256L << 20;
    /** The slots that grow on the device (each one's pinned twin is host memory). */
    private static final long SLOTS_GROWN = TransferPipeline.SLOTS;
    /** The tables are padded so that the images start aligned. */
    static final int ALIGN = 256;

    private final String input;
    private final Consumer<Fallback> fallbacks;
    private final Set<String> reported = new HashSet<>();

    /** @param input the input layer's name, which fallbacks name as their step */
    GpuResize(String input, Consumer<Fallback> fallbacks) {
        this.input = input;
        this.fallbacks = fallbacks;
    }

    /**
     * The batch as the GPU resizes it, with the pipeline's slots grown to hold it where needed; or null where the host
     * resizes it (reported once per reason).
     *
     * @param freeDevice the device's free memory now, which growing the slots must leave {@link #HEADROOM} of
     */
    Sources take(List<RgbImage> images, Interpolation how, Shape shape, TransferPipeline pipeline, long freeDevice) {
        if (images.isEmpty()) {
            return null;
        }
        RgbImage first = images.get(0);
        boolean sameSize = images.stream().allMatch(i -> i.width() == first.width() && i.height() == first.height());
        if (sameSize && first.width() == shape.width() && first.height() == shape.height()) {
            return null;
        }
        String why = null;
        Sources s = sameSize ? new Sources(images, how, shape.width(), shape.height()) : null;
        if (s == null) {
            why = "the batch's images differ in size";
        } else if (s.bytes() > SLOT_LIMIT) {
            why = String.format(java.util.Locale.ROOT, "%d images of %dx%d take %.0f MiB, over a pipeline slot's"
                    + " limit of %d MiB", images.size(), first.width(), first.height(), s.bytes() / 1048576.0,
                    SLOT_LIMIT >> 20);
        } else if (s.bytes() > pipeline.capacity()
                && SLOTS_GROWN * (s.bytes() - pipeline.capacity()) + HEADROOM > freeDevice) {
            why = "the device has too little free memory for larger pipeline slots";
        } else if (!pipeline.grow(s.bytes())) {
            why = "pinned or device memory for larger pipeline slots could not be allocated";
        }
        if (why == null) {
            return s;
        }
        if (reported.add(why)) {
            fallbacks.accept(new Fallback(input, images.size(), "kernel resize_"
                    + how.name().toLowerCase(java.util.Locale.ROOT) + " (--gpu-resize)", "resized on the host", why));
        }
        return null;
    }

    /** The bytes a batch of same-sized images takes in a pipeline slot: tables and images. */
    public static long slotBytes(List<RgbImage> images, Interpolation how, int width, int height) {
        return new Sources(images, how, width, height).bytes();
    }

    /**
     * The host's whole share of a batch resized on the GPU: its tables and images written into a buffer as into a
     * pipeline slot's pinned buffer ({@code bench --scope host --gpu-resize} times it beside the host's resizing).
     */
    public static void pack(List<RgbImage> images, Interpolation how, int width, int height, ByteBuffer pinned) {
        new Sources(images, how, width, height).fill(pinned);
    }

    /**
     * A batch of same-sized images to resize on the GPU, and its layout in a slot: the tables one after another
     * (nearest: xs, width ints, then ys, height ints; bilinear: the columns' first indices and weights, then the
     * rows'), padded to {@link #ALIGN}, then the images' bytes one after another.
     */
    static final class Sources {
        private final List<RgbImage> images;
        private final Interpolation how;
        private final int width;
        private final int height;
        private final List<int[]> tables;
        private final int xTaps;
        private final int yTaps;

        Sources(List<RgbImage> images, Interpolation how, int width, int height) {
            this.images = images;
            this.how = how;
            this.width = width;
            this.height = height;
            int srcWidth = images.get(0).width();
            int srcHeight = images.get(0).height();
            if (how == Interpolation.NEAREST) {
                tables = List.of(Resize.nearestIndices(srcWidth, width), Resize.nearestIndices(srcHeight, height));
                xTaps = 0;
                yTaps = 0;
            } else {
                Resize.Taps x = Resize.Taps.bilinear(srcWidth, width);
                Resize.Taps y = Resize.Taps.bilinear(srcHeight, height);
                tables = List.of(x.start(), x.weights(), y.start(), y.weights());
                xTaps = x.taps();
                yTaps = y.taps();
            }
        }

        int srcWidth() {
            return images.get(0).width();
        }

        int srcHeight() {
            return images.get(0).height();
        }

        /** Where table k starts in the slot, in bytes. */
        long tableOffset(int k) {
            return tables.subList(0, k).stream().mapToLong(t -> t.length * 4L).sum();
        }

        long tablesBytes() {
            long t = tableOffset(tables.size());
            return (t + ALIGN - 1) / ALIGN * ALIGN;
        }

        long imageBytes() {
            return (long) srcWidth() * srcHeight() * 3;
        }

        long bytes() {
            return tablesBytes() + images.size() * imageBytes();
        }

        /** Writes the tables and the images into a slot's pinned buffer (native byte order), the images in parallel. */
        void fill(ByteBuffer pinned) {
            IntBuffer ints = pinned.duplicate().order(java.nio.ByteOrder.nativeOrder()).asIntBuffer();
            tables.forEach(ints::put);
            int at = Math.toIntExact(tablesBytes());
            int per = Math.toIntExact(imageBytes());
            IntStream.range(0, images.size()).parallel()
                    .forEach(i -> pinned.duplicate().put(at + i * per, images.get(i).pixels(), 0, per));
        }

        /** Enqueues the kernel that makes the input tensor dst from the slot's device copy. */
        void enqueue(KernelModule kernels, CUstream stream, StorageType type, CUdeviceptr dst, CUdeviceptr slot) {
            CUdeviceptr src = slot.withByteOffset(tablesBytes());
            CUdeviceptr[] t = IntStream.range(0, tables.size()).mapToObj(k -> slot.withByteOffset(tableOffset(k)))
                    .toArray(CUdeviceptr[]::new);
            if (how == Interpolation.NEAREST) {
                kernels.resizeNearest(stream, type, dst, src, t[0], t[1], images.size(), width, height, srcWidth(),
                        srcHeight());
            } else {
                kernels.resizeBilinear(stream, type, dst, src, t[0], t[1], xTaps, t[2], t[3], yTaps, images.size(),
                        width, height, srcWidth(), srcHeight());
            }
        }
    }
}
