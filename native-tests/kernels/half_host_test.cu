// CUDA's own float -> fp16 and float -> bf16 conversions (cuda_fp16.h / cuda_bf16.h, the ones the preprocess
// kernels call), run on the host, for KernelElementsTest to compare with gpu.HalfFloats, which converts weights and
// inputs on the host. Needs nvcc (the headers); no GPU.
// Output: "half <float bits> <fp16 bits> <bf16 bits>" in hex, for every preprocessed byte value, special values,
// and 20,000 float bit patterns from a fixed linear congruential sequence over every exponent.
#include <cstdio>
#include <cstring>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include "../../kernels/preprocess.cu"

static void print(unsigned int bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    __half h = __float2half_rn(f);
    __nv_bfloat16 b = __float2bfloat16_rn(f);
    unsigned short hb, bb;
    std::memcpy(&hb, &h, sizeof hb);
    std::memcpy(&bb, &b, sizeof bb);
    std::printf("half %08x %04x %04x\n", bits, hb, bb);
}

int main() {
    for (int u = 0; u < 256; u++) {
        float v = preprocess_value((unsigned char) u);
        unsigned int bits;
        std::memcpy(&bits, &v, sizeof bits);
        print(bits);
    }
    const unsigned int special[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x477fe000u, 0x477ff000u,
                                    0x38800000u, 0x33800000u, 0x33000000u, 0x3f801000u, 0x3f803000u, 0x3f808000u,
                                    0x3f818000u, 0x7f7fffffu, 0x00000001u};
    for (unsigned int s : special) {
        print(s);
    }
    unsigned long long x = 7;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        unsigned int bits = (unsigned int) (x >> 32);
        if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x7fffffu) != 0) {
            continue;   // NaN payloads: both sides keep a NaN, but not necessarily the same one
        }
        print(bits);
    }
    return 0;
}
