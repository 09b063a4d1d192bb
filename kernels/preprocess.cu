// Keras's inception_v3.preprocess_input ('tf' mode) on the GPU: uint8 RGB (NHWC, already decoded and resized on
// the CPU, uploaded as bytes: a quarter of the float traffic) to float32 x / 127.5 - 1. The CPU twin is
// image.Preprocess.value; IEEE division (nvcc's default -prec-div=true) makes them bit-identical.
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
