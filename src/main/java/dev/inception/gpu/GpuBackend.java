package dev.inception.gpu;

import dev.inception.BackendUnavailableException;
import dev.inception.EngineOptions;
import dev.inception.Executor;
import dev.inception.nativelib.NativeStack;
import dev.inception.plan.Plan;
import dev.inception.weights.Weights;

/**
 * Entry point of the GPU backend: loads the native stack (explaining anything missing), checks for the device, and
 * opens a {@link GpuExecutor}. Any failure is a BackendUnavailableException with the reason; Backend.AUTO then
 * falls back to the CPU.
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
        try {
            return new GpuExecutor(plan, weights, options);
        } catch (GpuException | jcuda.CudaException e) {
            throw new BackendUnavailableException("GPU " + options.device() + " (" + report.devices()
                    .get(options.device()).name() + ") cannot run the network: " + e.getMessage(), e);
        }
    }
}
