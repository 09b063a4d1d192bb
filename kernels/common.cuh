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
