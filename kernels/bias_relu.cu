// y = ReLU(y + b) in place over an NHWC tensor, or a channel slice of one: the epilogue of a fused convolution
// step when the convolution itself runs alone (cudnnConvolutionForward), instead of cuDNN's
// cudnnConvolutionBiasActivationForward (--bias-relu-kernel). The CPU twin is the epilogue of cpu.CpuOps.conv2d:
// the bias added in float32, then `v < 0 ? 0 : v` (so a NaN stays a NaN, -0 stays -0), rounded once to T.
//
// Why: on the H200 the fused fp16 calls of several 1x1 convolutions at batch 256 took 0.3-0.4 ms, about ten times
// what reading their input once takes (bench/results/2026-11-30-h200/profile-fp16-256.json); whether the
// convolution or cuDNN's epilogue is the slow part, a plain convolution with this pass after it says. One thread
// makes V adjacent channels of one pixel from aligned V-wide loads of y and of the bias.
#include "common.cuh"

// Element i of the launch: channels [group * V, group * V + V) of pixel i / (channels / V), batch-major; pixels are
// pixel_stride elements apart (channels, or the block output's channel count for a channel slice).
template <typename T, int V>
INCEPTION_HD inline void bias_relu_element(T *y, const T *bias, int channels, int pixel_stride, long long i) {
    int groups = channels / V;
    int group = (int) (i % groups);
    long long pixel = i / groups;
    T *at = y + pixel * pixel_stride + group * V;
    Lanes<T, V> v = *reinterpret_cast<const Lanes<T, V> *>(at);
    Lanes<T, V> b = *reinterpret_cast<const Lanes<T, V> *>(bias + group * V);
    for (int k = 0; k < V; k++) {
        float f = lane_to_float(v.lane[k]) + lane_to_float(b.lane[k]);
        v.lane[k] = lane_from_float(f < 0.0f ? 0.0f : f, (T *) nullptr);
    }
    *reinterpret_cast<Lanes<T, V> *>(at) = v;
}

#define BIAS_RELU_KERNEL(name, T, V) \
    extern "C" __global__ void name(T *__restrict__ y, const T *__restrict__ bias, int channels, int pixel_stride, \
                                    long long n) { \
        GRID_STRIDE_LOOP(i, n) { bias_relu_element<T, V>(y, bias, channels, pixel_stride, i); } \
    }

// n = pixels x channels / V. The vector kernels need channels, pixel_stride and y's channel offset to be multiples
// of V (gpu.KernelModule.lanes chooses).
INCEPTION_LANE_KERNELS(BIAS_RELU_KERNEL, bias_relu_nhwc)
