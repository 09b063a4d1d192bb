package dev.inception.gpu;

import dev.inception.Precision;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.ArrayList;
import java.util.List;

import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_RELU;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnMathType.CUDNN_DEFAULT_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH;
import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_NOT_PROPAGATE_NAN;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NHWC;

/**
 * Creates cuDNN descriptors (host-side objects) and destroys all of them in close(). Activations are NHWC like the
 * plan's tensors, in the precision's storage type; filters are NHWC (KRSC in memory).
 */
final class Descriptors implements AutoCloseable {

    private final List<Runnable> destroy = new ArrayList<>();

    cudnnTensorDescriptor tensor(CudnnGeometry.Dims d) {
        return tensor(d, StorageType.FLOAT);
    }

    cudnnTensorDescriptor tensor(CudnnGeometry.Dims d, StorageType type) {
        cudnnTensorDescriptor t = newTensor();
        CudaCalls.cudnn(JCudnn.cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NHWC, type.cudnn, d.n(), d.c(), d.h(),
                d.w()), "cudnnSetTensor4dDescriptor " + d + " " + type);
        return t;
    }

    /**
     * A channel slice of an NHWC tensor with {@code parentChannels} channels: d's n x c x h x w elements, each
     * pixel's c channels contiguous, pixels {@code parentChannels} apart (the strides cuDNN takes for NHWC).
     */
    cudnnTensorDescriptor slice(CudnnGeometry.Dims d, StorageType type, int parentChannels) {
        cudnnTensorDescriptor t = newTensor();
        int wStride = parentChannels;
        int hStride = d.w() * wStride;
        int nStride = d.h() * hStride;
        CudaCalls.cudnn(JCudnn.cudnnSetTensor4dDescriptorEx(t, type.cudnn, d.n(), d.c(), d.h(), d.w(), nStride, 1,
                hStride, wStride), "cudnnSetTensor4dDescriptorEx " + d + " in " + parentChannels + " channels");
        return t;
    }

    /** A tensor descriptor, destroyed in close(); its layout is set by the caller. */
    private cudnnTensorDescriptor newTensor() {
        cudnnTensorDescriptor t = new cudnnTensorDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateTensorDescriptor(t), "cudnnCreateTensorDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyTensorDescriptor(t));
        return t;
    }

    /** A per-channel tensor (1 x c x 1 x 1): biases and batch-norm parameters. */
    cudnnTensorDescriptor channels(int c, StorageType type) {
        return tensor(new CudnnGeometry.Dims(1, c, 1, 1), type);
    }

    cudnnFilterDescriptor filter(CudnnGeometry.Conv g) {
        return filter(g, StorageType.FLOAT);
    }

    cudnnFilterDescriptor filter(CudnnGeometry.Conv g, StorageType type) {
        cudnnFilterDescriptor f = new cudnnFilterDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateFilterDescriptor(f), "cudnnCreateFilterDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyFilterDescriptor(f));
        CudaCalls.cudnn(JCudnn.cudnnSetFilter4dDescriptor(f, type.cudnn, CUDNN_TENSOR_NHWC, g.k(), g.input().c(),
                g.r(), g.s()), "cudnnSetFilter4dDescriptor");
        return f;
    }

    /**
     * Products and sums in float32 whatever the storage (cuDNN's "pseudo-half" configuration for FP16 and BF16:
     * 16-bit tensors, float32 accumulation). The math type: FP32 uses FMA math only (cuDNN's default math lets
     * Ampere and later use TF32 for float32 convolutions); TF32 is that default; FP16 and BF16 ask for tensor cores.
     */
    cudnnConvolutionDescriptor convolution(CudnnGeometry.Conv g, Precision precision) {
        cudnnConvolutionDescriptor c = new cudnnConvolutionDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(c), "cudnnCreateConvolutionDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyConvolutionDescriptor(c));
        CudaCalls.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(c, g.padH(), g.padW(), g.strideH(), g.strideW(), 1, 1,
                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
        CudaCalls.cudnn(JCudnn.cudnnSetConvolutionMathType(c, mathType(precision)), "cudnnSetConvolutionMathType");
        return c;
    }

    /** The math type a precision asks cudnnFind to consider (see {@link #convolution}). */
    static int mathType(Precision precision) {
        return switch (precision) {
            case FP32 -> CUDNN_FMA_MATH;
            case TF32 -> CUDNN_DEFAULT_MATH;
            case FP16, BF16 -> CUDNN_TENSOR_OP_MATH;
        };
    }

    /**
     * The math type to run a measured algorithm with. cudnnFind answers with algorithm and math type pairs (with
     * TENSOR_OP asked, a pair may be DEFAULT), and cuDNN picks the kernel from both, so a call should set the pair's
     * math type (PyTorch does the same: its Note [behavior of cudnnFind and cudnnGet]). Except: FP32
     * stays FMA whatever is reported (it is the arithmetic verified against the reference, with no TF32), and no
     * precision takes ALLOW_CONVERSION (it may round float32 inputs to half) or a type this code does not know.
     *
     * @param measured the candidate's math type, or {@link ConvAlgorithms#AS_ASKED} where it is unknown (always, with
     *                 JCudnn 11.7, which does not pass it on)
     */
    static int runMathType(Precision precision, int measured) {
        boolean known = measured == CUDNN_DEFAULT_MATH || measured == CUDNN_TENSOR_OP_MATH || measured == CUDNN_FMA_MATH;
        return precision == Precision.FP32 || !known ? mathType(precision) : measured;
    }

    cudnnPoolingDescriptor pooling(CudnnGeometry.Pool p) {
        cudnnPoolingDescriptor d = new cudnnPoolingDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreatePoolingDescriptor(d), "cudnnCreatePoolingDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyPoolingDescriptor(d));
        CudaCalls.cudnn(JCudnn.cudnnSetPooling2dDescriptor(d, p.mode(), CUDNN_NOT_PROPAGATE_NAN, p.windowH(), p.windowW(),
                p.padH(), p.padW(), p.strideH(), p.strideW()), "cudnnSetPooling2dDescriptor");
        return d;
    }

    cudnnActivationDescriptor relu() {
        cudnnActivationDescriptor a = new cudnnActivationDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateActivationDescriptor(a), "cudnnCreateActivationDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyActivationDescriptor(a));
        CudaCalls.cudnn(JCudnn.cudnnSetActivationDescriptor(a, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0),
                "cudnnSetActivationDescriptor");
        return a;
    }

    @Override
    public void close() {
        for (int i = destroy.size() - 1; i >= 0; i--) {
            destroy.get(i).run();
        }
        destroy.clear();
    }
}
