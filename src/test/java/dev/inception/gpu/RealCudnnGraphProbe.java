package dev.inception.gpu;

import dev.inception.Precision;
import dev.inception.model.InceptionV3;
import dev.inception.nativelib.NativeStack;
import dev.inception.plan.ConcatPlacement;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.plan.TensorSpec;
import jcuda.jcudnn.JCudnn;

import java.util.List;

/**
 * Run in a forked JVM by RealCudnnGraphTest against real cuDNN 9 and the fake driver (for host memory with a native
 * address; cuDNN's descriptor work needs no device): builds, through {@link ConvEngines#operations}, the backend
 * operations (convolution, bias add, ReLU, with their tensors and convolution descriptor; and the convolution
 * alone) of every fused convolution of InceptionV3, at batches 1 and 32, in fp16 and bf16, with dense outputs and with copy-free
 * concatenation's channel slices, and has real cuDNN finalize each. Then one convolution whose output dimensions
 * disagree with its geometry, which cuDNN must refuse. Prints one line per finding.
 */
public final class RealCudnnGraphProbe {

    public static void main(String[] args) {
        NativeStack.load();
        System.out.println("cudnnGetVersion=" + JCudnn.cudnnGetVersion());
        int built = 0;
        int refused = 0;
        try (DeviceBuffer memory = new DeviceBuffer(1 << 20, "operands"); CudnnBackend api = new CudnnBackend()) {
            ConvEngines engines = new ConvEngines(api, 1);
            for (ConcatPlacement placement : new ConcatPlacement[] {ConcatPlacement.COPY, ConcatPlacement.IN_PLACE}) {
                Plan plan = Planner.lower(InceptionV3.build(), Lowering.FUSED, List.of(), placement);
                for (int batch : new int[] {1, 32}) {
                    for (Precision p : new Precision[] {Precision.FP16, Precision.BF16}) {
                        for (Step s : plan.steps()) {
                            if (!(s instanceof Step.Conv c) || c.foldedBn() == null) {
                                continue;
                            }
                            for (ConvEngines.Form form : ConvEngines.Form.values()) {
                                try {
                                    engines.operations(operands(memory, plan, c, batch, p, false), c.name(), form);
                                    built++;
                                } catch (GpuException e) {
                                    refused++;
                                    System.out.println("refused " + placement + " batch " + batch + " " + p + " "
                                            + form + " " + e.getMessage());
                                }
                            }
                        }
                    }
                }
            }
            Plan plan = Planner.lower(InceptionV3.build(), Lowering.FUSED);
            Step.Conv first = (Step.Conv) plan.steps().stream().filter(s -> s instanceof Step.Conv).findFirst()
                    .orElseThrow();
            try {
                engines.operations(operands(memory, plan, first, 1, Precision.FP16, true), first.name(),
                        ConvEngines.Form.FUSED);
                System.out.println("inconsistent=accepted");
            } catch (GpuException e) {
                System.out.println("inconsistent=refused " + e.getMessage());
            }
        }
        System.out.println("operations.built=" + built);
        System.out.println("operations.refused=" + refused);
        System.out.println("ok");
    }

    /** The step's operands at made-up addresses inside memory; y a channel slice where the plan says so. */
    private static ConvEngines.Operands operands(DeviceBuffer memory, Plan plan, Step.Conv c, int batch, Precision p,
                                                 boolean wrongOutput) {
        CudnnGeometry.Conv g = CudnnGeometry.conv(c, plan.tensor(c.input()).shape(), batch);
        if (wrongOutput) {
            CudnnGeometry.Dims o = g.output();
            g = new CudnnGeometry.Conv(g.input(), g.k(), g.r(), g.s(), g.padH(), g.padW(), g.strideH(), g.strideW(),
                    new CudnnGeometry.Dims(o.n(), o.c(), o.h() + 1, o.w()));
        }
        StorageType type = StorageType.activations(p);
        TensorSpec y = plan.tensor(c.output());
        int yStride = y.isSlice() ? plan.tensor(y.slice().parent()).shape().channels() : g.output().c();
        long yOffset = y.isSlice() ? (long) y.slice().channelOffset() * type.bytes : 0;
        return new ConvEngines.Operands(g, type, memory.at(0), g.input().c(), memory.at(4096), memory.at(8192),
                memory.at(16384 + yOffset), yStride, null);
    }
}
