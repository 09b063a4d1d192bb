// Max and average pooling over NHWC tensors with TensorFlow's padding rule: padded cells never take part (max
// ignores them, average divides by the number of in-bounds cells). The CPU twin is cpu.CpuOps.pool: the same
// window order and float32 arithmetic, so in float32 the two are bit-identical (IEEE division, nvcc's default).
//
// Why not cuDNN's: on the H200, cudnnPoolingForward over NHWC half tensors took 1.5-1.9 ms for each 3x3 average
// pooling of a batch of 256 in the 35x35 blocks (bench/results/2026-11-30-h200/profile-fp16-256.json), about 5% of
// the memory bandwidth such a pass needs. Here each thread makes V adjacent channels of one output pixel from
// aligned V-wide loads (16 bytes for 8 halves or 4 floats), and neighbouring threads read neighbouring channels,
// so every load is coalesced and the window's overlap is served by the caches.
#include "common.cuh"

#ifndef __CUDACC__
#include <cmath>
#endif

#define POOL_MAX 0
#define POOL_AVERAGE 1

// Passed by value as the kernels' geometry argument: twelve ints, in this order (gpu.PoolGeometry.fields()).
struct PoolGeometry {
    int height, width, channels;   // the input, dense NHWC
    int out_height, out_width;
    int window_rows, window_cols, stride_rows, stride_cols, pad_top, pad_left;
    int out_pixel_stride;          // elements from one output pixel to the next: channels, or the block's channel
                                   // count when the output is a channel slice (copy-free concatenation)
};

// Element i of the launch: channels [group * V, group * V + V) of output pixel i / (channels / V), batch-major.
template <typename T, int V>
INCEPTION_HD inline void pool_element(const PoolGeometry &g, int mode, const T *x, T *y, long long i) {
    int groups = g.channels / V;
    int group = (int) (i % groups);
    long long pixel = i / groups;
    int ox = (int) (pixel % g.out_width);
    long long row = pixel / g.out_width;
    int oy = (int) (row % g.out_height);
    long long image = row / g.out_height;
    int top = oy * g.stride_rows - g.pad_top;
    int left = ox * g.stride_cols - g.pad_left;
    int y_begin = top < 0 ? 0 : top;
    int y_end = top + g.window_rows < g.height ? top + g.window_rows : g.height;
    int x_begin = left < 0 ? 0 : left;
    int x_end = left + g.window_cols < g.width ? left + g.window_cols : g.width;
    float acc[V];
    for (int k = 0; k < V; k++) {
        acc[k] = mode == POOL_MAX ? -INFINITY : 0.0f;
    }
    for (int iy = y_begin; iy < y_end; iy++) {
        for (int ix = x_begin; ix < x_end; ix++) {
            const T *at = x + ((image * g.height + iy) * g.width + ix) * g.channels + group * V;
            Lanes<T, V> v = *reinterpret_cast<const Lanes<T, V> *>(at);
            for (int k = 0; k < V; k++) {
                float f = lane_to_float(v.lane[k]);
                if (mode == POOL_MAX) {
                    acc[k] = f > acc[k] || f != f ? f : acc[k];   // a NaN wins and stays, as Java's Math.max
                } else {
                    acc[k] += f;
                }
            }
        }
    }
    float count = (float) ((y_end - y_begin) * (x_end - x_begin));
    Lanes<T, V> out;
    for (int k = 0; k < V; k++) {
        out.lane[k] = lane_from_float(mode == POOL_MAX ? acc[k] : acc[k] / count, (T *) nullptr);
    }
    *reinterpret_cast<Lanes<T, V> *>(y + pixel * g.out_pixel_stride + group * V) = out;
}

#define POOL_KERNEL(name, T, V) \
    extern "C" __global__ void name(T *__restrict__ y, const T *__restrict__ x, PoolGeometry g, int mode, \
                                    long long n) { \
        GRID_STRIDE_LOOP(i, n) { pool_element<T, V>(g, mode, x, y, i); } \
    }

// n = output pixels x channels / V. The vector kernels need channels, out_pixel_stride and the output's channel
// offset to be multiples of V (gpu.KernelModule.poolLanes chooses).
INCEPTION_LANE_KERNELS(POOL_KERNEL, pool_nhwc)
