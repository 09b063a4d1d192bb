/* Stand-ins for libcuda.so.1, libcudnn.so.9, libcublas.so.13 and libcublasLt.so.13 with known answers, so the
 * loading route (bridges included) can be exercised on a machine without a GPU. Built by BridgeStubTest. */
#include <stddef.h>

#ifdef STUB_CUDA
int cuInit(unsigned int flags) { (void) flags; return 100; }               /* CUDA_ERROR_NO_DEVICE */
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
#endif

#ifdef STUB_CUDNN
size_t cudnnGetVersion(void) { return 91002; }
int cudnnCreate(void **handle) { *handle = (void *) 0x1234; return 0; }
const char *cudnnGetErrorString(int status) { return status == 0 ? "CUDNN_STATUS_SUCCESS" : "STUB_ERROR"; }
#endif

#ifdef STUB_CUBLAS
int cublasCreate_v2(void **handle) { *handle = (void *) 0x5678; return 0; }
int cublasGetVersion_v2(void *handle, int *version) { (void) handle; *version = 130100; return 0; }
/* libraryPropertyType: MAJOR_VERSION 0, MINOR_VERSION 1, PATCH_LEVEL 2 -> "13.1.7"; needs no handle, no device */
int cublasGetProperty(int type, int *value) { *value = type == 0 ? 13 : type == 1 ? 1 : 7; return 0; }
#endif

#ifdef STUB_CUBLASLT
int cublasLtGetVersion(void) { return 130100; }
#endif
