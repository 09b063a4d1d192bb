package dev.inception;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.weights.SeededWeights;
import dev.inception.weights.Weights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The engine's lifecycle contract (InceptionV3Engine's Javadoc) on both CPU executors. */
class EngineLifecycleTest {

    static final InceptionV3.Options SMALL = InceptionV3.Options.features(75, 75);

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "CPU"})
    void aCallInFlightFinishesAndEveryLaterCallIsRefused(Backend backend) throws Exception {
        Graph g = InceptionV3.build(SMALL);
        Weights w = SeededWeights.forGraph(g, 1);
        Tensor x = Tensor.uniform(2, g.input().shape(), 3);
        InceptionV3Engine engine = InceptionV3Engine.open(w, EngineOptions.defaults().withModel(SMALL)
                .withBackend(backend).withMaxBatch(2), s -> { });
        float[] expected = engine.forward(x).data();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch started = new CountDownLatch(1);
        Future<float[]> inFlight = pool.submit(() -> {
            started.countDown();
            return engine.forward(x).data();
        });
        started.await();
        engine.close();
        // either it ran before close took the lock (and is complete and right), or it was refused cleanly
        try {
            assertArrayEquals(expected, inFlight.get());
        } catch (java.util.concurrent.ExecutionException e) {
            assertEquals(IllegalStateException.class, e.getCause().getClass(), e.getCause().toString());
        }
        pool.shutdown();
        IllegalStateException after = assertThrows(IllegalStateException.class, () -> engine.forward(x));
        assertEquals("engine is closed", after.getMessage());
        assertThrows(IllegalStateException.class, () -> engine.timeForward(x));
        assertThrows(IllegalStateException.class, () -> engine.profile(x));
        engine.close();   // idempotent
    }
}
