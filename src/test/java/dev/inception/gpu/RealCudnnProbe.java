package dev.inception.gpu;

import dev.inception.Precision;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.nativelib.NativeStack;
import dev.inception.plan.ConcatPlacement;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import dev.inception.plan.TensorSpec;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.List;

/**
 * Run in a forked JVM by RealCudnnTest against real cuDNN 9 and cuBLAS 12 or 13 libraries on a machine without a
 * driver or GPU: loads them the way `info` does without a driver (the cuDNN 8 -> 9 bridge; JCublas2 natively on
 * cuBLAS 12, through the 12 -> 13 bridge on cuBLAS 13), asks real cuDNN, through the executor's own
 * {@link Descriptors}, for the output dimensions of every convolution and pooling descriptor both plans build, at
 * several batch and input sizes and in every precision, and reads back copy-free concatenation's slice descriptors.
 * Prints one line per finding.
 */
public final class RealCudnnProbe {

    public static void main(String[] args) {
        NativeStack.LibraryVersions v = NativeStack.libraryVersions();
        System.out.println("cudnn.version=" + v.cudnn());
        System.out.println("cublas.version=" + v.cublas());
        System.out.println("cudnnGetVersion=" + JCudnn.cudnnGetVersion());
        // cuDNN 9's own texts for its renumbered statuses (what CudaCalls reports)
        System.out.println("status.0=" + JCudnn.cudnnGetErrorString(0));
        System.out.println("status.2000=" + JCudnn.cudnnGetErrorString(2000));
        System.out.println("status.3000=" + JCudnn.cudnnGetErrorString(3000));
        int checked = 0;
        int mismatches = 0;
        int slices = 0;
        Graph[] graphs = {InceptionV3.build(), InceptionV3.build(InceptionV3.Options.features(75, 75)),
            InceptionV3.build(InceptionV3.Options.features(331, 400))};
        for (Graph g : graphs) {
            for (Lowering l : Lowering.values()) {
                Plan plan = Planner.lower(g, l);
                for (int batch : new int[] {1, 3, 32}) {
                    // every precision's storage type and math type, as GpuProgram builds them
                    for (Precision precision : Precision.values()) {
                        try (Descriptors d = new Descriptors()) {
                            for (Step s : plan.steps()) {
                                String problem = check(d, plan, s, batch, precision);
                                if (problem != null) {
                                    mismatches++;
                                    System.out.println("mismatch " + g.input().shape() + " " + l + " batch " + batch
                                            + " " + precision + " " + problem);
                                }
                                if (s instanceof Step.Conv || s instanceof Step.Pool || s instanceof Step.GlobalPool) {
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
            // copy-free concatenation: each branch output a strided channel slice of its block's output
            Plan inPlace = Planner.lower(g, Lowering.FUSED, List.of(), ConcatPlacement.IN_PLACE);
            for (Precision precision : new Precision[] {Precision.FP32, Precision.FP16}) {
                try (Descriptors d = new Descriptors()) {
                    for (TensorSpec t : inPlace.tensors()) {
                        if (t.isSlice()) {
                            String problem = checkSlice(d, inPlace, t, 3, StorageType.activations(precision));
                            slices++;
                            if (problem != null) {
                                mismatches++;
                                System.out.println("mismatch " + g.input().shape() + " slice " + precision + " "
                                        + problem);
                            }
                        }
                    }
                }
            }
        }
        System.out.println("slices.checked=" + slices);
        System.out.println("descriptors.checked=" + checked);
        System.out.println("descriptors.mismatches=" + mismatches);
        cudnnHandle h = new cudnnHandle();
        System.out.println("cudnnCreate.withoutDevice=" + JCudnn.cudnnCreate(h));
        cublasHandle b = new cublasHandle();
        System.out.println("cublasCreate.withoutDevice=" + JCublas2.cublasCreate(b));
        System.out.println("ok");
    }

    /** null when real cuDNN's output dimensions equal CudnnGeometry's (and the plan's), else what differs. */
    static String check(Descriptors d, Plan plan, Step s, int batch, Precision precision) {
        StorageType type = StorageType.activations(precision);
        int[] n = new int[1];
        int[] c = new int[1];
        int[] h = new int[1];
        int[] w = new int[1];
        CudnnGeometry.Dims expected;
        if (s instanceof Step.Conv conv) {
            CudnnGeometry.Conv g = CudnnGeometry.conv(conv, plan.tensor(conv.input()).shape(), batch);
            cudnnTensorDescriptor x = d.tensor(g.input(), type);
            cudnnFilterDescriptor f = d.filter(g, type);
            cudnnConvolutionDescriptor cd = d.convolution(g, precision);
            CudaCalls.cudnn(JCudnn.cudnnGetConvolution2dForwardOutputDim(cd, x, f, n, c, h, w), s.name());
            expected = g.output();
        } else if (s instanceof Step.Pool p) {
            CudnnGeometry.Pool g = CudnnGeometry.pool(p, plan.tensor(p.input()).shape(), batch);
            expected = pooled(d, g, CudnnGeometry.Dims.of(batch, plan.tensor(p.input()).shape()), type, s.name(),
                    n, c, h, w);
        } else if (s instanceof Step.GlobalPool gp) {
            CudnnGeometry.Pool g = CudnnGeometry.globalPool(gp.mode(), plan.tensor(gp.input()).shape(), batch);
            expected = pooled(d, g, CudnnGeometry.Dims.of(batch, plan.tensor(gp.input()).shape()), type, s.name(),
                    n, c, h, w);
        } else {
            return null;
        }
        CudnnGeometry.Dims actual = new CudnnGeometry.Dims(n[0], c[0], h[0], w[0]);
        CudnnGeometry.Dims planned = CudnnGeometry.Dims.of(batch, plan.tensor(s.output()).shape());
        if (!actual.equals(expected) || !actual.equals(planned)) {
            return s.name() + ": cuDNN " + actual + ", geometry " + expected + ", plan " + planned;
        }
        return null;
    }

    private static CudnnGeometry.Dims pooled(Descriptors d, CudnnGeometry.Pool g, CudnnGeometry.Dims in,
                                             StorageType type, String step, int[] n, int[] c, int[] h, int[] w) {
        cudnnTensorDescriptor x = d.tensor(in, type);
        cudnnPoolingDescriptor pd = d.pooling(g);
        CudaCalls.cudnn(JCudnn.cudnnGetPooling2dForwardOutputDim(pd, x, n, c, h, w), step);
        return g.output();
    }

    /**
     * null when real cuDNN reads back from a slice's descriptor the type, dimensions and NHWC strides inside its
     * parent that the copy-free layout needs (channels contiguous, pixels the parent's channel count apart), else
     * what differs. cuDNN checks strides when the descriptor is set, so an impossible layout fails there.
     */
    static String checkSlice(Descriptors d, Plan plan, TensorSpec t, int batch, StorageType type) {
        CudnnGeometry.Dims dims = CudnnGeometry.Dims.of(batch, t.shape());
        int parent = plan.tensor(t.slice().parent()).shape().channels();
        cudnnTensorDescriptor desc = d.slice(dims, type, parent);
        int[] dt = new int[1];
        int[][] f = new int[8][1];
        CudaCalls.cudnn(JCudnn.cudnnGetTensor4dDescriptor(desc, dt, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]),
                t.name());
        int[] got = {dt[0], f[0][0], f[1][0], f[2][0], f[3][0], f[4][0], f[5][0], f[6][0], f[7][0]};
        int[] want = {type.cudnn, dims.n(), dims.c(), dims.h(), dims.w(), dims.h() * dims.w() * parent, 1,
            dims.w() * parent, parent};
        return java.util.Arrays.equals(got, want) ? null
                : t.name() + ": cuDNN " + java.util.Arrays.toString(got) + ", wanted "
                        + java.util.Arrays.toString(want);
    }
}
