/* A fake GPU for running the GPU executor's Java side on a machine without one: libcuda.so.1 with "device memory"
 * in host memory (malloc + memcpy), and libcudnn.so.9 / libcublas.so.13 whose calls succeed without computing.
 * Every allocation, descriptor and handle is counted; at exit each library prints what is still alive, so a test
 * can check that the executor releases everything it creates. Built by FakeGpuTest with -DFAKE_CUDA, -DFAKE_CUDNN
 * or -DFAKE_CUBLAS. Outputs of cuDNN and cuBLAS calls are NOT computed: this checks wiring, not arithmetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_COUNTER(name)                                                                \
    static long name;                                                                     \
    __attribute__((destructor)) static void report_##name(void) {                         \
        fprintf(stderr, "fake-gpu: live " #name " %ld\n", name);                          \
    }

#ifdef FAKE_CUDA
typedef unsigned long long CUdeviceptr;
LIVE_COUNTER(device_allocations)
LIVE_COUNTER(host_allocations)
LIVE_COUNTER(streams)
LIVE_COUNTER(events)
LIVE_COUNTER(contexts)
LIVE_COUNTER(modules)
static long launches;
__attribute__((destructor)) static void report_launches(void) { fprintf(stderr, "fake-gpu: kernel launches %ld\n", launches); }

int cuInit(unsigned int flags) { (void) flags; return 0; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuDeviceGetCount(int *n) { *n = 1; return 0; }
int cuDeviceGet(int *dev, int ordinal) { if (ordinal != 0) return 101; *dev = 0; return 0; }  /* INVALID_DEVICE */
int cuDeviceGetName(char *name, int len, int dev) { (void) dev; snprintf(name, (size_t) len, "Fake GPU"); return 0; }
int cuDeviceGetAttribute(int *v, int attr, int dev) { (void) dev; *v = attr == 75 ? 9 : 0; return 0; }
int cuDeviceTotalMem_v2(size_t *bytes, int dev) { (void) dev; *bytes = 1ULL << 34; return 0; }
int cuMemGetInfo_v2(size_t *free_, size_t *total) { *free_ = 1ULL << 33; *total = 1ULL << 34; return 0; }
int cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void) dev; *ctx = (void *) 0x1; contexts++; return 0; }
int cuDevicePrimaryCtxRelease_v2(int dev) { (void) dev; contexts--; return 0; }
int cuCtxSetCurrent(void *ctx) { (void) ctx; return 0; }
int cuStreamCreate(void **s, unsigned int flags) { (void) flags; *s = malloc(1); streams++; return 0; }
int cuStreamDestroy_v2(void *s) { free(s); streams--; return 0; }
int cuStreamSynchronize(void *s) { (void) s; return 0; }
int cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    void *m = malloc(bytes);
    if (m == NULL) return 2;   /* CUDA_ERROR_OUT_OF_MEMORY */
    *p = (CUdeviceptr) m;
    device_allocations++;
    return 0;
}
int cuMemFree_v2(CUdeviceptr p) { free((void *) p); device_allocations--; return 0; }
int cuMemAllocHost_v2(void **p, size_t bytes) { *p = malloc(bytes); host_allocations++; return *p ? 0 : 2; }
int cuMemFreeHost(void *p) { free(p); host_allocations--; return 0; }
int cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) { memcpy((void *) dst, src, n); return 0; }
int cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) { memcpy(dst, (void *) src, n); return 0; }
int cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) { (void) s; return cuMemcpyHtoD_v2(dst, src, n); }
int cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) { (void) s; return cuMemcpyDtoH_v2(dst, src, n); }
int cuModuleLoadData(void **m, const void *image) { (void) image; *m = malloc(1); modules++; return 0; }
int cuModuleUnload(void *m) { free(m); modules--; return 0; }
int cuModuleGetFunction(void **f, void *m, const char *name) { (void) m; *f = (void *) name; return 0; }
int cuLaunchKernel(void) { launches++; return 0; }
int cuEventCreate(void **e, unsigned int flags) { (void) flags; *e = malloc(1); events++; return 0; }
int cuEventDestroy_v2(void *e) { free(e); events--; return 0; }
int cuEventRecord(void *e, void *s) { (void) e; (void) s; return 0; }
int cuEventSynchronize(void *e) { (void) e; return 0; }
int cuEventElapsedTime(float *ms, void *a, void *b) { (void) a; (void) b; *ms = 1.5f; return 0; }
#endif

#ifdef FAKE_CUDNN
LIVE_COUNTER(cudnn_handles)
LIVE_COUNTER(descriptors)
size_t cudnnGetVersion(void) { return 91002; }
const char *cudnnGetErrorString(int s) { return s == 0 ? "CUDNN_STATUS_SUCCESS" : "CUDNN_STATUS_FAKE_ERROR"; }
int cudnnCreate(void **h) { *h = malloc(1); cudnn_handles++; return 0; }
int cudnnDestroy(void *h) { free(h); cudnn_handles--; return 0; }
int cudnnSetStream(void) { return 0; }
#define DESCRIPTOR(kind)                                                                    \
    int cudnnCreate##kind##Descriptor(void **d) { *d = malloc(1); descriptors++; return 0; } \
    int cudnnDestroy##kind##Descriptor(void *d) { free(d); descriptors--; return 0; }
DESCRIPTOR(Tensor)
DESCRIPTOR(Filter)
DESCRIPTOR(Convolution)
DESCRIPTOR(Pooling)
DESCRIPTOR(Activation)
int cudnnSetTensor4dDescriptor(void *d, int fmt, int type, int n, int c, int h, int w) {
    (void) d; (void) fmt; (void) type;
    return n > 0 && c > 0 && h > 0 && w > 0 ? 0 : 3;   /* cuDNN 9: BAD_PARAM is 2000; any non-zero fails */
}
int cudnnSetFilter4dDescriptor(void) { return 0; }
int cudnnSetConvolution2dDescriptor(void) { return 0; }
int cudnnSetConvolutionMathType(void) { return 0; }
int cudnnSetPooling2dDescriptor(void) { return 0; }
int cudnnSetActivationDescriptor(void) { return 0; }
typedef struct { int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]; } Perf;
static int perf(int requested, int *returned, Perf *p) {
    if (requested < 2) return 3;
    memset(p, 0, sizeof(Perf) * 2);
    p[0].algo = 6; p[0].status = 0; p[0].time = 0.5f; p[0].memory = 3u << 20;   /* WINOGRAD, 3 MiB */
    p[1].algo = 1; p[1].status = 0; p[1].time = 0.7f; p[1].memory = 4096;       /* IMPLICIT_PRECOMP_GEMM */
    *returned = 2;
    return 0;
}
int cudnnFindConvolutionForwardAlgorithm(void *h, void *x, void *w, void *c, void *y, int req, int *ret, Perf *p) {
    (void) h; (void) x; (void) w; (void) c; (void) y; return perf(req, ret, p);
}
int cudnnGetConvolutionForwardAlgorithm_v7(void *h, void *x, void *w, void *c, void *y, int req, int *ret, Perf *p) {
    (void) h; (void) x; (void) w; (void) c; (void) y; return perf(req, ret, p);
}
/* Refusals on request, to exercise the executor's run-time fallbacks: FAKE_CUDNN_FUSED_STATUS makes every fused
 * conv + bias + ReLU call return that status; FAKE_CUDNN_FAILING_ALGO makes convolutions with that algorithm fail
 * with NOT_SUPPORTED (cuDNN 9's 3000). */
static int env_int(const char *name, int otherwise) {
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? atoi(v) : otherwise;
}
static long fused_calls, plain_calls;
__attribute__((destructor)) static void report_calls(void) {
    fprintf(stderr, "fake-gpu: conv calls fused %ld plain %ld\n", fused_calls, plain_calls);
}
int cudnnConvolutionForward(void *h, const void *alpha, void *xd, const void *x, void *wd, const void *w, void *cd,
                            int algo) {
    (void) h; (void) alpha; (void) xd; (void) x; (void) wd; (void) w; (void) cd;
    plain_calls++;
    return algo == env_int("FAKE_CUDNN_FAILING_ALGO", -1) ? 3000 : 0;
}
int cudnnConvolutionBiasActivationForward(void *h, const void *alpha, void *xd, const void *x, void *wd, const void *w,
                                          void *cd, int algo) {
    (void) h; (void) alpha; (void) xd; (void) x; (void) wd; (void) w; (void) cd;
    fused_calls++;
    int status = env_int("FAKE_CUDNN_FUSED_STATUS", 0);
    if (status != 0) return status;
    return algo == env_int("FAKE_CUDNN_FAILING_ALGO", -1) ? 3000 : 0;
}
int cudnnBatchNormalizationForwardInference(void) { return 0; }
int cudnnPoolingForward(void) { return 0; }
int cudnnActivationForward(void) { return 0; }
int cudnnSoftmaxForward(void) { return 0; }
int cudnnAddTensor(void) { return 0; }
#endif

#ifdef FAKE_CUBLAS
LIVE_COUNTER(cublas_handles)
int cublasCreate_v2(void **h) { *h = malloc(1); cublas_handles++; return 0; }
int cublasDestroy_v2(void *h) { free(h); cublas_handles--; return 0; }
int cublasSetStream_v2(void) { return 0; }
int cublasSetMathMode(void) { return 0; }
int cublasSgemm_v2(void) { return 0; }
int cublasGetProperty(int type, int *value) { *value = type == 0 ? 13 : type == 1 ? 1 : 0; return 0; }
#endif

#ifdef FAKE_CUBLASLT
int cublasLtGetVersion(void) { return 130100; }
#endif
