package dev.inception.gpu;

import dev.inception.BackendUnavailableException;
import dev.inception.EngineOptions;
import dev.inception.Executor;
import dev.inception.nativelib.NativeStack;
import dev.inception.plan.Plan;
import dev.inception.weights.Weights;

/**
 * Entry point of the GPU backend: loads the native stack (explaining anything missing), checks for a device, and
 * opens the GPU executor. The executor itself (cuDNN / cuBLAS / kernels over the plan) is not in this build yet,
 * which is reported as such; Backend.AUTO then falls back to the CPU.
 */
public final class GpuBackend {

    private GpuBackend() {
    }

    public static Executor open(Plan plan, Weights weights, EngineOptions options) {
        try {
            NativeStack.load();
        } catch (BackendUnavailableException e) {
            throw new BackendUnavailableException("no usable GPU: " + e.getMessage(), e);
        }
        GpuDevices.Report report = GpuDevices.query();
        if (report.error() != null) {
            throw new BackendUnavailableException(report.error());
        }
        if (options.device() < 0 || options.device() >= report.devices().size()) {
            throw new BackendUnavailableException("GPU " + options.device() + " does not exist: this machine has "
                    + report.devices().size() + " GPU(s)");
        }
        throw new BackendUnavailableException("the native GPU stack loaded and " + report.devices().get(options.device())
                .name() + " is visible, but the GPU executor is not part of this build yet; use --backend cpu");
    }
}
