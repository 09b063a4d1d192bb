// Shared by every kernel of this project. Kernels are written as small __host__ __device__ element functions
// (the index arithmetic, testable on the CPU by native-tests/kernels/kernel_host_test.cu) wrapped by __global__
// launchers with a grid-stride loop, so any grid size covers any tensor.
#pragma once

#ifdef __CUDACC__
#define INCEPTION_HD __host__ __device__
#else
// A plain C++ compiler (g++ for the element tests, where no CUDA toolkit exists) sees the launchers too: they
// compile against these stand-ins and are never called; only the element functions run on the host.
#define INCEPTION_HD
#define __global__
struct inception_host_dim3 {
    unsigned int x, y, z;
};
static const inception_host_dim3 blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
#endif

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// V elements of T loaded or stored as one aligned access (16 bytes for 8 halves or 4 floats), and each element's
// float32 value: the vector kernels (pooling.cu, bias_relu.cu) compute in float32 and round once on the way out.
template <typename T, int V>
struct alignas(sizeof(T) * V) Lanes {
    T lane[V];
};

INCEPTION_HD inline float lane_to_float(float v) { return v; }
INCEPTION_HD inline float lane_from_float(float v, float *) { return v; }

#ifdef __CUDACC__
#include <cuda_bf16.h>
#include <cuda_fp16.h>
__device__ inline float lane_to_float(__half v) { return __half2float(v); }
__device__ inline float lane_to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ inline __half lane_from_float(float v, __half *) { return __float2half_rn(v); }
__device__ inline __nv_bfloat16 lane_from_float(float v, __nv_bfloat16 *) { return __float2bfloat16_rn(v); }
#endif

// Defines KERNEL(name_<type>[x<V>], T, V) for each element type with one element per thread and with a 16-byte
// chunk's worth: name_f32, name_f32x4, name_f16, name_f16x8, name_bf16, name_bf16x8 (gpu.KernelModule's names). A
// plain C++ compiler gets the float ones only (it has no half types; the element tests run in float32).
#ifdef __CUDACC__
#define INCEPTION_LANE_KERNELS(KERNEL, name) \
    KERNEL(name##_f32, float, 1) KERNEL(name##_f32x4, float, 4) \
    KERNEL(name##_f16, __half, 1) KERNEL(name##_f16x8, __half, 8) \
    KERNEL(name##_bf16, __nv_bfloat16, 1) KERNEL(name##_bf16x8, __nv_bfloat16, 8)
#else
#define INCEPTION_LANE_KERNELS(KERNEL, name) KERNEL(name##_f32, float, 1) KERNEL(name##_f32x4, float, 4)
#endif
