package dev.inception.gpu;

import dev.inception.Precision;
import dev.inception.model.Graph;
import dev.inception.model.InceptionV3;
import dev.inception.nativelib.NativeStack;
import dev.inception.plan.Lowering;
import dev.inception.plan.Plan;
import dev.inception.plan.Planner;
import dev.inception.plan.Step;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * Run in a forked JVM by RealCudnnTest against real cuDNN 9 and cuBLAS 12 libraries on a machine without a driver
 * or GPU: loads them the way `info` does without a driver (the cuDNN 8 -> 9 bridge, JCublas2 natively), and asks
 * real cuDNN, through the executor's own {@link Descriptors}, for the output dimensions of every convolution and
 * pooling descriptor both plans build, at several batch and input sizes. Prints one line per finding.
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
        Graph[] graphs = {InceptionV3.build(), InceptionV3.build(InceptionV3.Options.features(75, 75)),
            InceptionV3.build(InceptionV3.Options.features(331, 400))};
        for (Graph g : graphs) {
            for (Lowering l : Lowering.values()) {
                Plan plan = Planner.lower(g, l);
                for (int batch : new int[] {1, 3, 32}) {
                    try (Descriptors d = new Descriptors()) {
                        for (Step s : plan.steps()) {
                            String problem = check(d, plan, s, batch);
                            if (problem != null) {
                                mismatches++;
                                System.out.println("mismatch " + g.input().shape() + " " + l + " batch " + batch + " " + problem);
                            }
                            if (s instanceof Step.Conv || s instanceof Step.Pool || s instanceof Step.GlobalPool) {
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        System.out.println("descriptors.checked=" + checked);
        System.out.println("descriptors.mismatches=" + mismatches);
        cudnnHandle h = new cudnnHandle();
        System.out.println("cudnnCreate.withoutDevice=" + JCudnn.cudnnCreate(h));
        cublasHandle b = new cublasHandle();
        System.out.println("cublasCreate.withoutDevice=" + JCublas2.cublasCreate(b));
        System.out.println("ok");
    }

    /** null when real cuDNN's output dimensions equal CudnnGeometry's (and the plan's), else what differs. */
    static String check(Descriptors d, Plan plan, Step s, int batch) {
        int[] n = new int[1];
        int[] c = new int[1];
        int[] h = new int[1];
        int[] w = new int[1];
        CudnnGeometry.Dims expected;
        if (s instanceof Step.Conv conv) {
            CudnnGeometry.Conv g = CudnnGeometry.conv(conv, plan.tensor(conv.input()).shape(), batch);
            cudnnTensorDescriptor x = d.tensor(g.input());
            cudnnFilterDescriptor f = d.filter(g);
            cudnnConvolutionDescriptor cd = d.convolution(g, Precision.FP32);
            CudaCalls.cudnn(JCudnn.cudnnGetConvolution2dForwardOutputDim(cd, x, f, n, c, h, w), s.name());
            expected = g.output();
        } else if (s instanceof Step.Pool p) {
            CudnnGeometry.Pool g = CudnnGeometry.pool(p, plan.tensor(p.input()).shape(), batch);
            expected = pooled(d, g, CudnnGeometry.Dims.of(batch, plan.tensor(p.input()).shape()), s.name(), n, c, h, w);
        } else if (s instanceof Step.GlobalPool gp) {
            CudnnGeometry.Pool g = CudnnGeometry.globalPool(gp.mode(), plan.tensor(gp.input()).shape(), batch);
            expected = pooled(d, g, CudnnGeometry.Dims.of(batch, plan.tensor(gp.input()).shape()), s.name(), n, c, h, w);
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

    private static CudnnGeometry.Dims pooled(Descriptors d, CudnnGeometry.Pool g, CudnnGeometry.Dims in, String step,
                                             int[] n, int[] c, int[] h, int[] w) {
        cudnnTensorDescriptor x = d.tensor(in);
        cudnnPoolingDescriptor pd = d.pooling(g);
        CudaCalls.cudnn(JCudnn.cudnnGetPooling2dForwardOutputDim(pd, x, n, c, h, w), step);
        return g.output();
    }
}
