package dev.inception;

import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.weights.SeededWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** One engine shared by 16 threads gives, for every input, the bits it gives when called alone. */
class EngineConcurrencyTest {

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "CPU"})
    void sixteenThreadsGiveBitIdenticalResultsToSerialCalls(Backend backend) throws Exception {
        InceptionV3.Options model = InceptionV3.Options.features(75, 75);
        Graph g = InceptionV3.build(model);
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            inputs.add(Tensor.uniform(1, g.input().shape(), 100 + i));
        }
        try (InceptionV3Engine engine = InceptionV3Engine.open(SeededWeights.forGraph(g, 1),
                EngineOptions.defaults().withModel(model).withBackend(backend).withMaxBatch(1), s -> { })) {
            List<float[]> serial = new ArrayList<>();
            for (Tensor x : inputs) {
                serial.add(engine.forward(x).data());
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<float[]>> parallel = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    for (Tensor x : inputs) {
                        parallel.add(pool.submit(() -> engine.forward(x).data()));
                    }
                }
                for (int i = 0; i < parallel.size(); i++) {
                    assertArrayEquals(serial.get(i % 16), parallel.get(i).get(), "input " + i % 16);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
