// Channel concatenation in NHWC: each part (pixels x c_part) is copied into its channel slice
// [c_offset, c_offset + c_part) of the output (pixels x c_total). One launch per part; the CPU twin is
// cpu.CpuOps.concat. A copy moves bits, so one 16-bit kernel serves fp16 and bf16 alike.
#include "common.cuh"

// Where element i of a part goes in the concatenated output.
INCEPTION_HD inline long long concat_dst_index(long long i, int c_part, int c_total, int c_offset) {
    long long pixel = i / c_part;
    int channel = (int) (i - pixel * c_part);
    return pixel * c_total + c_offset + channel;
}

extern "C" __global__ void concat_nhwc_f32(float *__restrict__ dst, const float *__restrict__ src, long long n,
                                           int c_part, int c_total, int c_offset) {
    GRID_STRIDE_LOOP(i, n) {
        dst[concat_dst_index(i, c_part, c_total, c_offset)] = src[i];
    }
}

extern "C" __global__ void concat_nhwc_u16(unsigned short *__restrict__ dst, const unsigned short *__restrict__ src,
                                           long long n, int c_part, int c_total, int c_offset) {
    GRID_STRIDE_LOOP(i, n) {
        dst[concat_dst_index(i, c_part, c_total, c_offset)] = src[i];
    }
}
