// Channel concatenation in NHWC: each part (pixels x c_part) is copied into its channel slice
// [c_offset, c_offset + c_part) of the output (pixels x c_total). One launch per part; the CPU twin is
// cpu.CpuOps.concat. A copy moves bits, so the kernels are per element size, not per type: the 16-bit one serves
// fp16 and bf16 alike, and the 16-byte one any type whose slices are whole 16-byte chunks (InceptionV3's channel
// counts are multiples of 32): one load and one store per 8 halves, where the per-element copies took 0.3-0.5 ms
// per block at batch 256 on the H200 (bench/results/2026-11-30-h200/profile-fp16-256.json).
#include "common.cuh"

// Where element i of a part goes in the concatenated output.
INCEPTION_HD inline long long concat_dst_index(long long i, int c_part, int c_total, int c_offset) {
    long long pixel = i / c_part;
    int channel = (int) (i - pixel * c_part);
    return pixel * c_total + c_offset + channel;
}

// 16 bytes moved as one access; channel counts and the offset are then given in chunks.
struct alignas(16) ConcatChunk {
    unsigned int word[4];
};

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

extern "C" __global__ void concat_nhwc_chunk16(ConcatChunk *__restrict__ dst, const ConcatChunk *__restrict__ src,
                                               long long n, int c_part, int c_total, int c_offset) {
    GRID_STRIDE_LOOP(i, n) {
        dst[concat_dst_index(i, c_part, c_total, c_offset)] = src[i];
    }
}
