package dev.inception.serve;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batcher with plain functions for engines: what forms, who gets which row, overload, failures, draining. */
class DynamicBatcherTest {

    private static final DynamicBatcher.Observer NONE = (size, queued, forward) -> { };
    /** Always something on its way: every batch waits its full delay, as Triton's does. */
    private static final java.util.function.IntSupplier ALWAYS = () -> 1;

    /** Doubles each input, and records the size of every batch it ran. */
    private static DynamicBatcher.Runner<Integer, Integer> doubling(List<Integer> sizes) {
        return DynamicBatcher.Runner.of(batch -> {
            sizes.add(batch.size());
            return batch.stream().map(x -> 2 * x).toList();
        });
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnRow() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(64);
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(List.of(doubling(sizes)), 16, 20_000, 256, ALWAYS, NONE)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int x = i;
                answers.add(clients.submit(() -> {
                    go.await();
                    return b.submit(List.of(x)).get(0).get(10, TimeUnit.SECONDS);
                }));
            }
            go.countDown();
            for (int i = 0; i < 64; i++) {
                assertEquals(2 * i, answers.get(i).get());
            }
        } finally {
            clients.shutdown();
        }
        assertEquals(64, sizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(sizes.stream().allMatch(s -> s <= 16), "no batch over maxBatch: " + sizes);
        assertTrue(sizes.stream().anyMatch(s -> s > 1), "batches larger than 1 form: " + sizes);
    }

    @Test
    void withMaxBatchOneEveryImageRunsAlone() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(List.of(doubling(sizes)), 1, 20_000, 8, ALWAYS, NONE)) {
            List<CompletableFuture<Integer>> f = b.submit(List.of(1, 2, 3));
            assertEquals(List.of(2, 4, 6), List.of(f.get(0).get(), f.get(1).get(), f.get(2).get()));
        }
        assertEquals(List.of(1, 1, 1), sizes);
    }

    @Test
    void aFullQueueRefusesWholeRequestsAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        DynamicBatcher.Runner<Integer, Integer> blocked = DynamicBatcher.Runner.of(batch -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return batch;
        });
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(List.of(blocked), 1, 0, 4, ALWAYS, NONE)) {
            List<CompletableFuture<Integer>> first = b.submit(List.of(0));
            running.await();                              // the instance holds image 0; the queue is empty
            List<CompletableFuture<Integer>> waiting = b.submit(List.of(1, 2, 3));
            assertEquals(3, b.depth());
            // two images into one free slot: refused whole, nothing queued
            assertThrows(DynamicBatcher.Overloaded.class, () -> b.submit(List.of(4, 5)));
            assertEquals(3, b.depth());
            b.submit(List.of(6));
            assertThrows(DynamicBatcher.Overloaded.class, () -> b.submit(List.of(7)));
            release.countDown();
            assertEquals(0, first.get(0).get());
            assertEquals(3, waiting.get(2).get());
        }
    }

    @Test
    void aFailedForwardPassFailsItsBatchOnly() throws Exception {
        DynamicBatcher.Runner<Integer, Integer> failsOnNegative = DynamicBatcher.Runner.of(batch -> {
            if (batch.stream().anyMatch(x -> x < 0)) {
                throw new IllegalStateException("negative input");
            }
            return batch;
        });
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(List.of(failsOnNegative), 1, 0, 8, ALWAYS, NONE)) {
            List<CompletableFuture<Integer>> f = b.submit(List.of(1, -1, 2));
            assertEquals(1, f.get(0).get());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1).get());
            assertEquals("negative input", e.getCause().getMessage());
            assertEquals(2, f.get(2).get());
        }
    }

    @Test
    void closeFinishesEverythingQueuedThenRefuses() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        DynamicBatcher.Runner<Integer, Integer> slow = batch -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return doubling(sizes).start(batch);
        };
        DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(List.of(slow, slow), 2, 1_000, 64, ALWAYS, NONE);
        List<CompletableFuture<Integer>> queued = b.submit(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        b.close();
        for (int i = 0; i < queued.size(); i++) {
            assertTrue(queued.get(i).isDone(), "image " + i + " finished before close returned");
            assertEquals(2 * i, queued.get(i).get());
        }
        assertThrows(DynamicBatcher.Overloaded.class, () -> b.submit(List.of(1)));
    }

    @Test
    void aBatchWaitsForImagesOnTheirWayAndNotForOthers() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger arriving = new java.util.concurrent.atomic.AtomicInteger();
        // a ten-second delay that must never be waited out: nothing is on its way
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(List.of(doubling(sizes)), 8, 10_000_000, 16,
                arriving::get, NONE)) {
            assertEquals(4, b.submit(List.of(2)).get(0).get(5, TimeUnit.SECONDS));
            // one image announced: the batch holds until it comes, then runs with both
            arriving.set(1);
            CompletableFuture<Integer> first = b.submit(List.of(3)).get(0);
            Thread.sleep(50);
            assertTrue(!first.isDone(), "the batch waits for the image on its way");
            CompletableFuture<Integer> second = b.submit(List.of(4)).get(0);
            arriving.set(0);
            assertEquals(6, first.get(5, TimeUnit.SECONDS));
            assertEquals(8, second.get(5, TimeUnit.SECONDS));
        }
        assertEquals(List.of(1, 2), sizes);
    }

    /**
     * A runner that records when each batch starts and when it is answered, doubling each input; its first start
     * holds until {@code release}, so that a test queues images behind it. Inputs below zero fail at start, zeros
     * when answered.
     */
    private static DynamicBatcher.Runner<Integer, Integer> recording(List<String> events, boolean overlaps,
                                                                     CountDownLatch holding, CountDownLatch release) {
        return new DynamicBatcher.Runner<>() {
            @Override
            public java.util.function.Supplier<List<Integer>> start(List<Integer> batch) {
                events.add("start " + batch);
                if (holding.getCount() > 0) {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                if (batch.stream().anyMatch(x -> x < 0)) {
                    throw new IllegalStateException("refused at start");
                }
                return () -> {
                    events.add("answer " + batch);
                    if (batch.contains(0)) {
                        throw new IllegalStateException("failed in flight");
                    }
                    return batch.stream().map(x -> 2 * x).toList();
                };
            }

            @Override
            public boolean overlaps() {
                return overlaps;
            }
        };
    }

    /** Batches {1}, then {2, 3, 4} queued while the first was starting; the events of the instance that ran them. */
    private static List<String> twoBatches(boolean overlaps) throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(
                List.of(recording(events, overlaps, holding, release)), 8, 1_000_000, 16, () -> 0, NONE)) {
            CompletableFuture<Integer> one = b.submit(List.of(1)).get(0);
            holding.await();
            List<CompletableFuture<Integer>> more = b.submit(List.of(2, 3));
            more.addAll(b.submit(List.of(4)));
            release.countDown();
            assertEquals(2, one.get(5, TimeUnit.SECONDS));
            // the last batch is answered with nothing behind it: nothing waits for a batch that never comes
            assertEquals(List.of(4, 6, 8), List.of(more.get(0).get(5, TimeUnit.SECONDS),
                    more.get(1).get(5, TimeUnit.SECONDS), more.get(2).get(5, TimeUnit.SECONDS)));
        }
        return events;
    }

    @Test
    void anOverlappingRunnerStartsTheNextBatchBeforeAnsweringTheOneInFlight() throws Exception {
        assertEquals(List.of("start [1]", "start [2, 3, 4]", "answer [1]", "answer [2, 3, 4]"), twoBatches(true));
    }

    @Test
    void aRunnerThatDoesItsPassInStartIsAnsweredBeforeTheNextStarts() throws Exception {
        assertEquals(List.of("start [1]", "answer [1]", "start [2, 3, 4]", "answer [2, 3, 4]"), twoBatches(false));
    }

    /** Ahead of the batch in flight, a start that fails and an answer that fails each fail their own batch only. */
    @Test
    void failuresWhileABatchIsInFlightFailTheirOwnBatchOnly() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>(
                List.of(recording(events, true, holding, release)), 1, 0, 8, () -> 0, NONE)) {
            CompletableFuture<Integer> one = b.submit(List.of(1)).get(0);
            holding.await();
            List<CompletableFuture<Integer>> f = b.submit(List.of(-1, 0, 5));
            release.countDown();
            assertEquals(2, one.get(5, TimeUnit.SECONDS));
            ExecutionException refused = assertThrows(ExecutionException.class, () -> f.get(0).get(5, TimeUnit.SECONDS));
            assertEquals("refused at start", refused.getCause().getMessage());
            ExecutionException failed = assertThrows(ExecutionException.class, () -> f.get(1).get(5, TimeUnit.SECONDS));
            assertEquals("failed in flight", failed.getCause().getMessage());
            assertEquals(10, f.get(2).get(5, TimeUnit.SECONDS));
        }
        assertEquals(List.of("start [1]", "start [-1]", "answer [1]", "start [0]", "start [5]", "answer [0]",
                "answer [5]"), events);
    }

    /** GPU batches are padded up to these sizes: powers of two below the maximum, then the maximum itself. */
    @Test
    void gpuBatchSizesArePowersOfTwoAndTheMaximum() {
        assertEquals(List.of(1, 2, 4, 8, 16, 32), ServedModel.buckets(32));
        assertEquals(List.of(1, 2, 4, 8, 16, 24), ServedModel.buckets(24));
        assertEquals(List.of(1), ServedModel.buckets(1));
        assertEquals(List.of(1, 2), ServedModel.buckets(2));
    }
}
