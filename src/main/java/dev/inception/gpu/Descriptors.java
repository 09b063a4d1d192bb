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
import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_NOT_PROPAGATE_NAN;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NHWC;

/**
 * Creates cuDNN descriptors (host-side objects) and destroys all of them in close(). Activations are NHWC float32
 * like the plan's tensors; filters are NHWC (KRSC in memory).
 */
final class Descriptors implements AutoCloseable {

    private final List<Runnable> destroy = new ArrayList<>();

    cudnnTensorDescriptor tensor(CudnnGeometry.Dims d) {
        cudnnTensorDescriptor t = new cudnnTensorDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateTensorDescriptor(t), "cudnnCreateTensorDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyTensorDescriptor(t));
        CudaCalls.cudnn(JCudnn.cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, d.n(), d.c(), d.h(),
                d.w()), "cudnnSetTensor4dDescriptor " + d);
        return t;
    }

    /** A per-channel tensor (1 x c x 1 x 1): biases and batch-norm parameters. */
    cudnnTensorDescriptor channels(int c) {
        return tensor(new CudnnGeometry.Dims(1, c, 1, 1));
    }

    cudnnFilterDescriptor filter(CudnnGeometry.Conv g) {
        cudnnFilterDescriptor f = new cudnnFilterDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateFilterDescriptor(f), "cudnnCreateFilterDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyFilterDescriptor(f));
        CudaCalls.cudnn(JCudnn.cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, g.k(), g.input().c(),
                g.r(), g.s()), "cudnnSetFilter4dDescriptor");
        return f;
    }

    /** FP32 uses FMA math only: cuDNN's default math lets Ampere and later use TF32 for float32 convolutions. */
    cudnnConvolutionDescriptor convolution(CudnnGeometry.Conv g, Precision precision) {
        cudnnConvolutionDescriptor c = new cudnnConvolutionDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(c), "cudnnCreateConvolutionDescriptor");
        destroy.add(() -> JCudnn.cudnnDestroyConvolutionDescriptor(c));
        CudaCalls.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(c, g.padH(), g.padW(), g.strideH(), g.strideW(), 1, 1,
                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
        CudaCalls.cudnn(JCudnn.cudnnSetConvolutionMathType(c, precision == Precision.TF32 ? CUDNN_DEFAULT_MATH
                : CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");
        return c;
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
