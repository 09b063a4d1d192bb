package dev.inception.image;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Decodes the next batches of images on a small pool while the caller runs the network on the current one: the
 * network and the decoder overlap instead of taking turns. Bounded (at most {@code ahead} batches decoded or in
 * flight beyond the one being handed out), in order, and an unreadable image is an item with its error, as when
 * decoding inline. Close it to stop the pool.
 *
 * <p>Memory: each worker resizes its image to the network's input as soon as it is decoded ({@link #resizingTo}),
 * so what waits in the queue is (ahead + 1) x batch images of the input size, whatever the files' sizes; a full-size
 * image only lives while one worker decodes it. A decode the heap cannot hold fails that image, not the run.
 *
 * @param <T> what each image comes from (a path, a sample of an image folder)
 */
public final class DecodeAhead<T> implements Iterator<List<DecodeAhead.Item<T>>>, AutoCloseable {

    /** One image of a batch: decoded, or the reason it could not be. */
    public record Item<T>(T source, RgbImage image, ImageDecodeException error) {
    }

    /** The readable images of a batch and what each came from, in order. */
    public record Decoded<T>(List<T> sources, List<RgbImage> images) {
        public static <T> Decoded<T> of(List<Item<T>> items) {
            List<T> sources = new ArrayList<>();
            List<RgbImage> images = new ArrayList<>();
            for (Item<T> item : items) {
                if (item.error() == null) {
                    sources.add(item.source());
                    images.add(item.image());
                }
            }
            return new Decoded<>(sources, images);
        }
    }

    /** Decoding threads by default where the network runs on the CPU: it already uses every core, and two keep it fed. */
    public static final int THREADS = 2;

    /**
     * Decoding threads for a backend: {@link #THREADS} where the network runs on the CPU's cores; on the GPU every
     * core but the one that submits the batches (at least {@link #THREADS}), since there the network leaves the cores
     * free, and two threads decode a few hundred 640x480 JPEGs a second against the thousands the GPU classifies.
     */
    public static int threadsFor(String backend) {
        return backend.equals("gpu") ? Math.max(THREADS, Runtime.getRuntime().availableProcessors() - 1) : THREADS;
    }

    private final List<T> sources;
    private final Function<T, Path> path;
    private final Reader read;
    private final int batch;
    private final int ahead;
    private final int threads;
    private final ExecutorService pool;
    private final Deque<List<Future<Item<T>>>> pending = new ArrayDeque<>();
    private int submitted;

    /** How a worker reads one file: decoded, and usually resized to the network's input ({@link #resizingTo}). */
    @FunctionalInterface
    public interface Reader {
        RgbImage read(Path file) throws ImageDecodeException;
    }

    /**
     * Decodes each file and resizes it to {@code height x width} in the worker, as the network will see it (with
     * nearest resizing, only the pixels kept are converted: {@link ImageDecoder.Size}).
     */
    public static Reader resizingTo(int height, int width, Interpolation how) {
        ImageDecoder.Size size = new ImageDecoder.Size(width, height, how);
        return file -> ImageDecoder.read(file, size);
    }

    /** {@link #THREADS} threads, one batch ahead; {@code read} reads each file in the worker. */
    public DecodeAhead(List<T> sources, Function<T, Path> path, int batch, Reader read) {
        this(sources, path, batch, read, THREADS);
    }

    /** One batch ahead, on this many threads ({@link #threadsFor} a backend, or the user's choice). */
    public DecodeAhead(List<T> sources, Function<T, Path> path, int batch, Reader read, int threads) {
        this(sources, path, batch, read, threads, 1);
    }

    /**
     * @param read    how each worker reads its file (usually {@link #resizingTo} the input size)
     * @param threads decoding threads ({@link #threadsFor})
     * @param ahead   batches decoded beyond the current one (memory: ahead x batch images as {@code read} gives them)
     */
    public DecodeAhead(List<T> sources, Function<T, Path> path, int batch, Reader read, int threads,
                       int ahead) {
        if (batch < 1 || threads < 1 || ahead < 0) {
            throw new IllegalArgumentException("batch and threads must be at least 1, ahead at least 0");
        }
        this.sources = List.copyOf(sources);
        this.path = path;
        this.read = read;
        this.batch = batch;
        this.ahead = ahead;
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "decode-ahead");
            t.setDaemon(true);
            return t;
        });
        fill();
    }

    /** Keeps the current batch and {@code ahead} more submitted. */
    private void fill() {
        while (pending.size() <= ahead && submitted < sources.size()) {
            List<Future<Item<T>>> b = new ArrayList<>();
            for (T s : sources.subList(submitted, Math.min(submitted + batch, sources.size()))) {
                b.add(pool.submit(() -> decode(s)));
            }
            submitted += b.size();
            pending.add(b);
        }
    }

    private Item<T> decode(T source) {
        Path file = path.apply(source);
        try {
            return new Item<>(source, read.read(file), null);
        } catch (ImageDecodeException e) {
            return new Item<>(source, null, e);
        } catch (OutOfMemoryError e) {
            // the image's own buffers are the large allocation that failed; they are garbage now, and the next
            // image starts afresh. The run goes on; this image gets the reason and the fix
            return new Item<>(source, null, new ImageDecodeException(file + ": too large to decode in this Java heap"
                    + " (at most " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, shared by " + threads
                    + " decoding threads and the batches in flight); downscale it, use a smaller --batch or fewer"
                    + " --decode-threads, or give Java more heap, e.g. INCEPTION_JAVA_OPTS=-Xmx8g", e));
        }
    }

    @Override
    public boolean hasNext() {
        return !pending.isEmpty();
    }

    @Override
    public List<Item<T>> next() {
        if (pending.isEmpty()) {
            throw new NoSuchElementException();
        }
        List<Item<T>> items = new ArrayList<>();
        for (Future<Item<T>> f : pending.poll()) {
            try {
                items.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while decoding images", e);
            } catch (ExecutionException e) {
                // ImageDecoder reports every failure it knows as ImageDecodeException; anything else is a bug
                throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
            }
        }
        fill();
        return items;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
