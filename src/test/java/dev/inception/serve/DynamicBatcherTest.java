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
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batcher with plain functions for engines: what forms, who gets which row, overload, failures, draining. */
class DynamicBatcherTest {

    private static final DynamicBatcher.Observer NONE = (size, queued, forward) -> { };
    /** Always something on its way: every batch waits its full delay, as Triton's does. */
    private static final java.util.function.IntSupplier ALWAYS = () -> 1;

    /** Doubles each input, and records the size of every batch it ran. */
    private static Function<List<Integer>, List<Integer>> doubling(List<Integer> sizes) {
        return batch -> {
            sizes.add(batch.size());
            return batch.stream().map(x -> 2 * x).toList();
        };
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
        Function<List<Integer>, List<Integer>> blocked = batch -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return batch;
        };
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
        Function<List<Integer>, List<Integer>> failsOnNegative = batch -> {
            if (batch.stream().anyMatch(x -> x < 0)) {
                throw new IllegalStateException("negative input");
            }
            return batch;
        };
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
        Function<List<Integer>, List<Integer>> slow = batch -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return doubling(sizes).apply(batch);
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

    /** GPU batches are padded up to these sizes: powers of two below the maximum, then the maximum itself. */
    @Test
    void gpuBatchSizesArePowersOfTwoAndTheMaximum() {
        assertEquals(List.of(1, 2, 4, 8, 16, 32), ServedModel.buckets(32));
        assertEquals(List.of(1, 2, 4, 8, 16, 24), ServedModel.buckets(24));
        assertEquals(List.of(1), ServedModel.buckets(1));
        assertEquals(List.of(1, 2), ServedModel.buckets(2));
    }
}
