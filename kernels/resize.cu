// Resizing on the GPU (--gpu-resize): a batch of same-sized uint8 RGB images goes up as decoded, and one thread per
// output value picks its source value by PIL's NEAREST mapping and preprocesses it (x / 127.5 - 1, as
// preprocess.cu) into the network's input. The host then only copies the images into pinned memory, instead of
// resizing them (which kept end to end at 0.15x of the network's rate on the first H200 run); the price is the
// upload of the full-size images (3.4x the bytes for 640x480 photos) on the copy stream, beside the compute.
//
// The mapping itself is computed on the host (image.Resize.nearestIndices: PIL accumulates the source position in
// double, column after column, and that accumulation decides ties) and uploaded with the batch as two int tables,
// xs (width entries) and ys (height). CPU twin: image.Resize.nearest, then image.Preprocess.value.
#include "common.cuh"
#include "preprocess.cu"

// The source value of output value i of a batch resized to height x width x 3 from src_height x src_width x 3
// (NHWC, images packed one after another).
INCEPTION_HD inline long long resize_nearest_source(long long i, int width, int height, int src_width,
                                                    int src_height, const int *xs, const int *ys) {
    int c = (int) (i % 3);
    long long pixel = i / 3;
    int x = (int) (pixel % width);
    long long row = pixel / width;
    int y = (int) (row % height);
    long long image = row / height;
    return ((image * src_height + ys[y]) * src_width + xs[x]) * 3 + c;
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

INCEPTION_HD inline float resize_keep_float(float v) { return v; }
RESIZE_NEAREST_KERNEL(resize_nearest_u8_f32, float, resize_keep_float)
#ifdef __CUDACC__
RESIZE_NEAREST_KERNEL(resize_nearest_u8_f16, __half, __float2half_rn)
RESIZE_NEAREST_KERNEL(resize_nearest_u8_bf16, __nv_bfloat16, __float2bfloat16_rn)
#endif
