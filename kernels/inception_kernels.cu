// The one translation unit nvcc compiles into the kernels fatbin (kernels/build-kernels.sh).
#include "concat.cu"
#include "pooling.cu"
#include "bias_relu.cu"
#include "preprocess.cu"
#include "resize.cu"
