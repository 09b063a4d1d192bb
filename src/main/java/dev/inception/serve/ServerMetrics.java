package dev.inception.serve;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The server's Prometheus metrics, through Micrometer:
 * <ul>
 *   <li>{@code inception_requests_seconds} (count, sum, histogram) by endpoint and HTTP status;</li>
 *   <li>{@code inception_requests_in_flight} inference requests admitted and not yet answered;</li>
 *   <li>{@code inception_queue_depth} images waiting, by model;</li>
 *   <li>{@code inception_batch_size} (histogram) images per forward pass, by model;</li>
 *   <li>{@code inception_forward_seconds} and {@code inception_queue_wait_seconds} (histograms), by model;</li>
 *   <li>{@code inception_images_total} images classified, and {@code inception_images_per_second} over the last
 *       ten seconds, by model.</li>
 * </ul>
 */
public final class ServerMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    void request(String endpoint, int status, long nanos) {
        Timer.builder("inception.requests").description("HTTP requests by endpoint and status")
                .tag("endpoint", endpoint).tag("status", String.valueOf(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The gauge of requests admitted and not yet answered (the server refuses more than its cap with 503). */
    void inFlight(java.util.function.IntSupplier requests) {
        Gauge.builder("inception.requests.in.flight", requests::getAsInt)
                .description("inference requests admitted and not yet answered").register(registry);
    }

    /** The queue-depth gauge of one model. */
    void queueDepth(String model, java.util.function.IntSupplier depth) {
        Gauge.builder("inception.queue.depth", depth::getAsInt).description("images waiting for a batch")
                .tag("model", model).register(registry);
    }

    /** The histograms of one model; its batcher reports every forward pass here. */
    DynamicBatcher.Observer model(String name) {
        DistributionSummary batch = DistributionSummary.builder("inception.batch.size")
                .description("images per forward pass").tag("model", name)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
        Timer forward = Timer.builder("inception.forward").description("a batch from its start to its answers (on a GPU under load, behind the batch before it)")
                .tag("model", name).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        Timer wait = Timer.builder("inception.queue.wait").description("first image's wait before its batch ran")
                .tag("model", name).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        var images = io.micrometer.core.instrument.Counter.builder("inception.images")
                .description("images classified").tag("model", name).register(registry);
        Rate rate = new Rate();
        Gauge.builder("inception.images.per.second", rate::perSecond)
                .description("images classified per second over the last ten seconds").tag("model", name)
                .register(registry);
        return (size, queuedNanos, forwardNanos) -> {
            batch.record(size);
            forward.record(forwardNanos, TimeUnit.NANOSECONDS);
            wait.record(queuedNanos, TimeUnit.NANOSECONDS);
            images.increment(size);
            rate.add(size);
        };
    }

    /** Prometheus text format 0.0.4. */
    String scrape() {
        return registry.scrape();
    }

    /** Events per second over the last ten whole seconds, from one counter per second of a ring. */
    static final class Rate {
        private static final int SECONDS = 10;
        private final AtomicLongArray counts = new AtomicLongArray(SECONDS);
        private final AtomicLongArray stamps = new AtomicLongArray(SECONDS);

        synchronized void add(long n) {
            long now = System.currentTimeMillis() / 1000;
            int slot = (int) (now % SECONDS);
            if (stamps.get(slot) != now) {
                stamps.set(slot, now);
                counts.set(slot, 0);
            }
            counts.addAndGet(slot, n);
        }

        synchronized double perSecond() {
            long now = System.currentTimeMillis() / 1000;
            long sum = 0;
            for (int i = 0; i < SECONDS; i++) {
                // the ten seconds before this one; the current second is still counting
                if (stamps.get(i) >= now - SECONDS && stamps.get(i) < now) {
                    sum += counts.get(i);
                }
            }
            return sum / (double) SECONDS;
        }
    }
}
