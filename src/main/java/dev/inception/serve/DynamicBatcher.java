package dev.inception.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Dynamic batching, as Triton's dynamic batcher does it: requests put their images in one bounded queue; each
 * instance (an engine, with a thread of its own) takes the first image waiting, then keeps taking until it has
 * {@code maxBatch} images or {@code maxDelay} has passed since that first one was queued, runs one forward pass
 * and completes each image's future with its own row. It waits only for images known to be on their way
 * ({@code arriving}: requests admitted and still being decoded): a lone request at low load runs at once instead of
 * sitting out the delay, while at high load a batch fills from the queue and from the requests in flight.
 *
 * <ul>
 *   <li><b>Overload.</b> A request whose images do not all fit in the queue is refused at once, whole
 *       ({@link Overloaded}): latency stays bounded by the queue's length, never by the load.</li>
 *   <li><b>Failures.</b> A failed forward pass fails the images of that batch only. Requests are checked before
 *       they are queued (shape, finiteness, decoding), so one bad input never reaches a batch.</li>
 *   <li><b>Shutdown.</b> {@link #close()} refuses new work, lets the instances finish everything already queued,
 *       then returns.</li>
 * </ul>
 *
 * @param <I> one queued input (a preprocessed image)
 * @param <O> its result (a row of probabilities)
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

    /** The queue is full: the caller should answer 503 and ask the client to retry. */
    public static final class Overloaded extends RuntimeException {
        Overloaded(String message) {
            super(message);
        }
    }

    /** What the batcher tells its observer (metrics): one call per forward pass. */
    public interface Observer {
        void batch(int size, long queuedNanos, long forwardNanos);
    }

    private record Work<I, O>(I input, CompletableFuture<O> result, long queuedAt) {
    }

    /** How often a waiting batch looks again at what is on its way. */
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final BlockingQueue<Work<I, O>> queue;
    private final int capacity;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final Observer observer;
    private final java.util.function.IntSupplier arriving;
    private final List<Thread> instances = new ArrayList<>();
    private final Object admission = new Object();
    private volatile boolean closing;

    /**
     * @param runners  one function per instance: a batch of inputs to one result each, in order
     * @param capacity images the queue holds before requests are refused
     * @param arriving images on their way to the queue (admitted, not yet submitted); a constant 1 waits the full
     *                 delay every time, as Triton's dynamic batcher does
     */
    public DynamicBatcher(List<Function<List<I>, List<O>>> runners, int maxBatch, long maxDelayMicros, int capacity,
                          java.util.function.IntSupplier arriving, Observer observer) {
        if (runners.isEmpty() || maxBatch < 1 || maxDelayMicros < 0 || capacity < maxBatch) {
            throw new IllegalArgumentException("need at least one instance, maxBatch >= 1, maxDelay >= 0 and a queue"
                    + " of at least maxBatch");
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.capacity = capacity;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
        this.observer = observer;
        this.arriving = arriving;
        for (int i = 0; i < runners.size(); i++) {
            Function<List<I>, List<O>> runner = runners.get(i);
            Thread t = new Thread(() -> loop(runner), "batcher-" + i);
            t.setDaemon(true);
            instances.add(t);
            t.start();
        }
    }

    /** Images the queue holds before requests are refused. */
    public int capacity() {
        return capacity;
    }

    /** Images waiting, for the queue-depth gauge. */
    public int depth() {
        return queue.size();
    }

    /**
     * Queues every input of one request, or none of them.
     *
     * @return one future per input, completed by the instance that runs it
     * @throws Overloaded when the queue cannot take them all, or the batcher is closing
     */
    public List<CompletableFuture<O>> submit(List<I> inputs) {
        List<CompletableFuture<O>> futures = new ArrayList<>();
        synchronized (admission) {
            // all or nothing: a request half queued would hold its slots for nothing
            if (closing) {
                throw new Overloaded("the server is shutting down");
            }
            if (inputs.size() > capacity - queue.size()) {
                throw new Overloaded("the queue is full (" + queue.size() + " of " + capacity + " images waiting)");
            }
            long now = System.nanoTime();
            for (I input : inputs) {
                CompletableFuture<O> f = new CompletableFuture<>();
                queue.add(new Work<>(input, f, now));
                futures.add(f);
            }
        }
        return futures;
    }

    private void loop(Function<List<I>, List<O>> runner) {
        while (true) {
            List<Work<I, O>> batch = new ArrayList<>(maxBatch);
            try {
                Work<I, O> first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                long deadline = first.queuedAt() + maxDelayNanos;
                while (batch.size() < maxBatch) {
                    Work<I, O> next = queue.poll();
                    if (next == null) {
                        long wait = deadline - System.nanoTime();
                        if (wait <= 0 || arriving.getAsInt() == 0) {
                            break;   // nothing queued, and nothing on its way (or no time left to wait for it)
                        }
                        // short polls, so that the wait ends as soon as nothing is on its way any more
                        next = queue.poll(Math.min(wait, POLL_NANOS), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            continue;
                        }
                    }
                    batch.add(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(w -> w.result().completeExceptionally(e));
                return;
            }
            run(runner, batch);
        }
    }

    private void run(Function<List<I>, List<O>> runner, List<Work<I, O>> batch) {
        long start = System.nanoTime();
        try {
            List<O> out = runner.apply(batch.stream().map(Work::input).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(w -> w.result().completeExceptionally(e));
        }
        observer.batch(batch.size(), start - batch.get(0).queuedAt(), System.nanoTime() - start);
    }

    /** Refuses new work, finishes what is queued, and stops the instances. */
    @Override
    public void close() {
        synchronized (admission) {
            closing = true;
        }
        for (Thread t : instances) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
