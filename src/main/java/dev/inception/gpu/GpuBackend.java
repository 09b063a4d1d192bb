package dev.inception.gpu;

import dev.inception.BackendUnavailableException;
import dev.inception.EngineOptions;
import dev.inception.Executor;
import dev.inception.plan.Plan;
import dev.inception.weights.Weights;

/**
 * Entry point of the GPU backend. The GPU executor (JCuda + cuDNN + cuBLAS) is not in this build yet, so opening
 * one reports that honestly; Backend.AUTO then falls back to the CPU.
 */
public final class GpuBackend {

    private GpuBackend() {
    }

    public static Executor open(Plan plan, Weights weights, EngineOptions options) {
        throw new BackendUnavailableException("the GPU backend is not available in this build: the GPU executor has not"
                + " been implemented yet; use --backend cpu");
    }
}
