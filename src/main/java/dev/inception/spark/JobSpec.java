package dev.inception.spark;

import dev.inception.Backend;
import dev.inception.EngineOptions;
import dev.inception.image.Interpolation;

import java.io.Serializable;

/**
 * What every executor needs to run the job: plain values, serialised with the task. Equal specs share one engine
 * per executor JVM ({@link Engines}).
 *
 * @param weights    a Keras .h5 file as the executors see it (a shared path, or a name shipped with --files), or
 *                   null for the seeded weights of {@code seed}
 * @param gpu        precision, CUDA graphs, branch streams, copy-free concatenation: for GPU engines (a CPU engine
 *                   refuses any precision but FP32)
 * @param labelled   features mode: the class is the name of the image's folder
 */
public record JobSpec(Mode mode, String weights, long seed, Backend backend, EngineOptions.Gpu gpu, int height,
                      int width, int top, int batch, Interpolation resize, String head, boolean labelled)
        implements Serializable {

    /** One row per image: its top-k classes, or its pooled features. */
    public enum Mode { PREDICT, FEATURES }

    public JobSpec {
        if (batch < 1 || top < 1) {
            throw new IllegalArgumentException("batch and top must be at least 1");
        }
    }

    /** The engine's cache key on an executor: everything that shapes the engine, and the GPU it runs on. */
    String engineKey(int device) {
        return mode + "|" + weights + "|" + seed + "|" + backend + "|" + gpu + "|" + height + "x" + width + "|" + batch
                + "|" + head + "|" + device;
    }
}
