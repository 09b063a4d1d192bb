package dev.inception.gpu;

import dev.inception.Precision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static jcuda.cudaDataType.CUDA_R_16BF;
import static jcuda.cudaDataType.CUDA_R_16F;
import static jcuda.cudaDataType.CUDA_R_32F;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_BFLOAT16;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_HALF;

/**
 * How a tensor's elements are stored in device memory, with the names cuDNN ({@code cudnnDataType_t}) and cuBLAS
 * ({@code cudaDataType}) give the type, and the host conversions (round to nearest even, {@link HalfFloats}).
 */
enum StorageType {
    FLOAT(CUDNN_DATA_FLOAT, CUDA_R_32F, 4),
    HALF(CUDNN_DATA_HALF, CUDA_R_16F, 2),
    BFLOAT16(CUDNN_DATA_BFLOAT16, CUDA_R_16BF, 2);

    final int cudnn;
    final int cuda;
    final int bytes;

    StorageType(int cudnn, int cuda, int bytes) {
        this.cudnn = cudnn;
        this.cuda = cuda;
        this.bytes = bytes;
    }

    /** The activations' and weights' type for a precision: FP32 and TF32 store float32. */
    static StorageType activations(Precision p) {
        return switch (p) {
            case FP32, TF32 -> FLOAT;
            case FP16 -> HALF;
            case BF16 -> BFLOAT16;
        };
    }

    /** Values as this type's little-endian bytes (the device's order). */
    byte[] encode(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case FLOAT -> b.asFloatBuffer().put(values);
            case HALF -> {
                for (float v : values) {
                    b.putShort(HalfFloats.toFp16(v));
                }
            }
            case BFLOAT16 -> {
                for (float v : values) {
                    b.putShort(HalfFloats.toBf16(v));
                }
            }
        }
        return b.array();
    }

    /** {@code count} elements of this type from {@code bytes} (at its position, in its order) into floats. */
    void decode(ByteBuffer bytes, float[] into, int offset, int count) {
        if (this == FLOAT) {
            bytes.asFloatBuffer().get(into, offset, count);
            return;
        }
        java.nio.ShortBuffer bits = bytes.asShortBuffer();
        for (int i = 0; i < count; i++) {
            into[offset + i] = decode(bits.get(i));
        }
    }

    /** One element of this type (16-bit types only) as a float: exact, every half and bfloat16 is a float. */
    float decode(short bits) {
        return switch (this) {
            case HALF -> HalfFloats.fromFp16(bits);
            case BFLOAT16 -> HalfFloats.fromBf16(bits);
            case FLOAT -> throw new IllegalArgumentException("float32 elements are not 16-bit");
        };
    }
}
