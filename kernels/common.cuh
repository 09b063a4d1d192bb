// Shared by every kernel of this project. Kernels are written as small __host__ __device__ element functions
// (the index arithmetic, testable on the CPU by native-tests/kernels/kernel_host_test.cu) wrapped by __global__
// launchers with a grid-stride loop, so any grid size covers any tensor.
#pragma once

#ifdef __CUDACC__
#define INCEPTION_HD __host__ __device__
#else
#define INCEPTION_HD
#endif

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)
