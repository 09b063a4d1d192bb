// Runs the kernels' element functions on the CPU (no GPU, no CUDA call) and prints their results, for
// KernelElementsTest to compare with the Java twins (cpu.CpuOps.concat, image.Preprocess.value).
// Output: "preprocess <u8> <float bits as hex>" for every byte value, then "concat <dst index> <value>" for a
// three-part concatenation whose source values encode (part, element).
#include <cstdio>
#include <cstring>
#include <vector>
#include "../../kernels/concat.cu"
#include "../../kernels/preprocess.cu"

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
    return 0;
}
