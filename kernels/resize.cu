// Resizing on the GPU (--gpu-resize): a batch of same-sized uint8 RGB images goes up as decoded, and one thread per
// output value computes it by PIL's NEAREST or BILINEAR resizing and preprocesses it (x / 127.5 - 1, as
// preprocess.cu) into the network's input. The host then only copies the images into pinned memory, instead of
// resizing them (which kept end to end at 0.15x of the network's rate on the first H200 run); the price is the
// upload of the full-size images (3.4x the bytes for 640x480 photos) on the copy stream, beside the compute.
//
// The mapping itself is computed on the host (image.Resize.nearestIndices: PIL accumulates the source position in
// double, column after column, and that accumulation decides ties) and uploaded with the batch as two int tables,
// xs (width entries) and ys (height). CPU twin: image.Resize.nearest, then image.Preprocess.value.
//
// BILINEAR is PIL's two passes (Resample.c): each output column a weighted sum of the source columns of its row,
// rounded and clipped to uint8, then each output row a weighted sum of those, rounded and clipped again, in 32-bit
// fixed point with 22 fraction bits. The weights too come from the host (image.Resize.Coefficients, as tables of a
// first source index and `taps` weights per output index, zero-padded), and a thread recomputes the horizontal
// sums of the few rows its vertical sum needs (taps x taps multiply-adds, from cached source bytes) instead of
// keeping an intermediate image. Integer sums, so the order of additions cannot change a result: bit-identical to
// image.Resize.bilinear.
#include "common.cuh"
#include "preprocess.cu"

// Where output value i of a batch resized to height x width x 3 is (NHWC, images packed one after another).
struct ResizeAt {
    long long image;
    int y, x, c;
};

INCEPTION_HD inline ResizeAt resize_at(long long i, int width, int height) {
    long long pixel = i / 3;
    long long row = pixel / width;
    return {row / height, (int) (row % height), (int) (pixel % width), (int) (i % 3)};
}

// The source value of output value i, from src_height x src_width x 3 images.
INCEPTION_HD inline long long resize_nearest_source(long long i, int width, int height, int src_width,
                                                    int src_height, const int *xs, const int *ys) {
    ResizeAt at = resize_at(i, width, height);
    return ((at.image * src_height + ys[at.y]) * src_width + xs[at.x]) * 3 + at.c;
}

#define RESIZE_NEAREST_KERNEL(name, T, convert)                                                                     \
    extern "C" __global__ void name(T *__restrict__ dst, const unsigned char *__restrict__ src,                      \
                                    const int *__restrict__ xs, const int *__restrict__ ys, long long n, int width, \
                                    int height, int src_width, int src_height) {                                   \
        GRID_STRIDE_LOOP(i, n) {                                                                                    \
            dst[i] = convert(preprocess_value(src[resize_nearest_source(i, width, height, src_width, src_height,   \
                                                                        xs, ys)]));                                 \
        }                                                                                                           \
    }

// PIL's rounding of a fixed-point sum to uint8 (its sums start at a half, so the shift rounds).
INCEPTION_HD inline int resize_clip8(int v) {
    return v >= (256 << 22) ? 255 : v <= 0 ? 0 : v >> 22;
}

// Output value i's uint8 value under BILINEAR resizing, from the coefficient tables (start index and taps weights
// per output column, x_*, and per output row, y_*); taps past the image's edge carry no weight and are not read.
INCEPTION_HD inline int resize_bilinear_value(long long i, int width, int height, int src_width, int src_height,
                                              const unsigned char *src, const int *x_start, const int *x_weights,
                                              int x_taps, const int *y_start, const int *y_weights, int y_taps) {
    ResizeAt at = resize_at(i, width, height);
    int x = at.x;
    int y = at.y;
    const unsigned char *img = src + at.image * src_height * src_width * 3 + at.c;
    int sum = 1 << 21;
    for (int ky = 0; ky < y_taps && y_start[y] + ky < src_height; ky++) {
        const unsigned char *line = img + (long long) (y_start[y] + ky) * src_width * 3;
        int across = 1 << 21;
        for (int kx = 0; kx < x_taps && x_start[x] + kx < src_width; kx++) {
            across += line[(x_start[x] + kx) * 3] * x_weights[x * x_taps + kx];
        }
        sum += resize_clip8(across) * y_weights[y * y_taps + ky];
    }
    return resize_clip8(sum);
}

#define RESIZE_BILINEAR_KERNEL(name, T, convert)                                                                    \
    extern "C" __global__ void name(T *__restrict__ dst, const unsigned char *__restrict__ src,                      \
                                    const int *__restrict__ x_start, const int *__restrict__ x_weights, int x_taps,  \
                                    const int *__restrict__ y_start, const int *__restrict__ y_weights, int y_taps,  \
                                    long long n, int width, int height, int src_width, int src_height) {             \
        GRID_STRIDE_LOOP(i, n) {                                                                                    \
            dst[i] = convert(preprocess_value((unsigned char) resize_bilinear_value(                               \
                i, width, height, src_width, src_height, src, x_start, x_weights, x_taps, y_start, y_weights,       \
                y_taps)));                                                                                          \
        }                                                                                                           \
    }

INCEPTION_HD inline float resize_keep_float(float v) { return v; }
RESIZE_NEAREST_KERNEL(resize_nearest_u8_f32, float, resize_keep_float)
RESIZE_BILINEAR_KERNEL(resize_bilinear_u8_f32, float, resize_keep_float)
#ifdef __CUDACC__
RESIZE_NEAREST_KERNEL(resize_nearest_u8_f16, __half, __float2half_rn)
RESIZE_NEAREST_KERNEL(resize_nearest_u8_bf16, __nv_bfloat16, __float2bfloat16_rn)
RESIZE_BILINEAR_KERNEL(resize_bilinear_u8_f16, __half, __float2half_rn)
RESIZE_BILINEAR_KERNEL(resize_bilinear_u8_bf16, __nv_bfloat16, __float2bfloat16_rn)
#endif
