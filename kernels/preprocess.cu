// Inputs on the GPU. Keras's inception_v3.preprocess_input ('tf' mode): uint8 RGB (NHWC, already decoded and
// resized on the CPU, uploaded as bytes: a quarter of the float traffic) to x / 127.5 - 1, stored as float32, fp16
// or bf16. The CPU twin is image.Preprocess.value; IEEE division (nvcc's default -prec-div=true) makes them
// bit-identical in float32, and the 16-bit kernels round that float32 once, to nearest even, as gpu.HalfFloats does.
// And inputs preprocessed already (the server's and the Spark job's float32 batches): uploaded as float32 and
// narrowed here to fp16 or bf16, to nearest even (CPU twin: gpu.HalfFloats), instead of one element at a time on
// the host in every request's path.
#pragma once   // resize.cu preprocesses with preprocess_value too
#include "common.cuh"

INCEPTION_HD inline float preprocess_value(unsigned char u) {
    return (float) u / 127.5f - 1.0f;
}

extern "C" __global__ void preprocess_u8_f32(float *__restrict__ dst, const unsigned char *__restrict__ src,
                                             long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = preprocess_value(src[i]);
    }
}

#ifdef __CUDACC__
#include <cuda_bf16.h>
#include <cuda_fp16.h>

extern "C" __global__ void preprocess_u8_f16(__half *__restrict__ dst, const unsigned char *__restrict__ src,
                                             long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = __float2half_rn(preprocess_value(src[i]));
    }
}

extern "C" __global__ void preprocess_u8_bf16(__nv_bfloat16 *__restrict__ dst, const unsigned char *__restrict__ src,
                                              long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = __float2bfloat16_rn(preprocess_value(src[i]));
    }
}

extern "C" __global__ void narrow_f32_f16(__half *__restrict__ dst, const float *__restrict__ src, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = __float2half_rn(src[i]);
    }
}

extern "C" __global__ void narrow_f32_bf16(__nv_bfloat16 *__restrict__ dst, const float *__restrict__ src,
                                           long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = __float2bfloat16_rn(src[i]);
    }
}
#endif
