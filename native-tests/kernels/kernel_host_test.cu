// Runs the kernels' element functions on the CPU (no GPU, no CUDA call) and prints their results, for
// KernelElementsTest to compare with the Java twins (cpu.CpuOps.concat, cpu.CpuOps.pool, image.Preprocess.value).
// Output: "preprocess <u8> <float bits as hex>" for every byte value; "concat <dst index> <value>" for a
// three-part concatenation whose source values encode (part, element); "pool <case> <lanes> <index> <float bits
// as hex>" for each pooling case of pool_cases(), one channel per element and four; "bias <lanes> <index> <float
// bits as hex>" for bias_relu_case(), one channel per element and four; "resize <case> <index> <source index>" for
// each case of resize_cases(), and "bilinear <case> <index> <uint8 value>" for the same cases.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>
#include "../../kernels/concat.cu"
#include "../../kernels/pooling.cu"
#include "../../kernels/bias_relu.cu"
#include "../../kernels/preprocess.cu"
#include "../../kernels/resize.cu"

// The input of every pooling case: value i = ((i * 37) % 101 - 50) / 7, which KernelElementsTest computes alike;
// element nan_at (if not negative) is a NaN.
static std::vector<float> pool_input(long long n, long long nan_at) {
    std::vector<float> x(n);
    for (long long i = 0; i < n; i++) {
        x[i] = (float) ((i * 37) % 101 - 50) / 7.0f;
    }
    if (nan_at >= 0) {
        x[nan_at] = NAN;
    }
    return x;
}

// Pools one case with lanes channels per element into an output of out_pixel_stride elements per pixel, at
// channel offset out_offset, cells outside the slice left at -1; prints every output element.
template <int V>
static void pool_case(int id, int batch, const PoolGeometry &g, int mode, long long nan_at, int out_offset) {
    std::vector<float> x = pool_input((long long) batch * g.height * g.width * g.channels, nan_at);
    long long pixels = (long long) batch * g.out_height * g.out_width;
    std::vector<float> y(pixels * g.out_pixel_stride, -1.0f);
    long long n = pixels * (g.channels / V);
    for (long long i = 0; i < n; i++) {
        pool_element<float, V>(g, mode, x.data(), y.data() + out_offset, i);
    }
    for (long long i = 0; i < (long long) y.size(); i++) {
        unsigned int bits;
        std::memcpy(&bits, &y[i], sizeof bits);
        std::printf("pool %d %d %lld %08x\n", id, V, i, bits);
    }
}

// The cases KernelElementsTest.POOL_CASES describes, in the same order.
static void pool_cases() {
    // {height, width, channels, out_height, out_width, rows, cols, stride_rows, stride_cols, pad_top, pad_left,
    //  out_pixel_stride}
    const PoolGeometry average_same = {5, 4, 8, 5, 4, 3, 3, 1, 1, 1, 1, 8};   // mixed blocks' 3x3 'same'
    const PoolGeometry max_valid = {7, 7, 8, 3, 3, 3, 3, 2, 2, 0, 0, 8};      // the stem's 3x3 stride 2 'valid'
    const PoolGeometry uneven = {6, 6, 8, 3, 3, 3, 3, 2, 2, 0, 0, 8};         // 'same', stride 2: pad after only
    const PoolGeometry slice = {5, 4, 8, 5, 4, 3, 3, 1, 1, 1, 1, 16};         // into channels 4..11 of 16
    pool_case<1>(0, 2, average_same, POOL_AVERAGE, -1, 0);
    pool_case<4>(0, 2, average_same, POOL_AVERAGE, -1, 0);
    pool_case<1>(1, 2, max_valid, POOL_MAX, 7 * 8 + 8 + 3, 0);
    pool_case<4>(1, 2, max_valid, POOL_MAX, 7 * 8 + 8 + 3, 0);
    pool_case<1>(2, 1, uneven, POOL_AVERAGE, -1, 0);
    pool_case<4>(2, 1, uneven, POOL_AVERAGE, -1, 0);
    pool_case<1>(3, 1, uneven, POOL_MAX, -1, 0);
    pool_case<4>(3, 1, uneven, POOL_MAX, -1, 0);
    pool_case<1>(4, 2, slice, POOL_AVERAGE, -1, 4);
    pool_case<4>(4, 2, slice, POOL_AVERAGE, -1, 4);
}

// Bias + ReLU in place over channels [4, 12) of 3 pixels that are 16 channels wide (a channel slice), y's value i
// = ((i * 37) % 101 - 50) / 7 with a NaN at 21 and -0 at 22, bias channel c = (c - 4) * 0.75; prints every element
// of y, the ones outside the slice included (they must not change).
template <int V>
static void bias_relu_case() {
    std::vector<float> y = pool_input(3 * 16, 21);
    y[22] = -0.0f;
    std::vector<float> bias(8);
    for (int c = 0; c < 8; c++) {
        bias[c] = (float) (c - 4) * 0.75f;
    }
    for (long long i = 0; i < 3LL * 8 / V; i++) {
        bias_relu_element<float, V>(y.data() + 4, bias.data(), 8, 16, i);
    }
    for (int i = 0; i < 3 * 16; i++) {
        unsigned int bits;
        std::memcpy(&bits, &y[i], sizeof bits);
        std::printf("bias %d %d %08x\n", V, i, bits);
    }
}

// PIL's NEAREST source positions (ImagingScaleAffine: the centre of output cell 0 at scale / 2, advanced by scale in
// double, truncated, clamped), written here apart from the Java code that makes the GPU's tables.
static std::vector<int> pil_nearest(int in, int out) {
    std::vector<int> idx(out);
    double scale = (double) in / out;
    double pos = scale * 0.5;
    for (int i = 0; i < out; i++, pos += scale) {
        idx[i] = (int) pos < in - 1 ? (int) pos : in - 1;
    }
    return idx;
}

// PIL's BILINEAR coefficients (Resample.c's precompute_coeffs with the triangle filter, 22 fraction bits), written
// here apart from the Java code that makes the GPU's tables: the first source index of each output index, and
// taps weights each, zero-padded.
static int pil_bilinear(int in, int out, std::vector<int> &start, std::vector<int> &weights) {
    double scale = (double) in / out;
    double filter_scale = scale > 1.0 ? scale : 1.0;
    double support = filter_scale;
    int taps = (int) std::ceil(support) * 2 + 1;
    start.assign(out, 0);
    weights.assign((size_t) out * taps, 0);
    for (int o = 0; o < out; o++) {
        double center = (o + 0.5) * scale;
        int lo = (int) (center - support + 0.5);
        int hi = (int) (center + support + 0.5);
        lo = lo < 0 ? 0 : lo;
        hi = hi > in ? in : hi;
        std::vector<double> k(hi - lo);
        double sum = 0;
        for (int i = 0; i < hi - lo; i++) {
            double d = std::fabs((i + lo - center + 0.5) / filter_scale);
            k[i] = d < 1.0 ? 1.0 - d : 0.0;
            sum += k[i];
        }
        for (int i = 0; i < hi - lo; i++) {
            double v = sum != 0 ? k[i] / sum : k[i];
            weights[(size_t) o * taps + i] = (int) (v < 0 ? -0.5 + v * (1 << 22) : 0.5 + v * (1 << 22));
        }
        start[o] = lo;
    }
    return taps;
}

// The source byte i of a resizing case's packed batch (KernelElementsTest makes the same images).
static unsigned char resize_source(long long i) {
    return (unsigned char) ((i * 37 + 11) % 256);
}

// The cases KernelElementsTest.RESIZE_CASES describes, in the same order: {batch, src_width, src_height, width,
// height}: down in both directions, up in both, one direction only, and a strong shrink (many taps).
static void resize_cases() {
    const int cases[4][5] = {{2, 7, 5, 4, 3}, {1, 3, 2, 5, 4}, {1, 5, 9, 5, 2}, {1, 40, 6, 3, 5}};
    for (int k = 0; k < 4; k++) {
        const int *c = cases[k];
        std::vector<int> xs = pil_nearest(c[1], c[3]);
        std::vector<int> ys = pil_nearest(c[2], c[4]);
        long long n = (long long) c[0] * c[3] * c[4] * 3;
        for (long long i = 0; i < n; i++) {
            std::printf("resize %d %lld %lld\n", k, i, resize_nearest_source(i, c[3], c[4], c[1], c[2], xs.data(),
                                                                            ys.data()));
        }
        std::vector<unsigned char> src((size_t) c[0] * c[1] * c[2] * 3);
        for (size_t i = 0; i < src.size(); i++) {
            src[i] = resize_source((long long) i);
        }
        std::vector<int> x_start, x_weights, y_start, y_weights;
        int x_taps = pil_bilinear(c[1], c[3], x_start, x_weights);
        int y_taps = pil_bilinear(c[2], c[4], y_start, y_weights);
        for (long long i = 0; i < n; i++) {
            std::printf("bilinear %d %lld %d\n", k, i, resize_bilinear_value(i, c[3], c[4], c[1], c[2], src.data(),
                    x_start.data(), x_weights.data(), x_taps, y_start.data(), y_weights.data(), y_taps));
        }
    }
}

int main() {
    for (int u = 0; u < 256; u++) {
        float v = preprocess_value((unsigned char) u);
        unsigned int bits;
        std::memcpy(&bits, &v, sizeof bits);
        std::printf("preprocess %d %08x\n", u, bits);
    }
    const int pixels = 6;
    const int parts[3] = {3, 1, 4};
    const int c_total = 8;
    std::vector<float> dst(pixels * c_total, -1.0f);
    int offset = 0;
    for (int k = 0; k < 3; k++) {
        long long n = (long long) pixels * parts[k];
        for (long long i = 0; i < n; i++) {
            dst[concat_dst_index(i, parts[k], c_total, offset)] = (float) (k * 1000 + i);
        }
        offset += parts[k];
    }
    for (int i = 0; i < pixels * c_total; i++) {
        std::printf("concat %d %.1f\n", i, dst[i]);
    }
    pool_cases();
    bias_relu_case<1>();
    bias_relu_case<4>();
    resize_cases();
    return 0;
}
