package dev.inception.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

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
 *   <li><b>Submit-ahead.</b> Where an instance's runner {@link Runner#overlaps overlaps} batches (the GPU's
 *       pipelines: upload, preprocessing and the pass are enqueued, and the call returns), the instance starts the next
 *       batch from what queued up meanwhile before it answers the one in flight, as `predict` and the Spark job do:
 *       the next batch is packed and uploaded while this one computes, and the GPU does not wait for the host
 *       between batches under load. It takes only what is queued by then, waiting for nothing more, because the
 *       batch in flight is answered after it starts; with nothing queued, that batch is answered at once. Runners
 *       that do the whole pass when started (the CPU backends) are answered before the next
 *       starts.</li>
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

    /** What the batcher tells its observer (metrics): one call per forward pass, when it is answered. */
    public interface Observer {
        /** @param forwardNanos from the batch's start to its answers (with submit-ahead, behind the batch before) */
        void batch(int size, long queuedNanos, long forwardNanos);
    }

    /** One instance's engine as the batcher drives it. */
    @FunctionalInterface
    public interface Runner<I, O> {
        /** Starts one batch; the supplier waits for it and returns one result per input, in order. */
        Supplier<List<O>> start(List<I> batch);

        /**
         * Whether {@link #start} returns while the batch still runs, so that starting the next batch first costs
         * this one's answers no more than the host's share of that start. False: start does the whole pass, and each
         * batch is answered before the next starts.
         */
        default boolean overlaps() {
            return false;
        }

        /** A runner whose start does the whole pass. */
        static <I, O> Runner<I, O> of(Function<List<I>, List<O>> pass) {
            return batch -> {
                List<O> out = pass.apply(batch);
                return () -> out;
            };
        }
    }

    private record Work<I, O>(I input, CompletableFuture<O> result, long queuedAt) {
    }

    /** A batch started and not yet answered. */
    private record Started<I, O>(List<Work<I, O>> batch, Supplier<List<O>> result, long start) {
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
     * @param runners  one per instance
     * @param capacity images the queue holds before requests are refused
     * @param arriving images on their way to the queue (admitted, not yet submitted); a constant 1 waits the full
     *                 delay every time, as Triton's dynamic batcher does
     */
    public DynamicBatcher(List<Runner<I, O>> runners, int maxBatch, long maxDelayMicros, int capacity,
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
            Runner<I, O> runner = runners.get(i);
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

    private void loop(Runner<I, O> runner) {
        boolean ahead = runner.overlaps();
        Started<I, O> inFlight = null;   // only ever set where the runner overlaps
        while (true) {
            List<Work<I, O>> batch;
            if (inFlight == null) {
                try {
                    batch = gather();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (batch == null) {
                    return;   // closing, and nothing left
                }
            } else {
                batch = queuedNow();
                if (batch.isEmpty()) {
                    answer(inFlight);
                    inFlight = null;
                    continue;
                }
            }
            Started<I, O> started = start(runner, batch);
            if (inFlight != null) {
                answer(inFlight);
            }
            inFlight = ahead ? started : null;
            if (!ahead && started != null) {
                answer(started);
            }
        }
    }

    /**
     * Waits for a first image, then takes more until the batch is full, its delay is over, or nothing more is on its
     * way; null when the batcher is closing and the queue is empty.
     */
    private List<Work<I, O>> gather() throws InterruptedException {
        List<Work<I, O>> batch = new ArrayList<>(maxBatch);
        Work<I, O> first;
        do {
            first = queue.poll(50, TimeUnit.MILLISECONDS);
            if (first == null && closing && queue.isEmpty()) {
                return null;
            }
        } while (first == null);
        batch.add(first);
        long deadline = first.queuedAt() + maxDelayNanos;
        try {
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
            batch.forEach(w -> w.result().completeExceptionally(e));
            throw e;
        }
        return batch;
    }

    /** What is queued now, up to a full batch, without waiting: the next batch while one is in flight. */
    private List<Work<I, O>> queuedNow() {
        List<Work<I, O>> batch = new ArrayList<>(maxBatch);
        queue.drainTo(batch, maxBatch);
        return batch;
    }

    private List<I> inputs(List<Work<I, O>> batch) {
        return batch.stream().map(Work::input).toList();
    }

    /** Starts a batch; null when the start failed, which fails that batch's images (and only those). */
    private Started<I, O> start(Runner<I, O> runner, List<Work<I, O>> batch) {
        long start = System.nanoTime();
        try {
            return new Started<>(batch, runner.start(inputs(batch)), start);
        } catch (RuntimeException | Error e) {
            fail(batch, e, start);
            return null;
        }
    }

    /** Waits for a started batch and completes each image's future with its own row (or the batch's failure). */
    private void answer(Started<I, O> started) {
        List<Work<I, O>> batch = started.batch();
        try {
            List<O> out = started.result().get();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException | Error e) {
            fail(batch, e, started.start());
            return;
        }
        observer.batch(batch.size(), started.start() - batch.get(0).queuedAt(), System.nanoTime() - started.start());
    }

    private void fail(List<Work<I, O>> batch, Throwable e, long start) {
        batch.forEach(w -> w.result().completeExceptionally(e));
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
