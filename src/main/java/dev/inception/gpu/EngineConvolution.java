package dev.inception.gpu;

import jcuda.jcudnn.cudnnBackendDescriptor;
import jcuda.jcudnn.cudnnHandle;

import java.util.function.Consumer;

/**
 * A fused convolution step run by a cuDNN backend execution plan ({@link ConvEngines}): cudnnBackendExecute with
 * a variant pack bound on the first run, when the program's workspace exists (the maximum batch's program is built
 * before the workspace is sized to what it chose), and kernels/bias_relu.cu after it where the plan is the
 * convolution alone. Where cuDNN refuses the plan at run time, the step runs its
 * legacy call from then on, reported once as a fallback, as {@link ConvolutionCall} does with its own refusals.
 */
final class EngineConvolution implements ConvStep {

    private final String step;
    private final int batch;
    private final cudnnHandle h;
    private final ConvEngines engines;
    private final ConvEngines.Operands operands;
    private final ConvEngines.Choice chosen;
    private final Workspace.Lane workspace;
    private final ConvolutionCall legacy;
    private final Consumer<Fallback> report;
    private cudnnBackendDescriptor pack;
    private boolean refused;

    EngineConvolution(String step, int batch, cudnnHandle h, ConvEngines engines, ConvEngines.Operands operands,
                      ConvEngines.Choice chosen, Workspace.Lane workspace, ConvolutionCall legacy,
                      Consumer<Fallback> report) {
        this.step = step;
        this.batch = batch;
        this.h = h;
        this.engines = engines;
        this.operands = operands;
        this.chosen = chosen;
        this.workspace = workspace;
        this.legacy = legacy;
        this.report = report;
    }

    @Override
    public ConvChoice choice() {
        if (refused) {
            return legacy.choice();
        }
        ConvChoice replaced = legacy.choice();
        return new ConvChoice(step, batch, replaced.algo(), replaced.mathType(), chosen.candidate().workspaceBytes(),
                chosen.milliseconds(), "backend " + chosen.candidate().describe());
    }

    @Override
    public void run() {
        if (refused) {
            legacy.run();
            return;
        }
        ConvEngines.Candidate plan = chosen.candidate();
        if (pack == null) {
            pack = engines.variantPack(operands, plan.form(), workspace.ptr());
        }
        int status = ConvEngines.execute(h, plan, pack, operands);
        if (status != 0) {
            String planned = "cudnnBackendExecute " + choice().describe();
            refused = true;
            report.accept(new Fallback(step, batch, planned, legacy.choice().describe(),
                    CudaCalls.cudnnStatus(status)));
            legacy.run();
        }
    }
}
