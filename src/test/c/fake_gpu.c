/* A fake GPU for running the GPU executor's Java side on a machine without one: libcuda.so.1 with "device memory"
 * in host memory (calloc + memcpy), and libcudnn.so.9 / libcublas.so.13 whose calls succeed without computing.
 * Every allocation, descriptor and handle is counted; at exit each library prints what is still alive, so a test
 * can check that the executor releases everything it creates. Built by FakeGpuTest with -DFAKE_CUDA, -DFAKE_CUDNN
 * or -DFAKE_CUBLAS. Outputs of cuDNN and cuBLAS calls are NOT computed: this checks wiring, not arithmetic.
 *
 * With FAKE_GPU_LOG=FILE, every call that carries the executor's decisions is recorded there, one line each:
 * allocations, descriptor creation, each convolution with its tensor, filter and convolution descriptors' contents,
 * each pooling with its descriptors, each SGEMM with its dimensions, each kernel launch with the kernel's name. A
 * test compares them with the plan (FakeGpuTest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((unused)) static FILE *log_file(void) {
    static FILE *f;
    static int opened;
    if (!opened) {
        opened = 1;
        const char *path = getenv("FAKE_GPU_LOG");
        if (path != NULL && *path != '\0' && (f = fopen(path, "a")) != NULL) {
            setvbuf(f, NULL, _IOLBF, 0);   /* whole lines, in call order with the other fake libraries' */
        }
    }
    return f;
}
#define RECORD(...) do { FILE *lf_ = log_file(); if (lf_) fprintf(lf_, __VA_ARGS__); } while (0)

__attribute__((unused)) static int env_int(const char *name, int otherwise) {
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? atoi(v) : otherwise;
}

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

/* Stream capture as the driver enforces it: between begin and end capture, calls that would allocate or wait are
 * refused with CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED (900) and invalidate the capture, so that end capture fails
 * with CUDA_ERROR_STREAM_CAPTURE_INVALIDATED (901). Each is recorded as "illegal during capture". With
 * FAKE_CUDA_CAPTURE_STATUS=N, end capture fails with N regardless (a capture the real driver rejects). */
static int capturing, capture_invalidated;
/* A captured graph keeps how many kernels this library launched, and copies it enqueued, while it was recorded: its
 * nodes, which cuGraphGetNodes counts (the fake cuDNN and cuBLAS launch nothing, so their calls add no nodes here). */
struct fake_graph {
    long nodes;
};
static long captured_nodes;
#define REFUSED_DURING_CAPTURE()                                                          \
    do {                                                                                  \
        if (capturing) {                                                                  \
            RECORD("illegal during capture: %s\n", __func__);                            \
            capture_invalidated = 1;                                                      \
            return 900;                                                                   \
        }                                                                                 \
    } while (0)
LIVE_COUNTER(graphs)
LIVE_COUNTER(graph_execs)
static long graph_launches;
__attribute__((destructor)) static void report_graph_launches(void) {
    fprintf(stderr, "fake-gpu: graph launches %ld\n", graph_launches);
}
int cuStreamBeginCapture_v2(void *s, int mode) {
    (void) s;
    RECORD("capture begin mode %d\n", mode);
    if (capturing) return 900;
    capturing = 1;
    capture_invalidated = 0;
    captured_nodes = 0;
    return 0;
}
int cuStreamEndCapture(void *s, void **graph) {
    (void) s;
    RECORD("capture end\n");
    capturing = 0;
    int status = capture_invalidated ? 901 : env_int("FAKE_CUDA_CAPTURE_STATUS", 0);
    if (status != 0) {
        *graph = NULL;
        return status;
    }
    struct fake_graph *g = malloc(sizeof(struct fake_graph));
    g->nodes = captured_nodes;
    *graph = g;
    graphs++;
    return 0;
}
/* The count only: with an array, JCuda 12.6 passes the driver an uninitialised capacity (the real driver would write
 * that many entries into an array sized for the graph), so the fake refuses that form outright. */
int cuGraphGetNodes(void *graph, void **nodes, size_t *count) {
    if (nodes != NULL) {
        RECORD("illegal: cuGraphGetNodes with a nodes array\n");
        return 1;
    }
    *count = (size_t) ((struct fake_graph *) graph)->nodes;
    return 0;
}
int cuGraphInstantiateWithFlags(void **exec, void *graph, unsigned long long flags) {
    (void) graph; (void) flags;
    *exec = malloc(1);
    graph_execs++;
    return 0;
}
int cuGraphLaunch(void *exec, void *s) { (void) exec; (void) s; RECORD("graph launch\n"); graph_launches++; return 0; }
int cuGraphExecDestroy(void *exec) { free(exec); graph_execs--; return 0; }
int cuGraphDestroy(void *graph) { free(graph); graphs--; return 0; }

int cuInit(unsigned int flags) { (void) flags; return 0; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuDeviceGetCount(int *n) { *n = 1; return 0; }
int cuDeviceGet(int *dev, int ordinal) { if (ordinal != 0) return 101; *dev = 0; return 0; }  /* INVALID_DEVICE */
int cuDeviceGetName(char *name, int len, int dev) { (void) dev; snprintf(name, (size_t) len, "Fake GPU"); return 0; }
/* compute capability 9.0 (attribute 75) with an H100 SXM's SMs (16), clocks in kHz (13: SMs, 36: memory) and memory
 * bus bits (37); every other attribute 0 */
int cuDeviceGetAttribute(int *v, int attr, int dev) {
    (void) dev;
    *v = attr == 75 ? 9 : attr == 16 ? 132 : attr == 13 ? 1980000 : attr == 36 ? 2619000 : attr == 37 ? 5120 : 0;
    return 0;
}
int cuDeviceTotalMem_v2(size_t *bytes, int dev) { (void) dev; *bytes = 1ULL << 34; return 0; }
int cuMemGetInfo_v2(size_t *free_, size_t *total) { *free_ = 1ULL << 33; *total = 1ULL << 34; return 0; }
int cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void) dev; *ctx = (void *) 0x1; contexts++; return 0; }
int cuDevicePrimaryCtxRelease_v2(int dev) { (void) dev; contexts--; return 0; }
int cuCtxSetCurrent(void *ctx) { (void) ctx; return 0; }
/* a stream or event handle points at its number (1, 2, ... in creation order), so records can name them */
static int next_stream, next_event;
static int *numbered(int *counter) {
    int *p = malloc(sizeof(int));
    *p = ++*counter;
    return p;
}
static int number(const void *handle) { return handle != NULL ? *(const int *) handle : 0; }
int cuStreamCreate(void **s, unsigned int flags) {
    (void) flags;
    *s = numbered(&next_stream);
    RECORD("stream create %d\n", number(*s));
    streams++;
    return 0;
}
int cuStreamDestroy_v2(void *s) { free(s); streams--; return 0; }
/* FAKE_CUDA_HANG=1: every wait for the GPU blocks for good, as on a host where GPU work never completes (a hung
 * device, a driver that does not answer); the runbook must give up on its own GPU stages, not on the window. */
static int wait_for_gpu(void) {
    if (env_int("FAKE_CUDA_HANG", 0)) {
        RECORD("hang\n");
        for (;;) pause();
    }
    return 0;
}
int cuStreamSynchronize(void *s) { (void) s; REFUSED_DURING_CAPTURE(); return wait_for_gpu(); }
int cuCtxSynchronize(void) { REFUSED_DURING_CAPTURE(); return wait_for_gpu(); }
int cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    REFUSED_DURING_CAPTURE();
    RECORD("alloc device %zu\n", bytes);
    /* zeroed: the fake computes no convolution or GEMM, so what a pass "outputs" is what its buffers held, and a
     * buffer malloc hands back from an engine closed before (a 16-bit arena read as float32) can hold NaN bit
     * patterns, which the engine rightly refuses as a result; zeros make every pass's output finite and the same */
    void *m = calloc(1, bytes);
    if (m == NULL) return 2;   /* CUDA_ERROR_OUT_OF_MEMORY */
    *p = (CUdeviceptr) m;
    device_allocations++;
    return 0;
}
int cuMemFree_v2(CUdeviceptr p) { free((void *) p); device_allocations--; return 0; }
int cuMemAllocHost_v2(void **p, size_t bytes) {
    REFUSED_DURING_CAPTURE();
    RECORD("alloc host %zu\n", bytes);
    *p = malloc(bytes);
    host_allocations++;
    return *p ? 0 : 2;
}
int cuMemFreeHost(void *p) { free(p); host_allocations--; return 0; }
int cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) { REFUSED_DURING_CAPTURE(); memcpy((void *) dst, src, n); return 0; }
int cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) { REFUSED_DURING_CAPTURE(); memcpy(dst, (void *) src, n); return 0; }
/* an asynchronous copy on a capturing stream would become a graph node; the executor never captures one. Each is
 * recorded with its stream ("copy htod 4096 stream 3"), an upload also with the FNV-1a hash of its bytes (what
 * reached the device: "copy htod 4096 fnv1a 0123456789abcdef stream 3"), and done at once (no copy engine here). */
int cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) {
    unsigned long long hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        hash = (hash ^ ((const unsigned char *) src)[i]) * 0x100000001b3ULL;
    }
    RECORD("copy htod %zu fnv1a %016llx stream %d\n", n, hash, number(s));
    memcpy((void *) dst, src, n);
    return 0;
}
int cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) {
    RECORD("copy dtoh %zu stream %d\n", n, number(s));
    memcpy(dst, (void *) src, n);
    return 0;
}
int cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *s) {
    RECORD("copy dtod %zu stream %d\n", n, number(s));
    if (capturing) {
        captured_nodes++;
    }
    memcpy((void *) dst, (void *) src, n);
    return 0;
}
int cuModuleLoadData(void **m, const void *image) { (void) image; REFUSED_DURING_CAPTURE(); *m = malloc(1); modules++; return 0; }
int cuModuleUnload(void *m) { free(m); modules--; return 0; }
/* a function handle is a copy of its name, so that launches can be recorded by kernel */
int cuModuleGetFunction(void **f, void *m, const char *name) { (void) m; *f = strdup(name); return 0; }
/* The kernels the fake runs, so that a 16-bit engine's float inputs and a batch resized on the GPU reach the
 * arena as on a GPU, and a round trip through the arena shows whether the executor uploaded them where the kernel
 * reads and pointed it at the input tensor:
 * - narrow_f32_f16 / narrow_f32_bf16 (kernels/preprocess.cu) round float32 inputs to 16 bits;
 * - resize_nearest_u8_{f32,f16,bf16} (kernels/resize.cu) pick each output value's source byte through the two
 *   uploaded tables, preprocess it (u / 127.5 - 1) and store it in the input's type; resize_bilinear_u8_* sum
 *   each output value from the uploaded first indices and weights, a horizontal pass then a vertical one, each
 *   rounded to uint8 as PIL rounds (a loop of its own here, not the kernel's element function).
 * The rounding to 16 bits is the compiler's own float -> _Float16 conversion (to nearest even) and, for bfloat16,
 * the usual carry into the high half (ties to even; NaN kept quiet): neither shares code with the Java side's
 * gpu.HalfFloats. */
static unsigned short to16(float v, int bf16) {
    if (bf16) {
        unsigned int bits;
        memcpy(&bits, &v, 4);
        return (bits & 0x7fffffffu) > 0x7f800000u ? (unsigned short) ((bits >> 16) | 0x40)
                                                 : (unsigned short) ((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
    }
    _Float16 h = (_Float16) v;
    unsigned short out;
    memcpy(&out, &h, 2);
    return out;
}

static void narrow(const char *name, void **params) {
    unsigned short *dst = *(unsigned short **) params[0];
    const float *src = *(const float **) params[1];
    long long n = *(long long *) params[2];
    int bf16 = strcmp(name, "narrow_f32_bf16") == 0;
    for (long long i = 0; i < n; i++) {
        dst[i] = to16(src[i], bf16);
    }
}

/* stores preprocessed byte u as element i of dst, in the type the kernel's name ends with */
static void store_input(void *dst, const char *name, long long i, unsigned char u) {
    float v = (float) u / 127.5f - 1.0f;
    const char *type = strrchr(name, '_') + 1;
    if (strcmp(type, "f32") == 0) {
        ((float *) dst)[i] = v;
    } else {
        ((unsigned short *) dst)[i] = to16(v, strcmp(type, "bf16") == 0);
    }
}

static void resize_nearest(const char *name, void **params) {
    void *dst = *(void **) params[0];
    const unsigned char *src = *(const unsigned char **) params[1];
    const int *xs = *(const int **) params[2];
    const int *ys = *(const int **) params[3];
    long long n = *(long long *) params[4];
    int width = *(int *) params[5], height = *(int *) params[6];
    int src_width = *(int *) params[7], src_height = *(int *) params[8];
    long long i = 0;
    for (long long image = 0; i < n; image++) {
        for (int y = 0; y < height; y++) {
            const unsigned char *row = src + (image * src_height + ys[y]) * src_width * 3;
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++, i++) {
                    store_input(dst, name, i, row[xs[x] * 3 + c]);
                }
            }
        }
    }
}

static int clip8(long long v) { return v >= (256LL << 22) ? 255 : v <= 0 ? 0 : (int) (v >> 22); }

static void resize_bilinear(const char *name, void **params) {
    void *dst = *(void **) params[0];
    const unsigned char *src = *(const unsigned char **) params[1];
    const int *x_start = *(const int **) params[2], *x_weights = *(const int **) params[3];
    int x_taps = *(int *) params[4];
    const int *y_start = *(const int **) params[5], *y_weights = *(const int **) params[6];
    int y_taps = *(int *) params[7];
    long long n = *(long long *) params[8];
    int width = *(int *) params[9], height = *(int *) params[10];
    int src_width = *(int *) params[11], src_height = *(int *) params[12];
    int images = (int) (n / ((long long) width * height * 3));
    /* the horizontal pass over every source row, into an image of its own, then the vertical pass */
    unsigned char *across = malloc((size_t) src_height * width * 3);
    for (int image = 0; image < images; image++) {
        const unsigned char *in = src + (long long) image * src_height * src_width * 3;
        for (int r = 0; r < src_height; r++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    long long sum = 1 << 21;
                    for (int k = 0; k < x_taps && x_start[x] + k < src_width; k++) {
                        sum += (long long) in[((long long) r * src_width + x_start[x] + k) * 3 + c]
                               * x_weights[x * x_taps + k];
                    }
                    across[((long long) r * width + x) * 3 + c] = (unsigned char) clip8(sum);
                }
            }
        }
        for (int y = 0; y < height; y++) {
            for (int j = 0; j < width * 3; j++) {
                long long sum = 1 << 21;
                for (int k = 0; k < y_taps && y_start[y] + k < src_height; k++) {
                    sum += (long long) across[(long long) (y_start[y] + k) * width * 3 + j] * y_weights[y * y_taps + k];
                }
                store_input(dst, name, ((long long) image * height + y) * width * 3 + j, (unsigned char) clip8(sum));
            }
        }
    }
    free(across);
}

/* Each launch is recorded with its kernel's name, and for the pooling and concat kernels (whose signatures
 * kernels/pooling.cu and kernels/concat.cu fix) with their arguments, pointers as numbers:
 * "... args y Y x X geometry <12 ints> mode M n N" and "... args dst D src S n N part P total T offset O"; the bias
 * + ReLU kernel's as "... args y Y bias B channels C stride S n N", and the resizing kernel's as "... args dst D
 * src S xs X ys Y n N width W height H src_width SW src_height SH" (the bilinear one's with its tables and taps). */
int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void *stream, void **params, void **extra) {
    (void) shared; (void) extra;
    const char *name = (const char *) f;
    RECORD("launch %s grid %u %u %u block %u %u %u stream %d", name, gx, gy, gz, bx, by, bz, number(stream));
    if (strncmp(name, "pool_nhwc_", 10) == 0) {
        const int *g = (const int *) params[2];
        RECORD(" args y %llu x %llu geometry", *(CUdeviceptr *) params[0], *(CUdeviceptr *) params[1]);
        for (int i = 0; i < 12; i++) RECORD(" %d", g[i]);
        RECORD(" mode %d n %lld", *(int *) params[3], *(long long *) params[4]);
    } else if (strncmp(name, "bias_relu_nhwc_", 15) == 0) {
        RECORD(" args y %llu bias %llu channels %d stride %d n %lld", *(CUdeviceptr *) params[0],
               *(CUdeviceptr *) params[1], *(int *) params[2], *(int *) params[3], *(long long *) params[4]);
    } else if (strncmp(name, "resize_nearest_", 15) == 0) {
        RECORD(" args dst %llu src %llu xs %llu ys %llu n %lld width %d height %d src_width %d src_height %d",
               *(CUdeviceptr *) params[0], *(CUdeviceptr *) params[1], *(CUdeviceptr *) params[2],
               *(CUdeviceptr *) params[3], *(long long *) params[4], *(int *) params[5], *(int *) params[6],
               *(int *) params[7], *(int *) params[8]);
        resize_nearest(name, params);
    } else if (strncmp(name, "resize_bilinear_", 16) == 0) {
        RECORD(" args dst %llu src %llu x_start %llu x_weights %llu x_taps %d y_start %llu y_weights %llu y_taps %d"
               " n %lld width %d height %d src_width %d src_height %d", *(CUdeviceptr *) params[0],
               *(CUdeviceptr *) params[1], *(CUdeviceptr *) params[2], *(CUdeviceptr *) params[3], *(int *) params[4],
               *(CUdeviceptr *) params[5], *(CUdeviceptr *) params[6], *(int *) params[7], *(long long *) params[8],
               *(int *) params[9], *(int *) params[10], *(int *) params[11], *(int *) params[12]);
        resize_bilinear(name, params);
    } else if (strncmp(name, "concat_nhwc_", 12) == 0) {
        RECORD(" args dst %llu src %llu n %lld part %d total %d offset %d", *(CUdeviceptr *) params[0],
               *(CUdeviceptr *) params[1], *(long long *) params[2], *(int *) params[3], *(int *) params[4],
               *(int *) params[5]);
    }
    if (strncmp(name, "narrow_f32_", 11) == 0) {
        narrow(name, params);
    }
    if (capturing) {
        captured_nodes++;
    }
    RECORD("\n");
    launches++;
    return 0;
}
int cuEventCreate(void **e, unsigned int flags) { (void) flags; *e = numbered(&next_event); events++; return 0; }
int cuEventDestroy_v2(void *e) { free(e); events--; return 0; }
int cuEventRecord(void *e, void *s) { RECORD("event %d record on stream %d\n", number(e), number(s)); return 0; }
int cuStreamWaitEvent(void *s, void *e, unsigned int flags) {
    (void) flags;
    RECORD("stream %d waits for event %d\n", number(s), number(e));
    return 0;
}
int cuEventSynchronize(void *e) {
    REFUSED_DURING_CAPTURE();
    RECORD("event %d synchronize\n", number(e));
    return wait_for_gpu();
}
/* 1.5 ms between any two events, or FAKE_CUDA_ELAPSED_MS: what a timed measurement sees */
int cuEventElapsedTime(float *ms, void *a, void *b) {
    (void) a; (void) b;
    const char *v = getenv("FAKE_CUDA_ELAPSED_MS");
    *ms = v != NULL && *v != '\0' ? (float) atof(v) : 1.5f;
    return 0;
}
#endif

#ifdef FAKE_CUDNN
LIVE_COUNTER(cudnn_handles)
LIVE_COUNTER(descriptors)
size_t cudnnGetVersion(void) { return 91002; }
const char *cudnnGetErrorString(int s) { return s == 0 ? "CUDNN_STATUS_SUCCESS" : "CUDNN_STATUS_FAKE_ERROR"; }
/* a handle remembers its stream's number (the driver fake numbers streams; see number()), so that every cuDNN
 * call that does work is recorded with the stream it runs on: "on stream N" before its line */
typedef struct { int stream; } Handle;
int cudnnCreate(void **h) { *h = calloc(1, sizeof(Handle)); cudnn_handles++; return 0; }
int cudnnDestroy(void *h) { free(h); cudnn_handles--; return 0; }
int cudnnSetStream(void *h, void *stream) {
    ((Handle *) h)->stream = stream != NULL ? *(const int *) stream : 0;
    return 0;
}
static void record_stream(const void *h) { RECORD("on stream %d\n", ((const Handle *) h)->stream); }
/* every descriptor keeps what it was set to: 9 ints are enough for each kind */
typedef struct { int v[13]; } Desc;
#define DESCRIPTOR(kind)                                                                    \
    int cudnnCreate##kind##Descriptor(void **d) {                                           \
        RECORD("create " #kind "\n");                                                      \
        *d = calloc(1, sizeof(Desc));                                                        \
        descriptors++;                                                                       \
        return 0;                                                                            \
    }                                                                                        \
    int cudnnDestroy##kind##Descriptor(void *d) { free(d); descriptors--; return 0; }
DESCRIPTOR(Tensor)
DESCRIPTOR(Filter)
DESCRIPTOR(Convolution)
DESCRIPTOR(Pooling)
DESCRIPTOR(Activation)
static void set(void *d, int n, const int *v) { memcpy(((Desc *) d)->v, v, sizeof(int) * (size_t) n); }
static const int *get(const void *d) { return ((const Desc *) d)->v; }
/* a strided tensor records format -1 and its four strides (n c h w), printed after its dimensions */
int cudnnSetTensor4dDescriptorEx(void *d, int type, int n, int c, int h, int w, int ns, int cs, int hs, int ws) {
    set(d, 10, (int[]) {-1, type, n, c, h, w, ns, cs, hs, ws});
    return n > 0 && c > 0 && h > 0 && w > 0 ? 0 : 3;
}
int cudnnSetTensor4dDescriptor(void *d, int fmt, int type, int n, int c, int h, int w) {
    set(d, 6, (int[]) {fmt, type, n, c, h, w});
    return n > 0 && c > 0 && h > 0 && w > 0 ? 0 : 3;   /* cuDNN 9: BAD_PARAM is 2000; any non-zero fails */
}
int cudnnSetFilter4dDescriptor(void *d, int type, int fmt, int k, int c, int h, int w) {
    set(d, 6, (int[]) {fmt, type, k, c, h, w});
    return 0;
}
int cudnnSetConvolution2dDescriptor(void *d, int ph, int pw, int u, int v, int dh, int dw, int mode, int type) {
    set(d, 8, (int[]) {ph, pw, u, v, dh, dw, mode, type});
    return 0;
}
int cudnnSetConvolutionMathType(void *d, int math) { ((Desc *) d)->v[8] = math; return 0; }
int cudnnSetPooling2dDescriptor(void *d, int mode, int nan, int wh, int ww, int ph, int pw, int sh, int sw) {
    set(d, 8, (int[]) {mode, nan, wh, ww, ph, pw, sh, sw});
    return 0;
}
/* "fmt type n c h w" of a tensor or filter; "pad stride dilation mode type math" of a convolution */
#define TENSOR_FIELDS "%d %d %d %d %d %d%s"
#define TENSOR_ARGS(d) get(d)[0], get(d)[1], get(d)[2], get(d)[3], get(d)[4], get(d)[5], strides(d)
/* " strides N C H W" for a strided tensor, "" for a packed one (a few buffers in turn: one printf may ask twice) */
static const char *strides(const void *d) {
    static char buffers[4][64];
    static int next;
    const int *v = get(d);
    if (v[0] != -1) return "";
    char *b = buffers[next++ % 4];
    snprintf(b, sizeof buffers[0], " strides %d %d %d %d", v[6], v[7], v[8], v[9]);
    return b;
}
static void record_conv(const char *call, const void *xd, const void *wd, const void *cd, int algo, const void *yd) {
    const int *c = get(cd);
    RECORD("%s x " TENSOR_FIELDS " w " TENSOR_FIELDS " conv %d %d %d %d %d %d %d %d %d algo %d y " TENSOR_FIELDS "\n",
           call, TENSOR_ARGS(xd), TENSOR_ARGS(wd), c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], algo,
           TENSOR_ARGS(yd));
}
int cudnnSetActivationDescriptor(void) { return 0; }
typedef struct { int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]; } Perf;
/* Two candidates, measured with math types as cuDNN pairs them: the first with the math type the convolution
 * descriptor asked for, the second with another one (DEFAULT where TENSOR_OP or FMA was asked, ALLOW_CONVERSION
 * where DEFAULT was), so that a test sees which math type the executor runs a fallback candidate with. */
static int perf(const void *cd, int requested, int *returned, Perf *p) {
    if (requested < 2) return 3;
    int asked = get(cd)[8];
    memset(p, 0, sizeof(Perf) * 2);
    p[0].algo = 6; p[0].status = 0; p[0].time = 0.5f; p[0].memory = 3u << 20;   /* WINOGRAD, 3 MiB */
    p[0].mathType = asked;
    p[1].algo = 1; p[1].status = 0; p[1].time = 0.7f; p[1].memory = 4096;       /* IMPLICIT_PRECOMP_GEMM */
    p[1].mathType = asked == 0 ? 2 : 0;
    *returned = 2;
    return 0;
}
int cudnnFindConvolutionForwardAlgorithm(void *h, void *x, void *w, void *c, void *y, int req, int *ret, Perf *p) {
    (void) h; (void) x; (void) w; (void) y;
    RECORD("algorithm search: find\n");
    return perf(c, req, ret, p);
}
int cudnnGetConvolutionForwardWorkspaceSize(void *h, void *x, void *w, void *c, void *y, int algo, size_t *bytes) {
    (void) h; (void) x; (void) w; (void) c; (void) y; (void) algo;
    *bytes = 0;
    return 0;
}
int cudnnGetConvolutionForwardAlgorithm_v7(void *h, void *x, void *w, void *c, void *y, int req, int *ret, Perf *p) {
    (void) h; (void) x; (void) w; (void) y;
    RECORD("algorithm search: heuristic\n");
    return perf(c, req, ret, p);
}
/* Refusals on request, to exercise the executor's run-time fallbacks: FAKE_CUDNN_FUSED_STATUS makes every fused
 * conv + bias + ReLU call return that status; FAKE_CUDNN_FAILING_ALGO makes convolutions with that algorithm fail
 * with NOT_SUPPORTED (cuDNN 9's 3000). */
static long fused_calls, plain_calls;
__attribute__((destructor)) static void report_calls(void) {
    fprintf(stderr, "fake-gpu: conv calls fused %ld plain %ld\n", fused_calls, plain_calls);
}
static void record_workspace(const void *h, const void *ws, size_t bytes, const void *y) {
    RECORD("on stream %d workspace %llu %zu y %llu\n", ((const Handle *) h)->stream, (unsigned long long) ws, bytes,
           (unsigned long long) y);
}
/* FAKE_CUDNN_REFUSE_STRIDED=1: no algorithm takes a strided output (NOT_SUPPORTED), as some cuDNN builds may */
static int refused_output(const void *yd) { return get(yd)[0] == -1 && env_int("FAKE_CUDNN_REFUSE_STRIDED", 0); }
int cudnnConvolutionForward(void *h, const void *alpha, void *xd, const void *x, void *wd, const void *w, void *cd,
                            int algo, void *ws, size_t wsBytes, const void *beta, void *yd, void *y) {
    (void) alpha; (void) x; (void) w; (void) beta;
    record_workspace(h, ws, wsBytes, y);
    record_conv("conv", xd, wd, cd, algo, yd);
    plain_calls++;
    if (refused_output(yd)) return 3000;
    return algo == env_int("FAKE_CUDNN_FAILING_ALGO", -1) ? 3000 : 0;
}
int cudnnConvolutionBiasActivationForward(void *h, const void *alpha, void *xd, const void *x, void *wd, const void *w,
                                          void *cd, int algo, void *ws, size_t wsBytes, const void *alpha2, void *zd,
                                          const void *z, void *bd, const void *bias, void *ad, void *yd, void *y) {
    (void) alpha; (void) x; (void) w; (void) alpha2; (void) zd; (void) z; (void) bd; (void) bias; (void) ad;
    record_workspace(h, ws, wsBytes, y);
    record_conv("conv+bias+relu", xd, wd, cd, algo, yd);
    fused_calls++;
    if (refused_output(yd)) return 3000;
    int status = env_int("FAKE_CUDNN_FUSED_STATUS", 0);
    if (status != 0) return status;
    return algo == env_int("FAKE_CUDNN_FAILING_ALGO", -1) ? 3000 : 0;
}
int cudnnBatchNormalizationForwardInference(void *h, int mode, const void *alpha, const void *beta, void *xd,
                                            const void *x, void *yd, void *y, void *pd) {
    (void) mode; (void) alpha; (void) beta; (void) x; (void) y;
    record_stream(h);
    RECORD("batchnorm x " TENSOR_FIELDS " y " TENSOR_FIELDS " params " TENSOR_FIELDS "\n", TENSOR_ARGS(xd),
           TENSOR_ARGS(yd), TENSOR_ARGS(pd));
    return 0;
}
int cudnnPoolingForward(void *h, void *pd, const void *alpha, void *xd, const void *x, const void *beta, void *yd) {
    (void) alpha; (void) x; (void) beta;
    record_stream(h);
    const int *p = get(pd);
    RECORD("pool mode %d window %d %d pad %d %d stride %d %d x " TENSOR_FIELDS " y " TENSOR_FIELDS "\n",
           p[0], p[2], p[3], p[4], p[5], p[6], p[7], TENSOR_ARGS(xd), TENSOR_ARGS(yd));
    return 0;
}
int cudnnActivationForward(void *h, void *ad, const void *alpha, void *xd, const void *x, const void *beta, void *yd) {
    (void) ad; (void) alpha; (void) x; (void) beta;
    record_stream(h);
    RECORD("activation x " TENSOR_FIELDS " y " TENSOR_FIELDS "\n", TENSOR_ARGS(xd), TENSOR_ARGS(yd));
    return 0;
}
int cudnnSoftmaxForward(void *h, int algo, int mode, const void *alpha, void *xd, const void *x, const void *beta,
                        void *yd) {
    (void) h; (void) algo; (void) mode; (void) alpha; (void) x; (void) beta;
    RECORD("softmax x " TENSOR_FIELDS " y " TENSOR_FIELDS "\n", TENSOR_ARGS(xd), TENSOR_ARGS(yd));
    return 0;
}
int cudnnAddTensor(void *h, const void *alpha, void *ad, const void *a, const void *beta, void *cd) {
    (void) alpha; (void) a; (void) beta;
    record_stream(h);
    RECORD("add a " TENSOR_FIELDS " c " TENSOR_FIELDS "\n", TENSOR_ARGS(ad), TENSOR_ARGS(cd));
    return 0;
}

/* cuDNN's backend (graph) API, as ConvEngines drives it. Descriptors keep the attributes that matter here; a value
 * array must be native memory (a NULL one is what a Java array behind a jcuda Pointer arrives as: BAD_PARAM, 2000).
 * The heuristic ranks FAKE_CUDNN_ENGINES (default 3) configurations, rank r on engine 10 + r with r + 1 MiB of
 * workspace, or none for a graph of three operations (the fused form) with FAKE_CUDNN_FUSED_ENGINES=0; a graph of
 * FAKE_CUDNN_REFUSED_GRAPH_OPS operations (0: any) does not finalize (NOT_SUPPORTED); FAKE_CUDNN_REFUSED_PLAN=r makes the plan of rank r fail to finalize (NOT_SUPPORTED, 3000), and once
 * the file FAKE_CUDNN_EXECUTE_STATUS_FILE names exists, every cudnnBackendExecute returns the status it holds (a
 * test creates it after the plans were timed). Each execute is recorded with its engine and the variant pack's
 * pointers: "on stream N backend execute engine E ops K x X w W b B y Y workspace P". */
typedef struct {
    int type, finalized, rank;
    long long uids[8], pointers[8], workspace;
    int count;
    int ops;        /* a graph's operations; a configuration's and a plan's graph's */
    void *config;   /* a plan's engine configuration; a heuristic's graph */
} Backend;
int cudnnBackendCreateDescriptor(int type, void **d) {
    Backend *b = calloc(1, sizeof(Backend));
    b->type = type;
    b->rank = -1;
    *d = b;
    descriptors++;
    return 0;
}
int cudnnBackendDestroyDescriptor(void *d) { free(d); descriptors--; return 0; }
int cudnnBackendInitialize(void *d) { (void) d; return 0; }
int cudnnBackendSetAttribute(void *d, int name, int type, long long count, const void *values) {
    Backend *b = d;
    (void) type;
    if (values == NULL || count < 1 || b->finalized) return 2000;
    if (name == 1000 && count <= 8) memcpy(b->uids, values, sizeof(long long) * (size_t) count);       /* UNIQUE_IDS */
    if (name == 1001 && count <= 8) {                                                                   /* POINTERS */
        memcpy(b->pointers, values, sizeof(long long) * (size_t) count);
        b->count = (int) count;
    }
    if (name == 1003) b->workspace = *(const long long *) values;                                       /* WORKSPACE */
    if (name == 401 || name == 201) b->config = *(void *const *) values;   /* plan's ENGINE_CONFIG, heur's graph */
    if (name == 801) b->ops = (int) count;                                                       /* graph's OPS */
    return 0;
}
int cudnnBackendFinalize(void *d) {
    Backend *b = d;
    int refused_ops = env_int("FAKE_CUDNN_REFUSED_GRAPH_OPS", -1);
    if (b->type == 15 && (b->ops == refused_ops || refused_ops == 0)) return 3000;   /* OPERATIONGRAPH; 0: all */
    if (b->type == 5) {   /* EXECUTION_PLAN: takes its configuration's rank */
        if (b->config == NULL) return 2000;
        b->rank = ((Backend *) b->config)->rank;
        b->ops = ((Backend *) b->config)->ops;
        if (b->rank == env_int("FAKE_CUDNN_REFUSED_PLAN", -1)) return 3000;
    }
    b->finalized = 1;
    return 0;
}
int cudnnBackendGetAttribute(void *d, int name, int type, long long requested, long long *count, void *values) {
    Backend *b = d;
    (void) type;
    if (name == 202) {   /* ENGINEHEUR_RESULTS: fills the configurations the caller made */
        int ops = b->config != NULL ? ((Backend *) b->config)->ops : 0;
        long long ranked = ops == 3 && !env_int("FAKE_CUDNN_FUSED_ENGINES", 1) ? 0 : env_int("FAKE_CUDNN_ENGINES", 3);
        *count = requested < ranked ? requested : ranked;
        if (requested == 0) { *count = ranked; return 0; }
        if (values == NULL) return 2000;
        for (long long i = 0; i < *count; i++) {
            Backend *cfg = ((Backend **) values)[i];
            cfg->rank = (int) i;
            cfg->ops = ops;
            cfg->finalized = 1;
        }
        return 0;
    }
    if (values == NULL) return 2000;
    *count = 1;
    if (name == 300) { ((Backend **) values)[0]->rank = b->rank; return 0; }          /* ENGINECFG_ENGINE */
    if (name == 1301) { *(long long *) values = 10 + b->rank; return 0; }              /* ENGINE_GLOBAL_INDEX */
    if (name == 402) { *(long long *) values = (long long) (b->rank + 1) << 20; return 0; }   /* WORKSPACE_SIZE */
    return 3000;
}
int cudnnBackendExecute(void *h, void *plan, void *pack) {
    Backend *p = plan, *v = pack;
    RECORD("on stream %d backend execute engine %d ops %d", ((const Handle *) h)->stream, 10 + p->rank, p->ops);
    const char *names[] = {"", "x", "w", "b", "y"};
    for (int i = 0; i < v->count; i++) {
        RECORD(" %s %llu", v->uids[i] >= 1 && v->uids[i] <= 4 ? names[v->uids[i]] : "?", v->pointers[i]);
    }
    RECORD(" workspace %llu\n", v->workspace);
    const char *path = getenv("FAKE_CUDNN_EXECUTE_STATUS_FILE");
    FILE *f = path != NULL && *path != '\0' ? fopen(path, "r") : NULL;
    int status = 0;
    if (f != NULL) {
        if (fscanf(f, "%d", &status) != 1) status = 0;
        fclose(f);
    }
    return status;
}
#endif

#ifdef FAKE_CUBLAS
LIVE_COUNTER(cublas_handles)
/* A handle keeps the stream it was set to, so that each GEMM records where it runs: "cublas on stream S ..." */
typedef struct { int stream; } BlasHandle;
int cublasCreate_v2(void **h) { *h = calloc(1, sizeof(BlasHandle)); cublas_handles++; return 0; }
int cublasDestroy_v2(void *h) { free(h); cublas_handles--; return 0; }
int cublasSetStream_v2(void *h, void *stream) {
    ((BlasHandle *) h)->stream = stream != NULL ? *(const int *) stream : 0;
    return 0;
}
int cublasSetMathMode(void) { return 0; }
int cublasSgemm_v2(void *h, int ta, int tb, int m, int n, int k, const float *alpha, const void *a, int lda,
                   const void *b, int ldb, const float *beta, void *c, int ldc) {
    (void) h; (void) alpha; (void) a; (void) b; (void) beta; (void) c;
    RECORD("sgemm %d %d m %d n %d k %d lda %d ldb %d ldc %d\n", ta, tb, m, n, k, lda, ldb, ldc);
    return 0;
}
int cublasGemmEx(void *h, int ta, int tb, int m, int n, int k, const void *alpha, const void *a, int atype, int lda,
                 const void *b, int btype, int ldb, const void *beta, void *c, int ctype, int ldc, int compute, int algo) {
    (void) alpha; (void) beta;
    RECORD("gemmEx %d %d m %d n %d k %d a %d lda %d b %d ldb %d c %d ldc %d compute %d algo %d\n", ta, tb, m, n, k,
           atype, lda, btype, ldb, ctype, ldc, compute, algo);
    RECORD("cublas on stream %d a %llu b %llu c %llu\n", ((BlasHandle *) h)->stream, (unsigned long long) a,
           (unsigned long long) b, (unsigned long long) c);
    /* FAKE_CUBLAS_GEMM_STATUS_FILE: a file whose number is returned by every transposed-A GEMM (a 1x1 convolution's;
     * the Dense layer's is not transposed) while it exists, as a cuBLAS that refuses them would */
    const char *path = getenv("FAKE_CUBLAS_GEMM_STATUS_FILE");
    FILE *f = ta == 1 && path != NULL && *path != '\0' ? fopen(path, "r") : NULL;
    int status = 0;
    if (f != NULL) {
        if (fscanf(f, "%d", &status) != 1) status = 0;
        fclose(f);
    }
    return status;
}
int cublasGetProperty(int type, int *value) { *value = type == 0 ? 13 : type == 1 ? 1 : 0; return 0; }
#endif

#ifdef FAKE_CUBLASLT
int cublasLtGetVersion(void) { return 130100; }
#endif
