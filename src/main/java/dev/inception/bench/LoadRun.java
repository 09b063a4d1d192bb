package dev.inception.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed-loop load generator: {@code clients} threads each send one request, wait for its answer, and send the
 * next, until {@code requests} have been sent in all or {@code maxSeconds} have passed. Latency is measured per
 * request on the client (System.nanoTime around the whole exchange); throughput is successful images per second of
 * wall time. Refusals (503) and failures are counted, not timed.
 */
public final class LoadRun {

    /** One level of concurrency, measured. */
    public record Result(int clients, int ok, int refused, int failed, double seconds, LatencyStats latencyMs) {
        public double imagesPerSecond() {
            return ok / seconds;
        }
    }

    private LoadRun() {
    }

    public static Result run(HttpClient http, URI url, byte[] body, int clients, int requests, double maxSeconds)
            throws InterruptedException {
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<Double>>> perClient = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            perClient.add(pool.submit(() -> {
                List<Double> ms = new ArrayList<>();
                HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                while (sent.getAndIncrement() < requests && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            ms.add((System.nanoTime() - t0) / 1e6);
                        } else if (r.statusCode() == 503) {
                            refused.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        failed.incrementAndGet();
                    }
                }
                return ms;
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> f : perClient) {
            try {
                all.addAll(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a load client failed: " + e.getCause(), e.getCause());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        if (all.isEmpty()) {
            throw new IllegalStateException("no request succeeded at " + clients + " clients (" + refused.get()
                    + " refused, " + failed.get() + " failed): is the server up at " + url + "?");
        }
        return new Result(clients, all.size(), refused.get(), failed.get(), seconds,
                LatencyStats.of(all.stream().mapToDouble(Double::doubleValue).toArray()));
    }
}
