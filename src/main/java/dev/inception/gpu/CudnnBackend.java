package dev.inception.gpu;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBackendDescriptor;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * cuDNN's backend (graph) API as JCudnn 11.7 exposes it, for {@link ConvEngines}. Two things make it awkward from
 * Java, and this class is where they are handled:
 * <ul>
 *   <li>cudnnBackendSetAttribute and GetAttribute take their values through a jcuda {@link Pointer} that JCudnn
 *       hands to cuDNN as its native address alone (jcuda-common's getPointer), so a Pointer to a Java array would
 *       reach cuDNN as NULL. Values go through a small page-locked host buffer instead, whose address is native.</li>
 *   <li>Values typed as handles, descriptors or device pointers are the native addresses inside JCuda objects,
 *       which JCuda keeps behind protected accessors ({@link #address}).</li>
 * </ul>
 * The numbers are cuDNN 9's (cudnn_graph.h), written here because JCudnn 11.7's constant classes predate some of
 * them. Every descriptor made here is destroyed when this object closes, newest first.
 */
final class CudnnBackend implements AutoCloseable {

    // cudnnBackendDescriptorType_t
    static final int POINTWISE_DESCRIPTOR = 0;
    static final int CONVOLUTION_DESCRIPTOR = 1;
    static final int ENGINE_DESCRIPTOR = 2;
    static final int ENGINECFG_DESCRIPTOR = 3;
    static final int ENGINEHEUR_DESCRIPTOR = 4;
    static final int EXECUTION_PLAN_DESCRIPTOR = 5;
    static final int OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR = 10;
    static final int OPERATION_POINTWISE_DESCRIPTOR = 13;
    static final int OPERATIONGRAPH_DESCRIPTOR = 15;
    static final int VARIANT_PACK_DESCRIPTOR = 16;
    static final int TENSOR_DESCRIPTOR = 17;

    // cudnnBackendAttributeType_t, with the size of one element in C
    static final int TYPE_HANDLE = 0;
    static final int TYPE_DATA_TYPE = 1;
    static final int TYPE_BOOLEAN = 2;
    static final int TYPE_INT64 = 3;
    static final int TYPE_FLOAT = 4;
    static final int TYPE_VOID_PTR = 6;
    static final int TYPE_CONVOLUTION_MODE = 7;
    static final int TYPE_HEUR_MODE = 8;
    static final int TYPE_POINTWISE_MODE = 14;
    static final int TYPE_BACKEND_DESCRIPTOR = 15;

    // cudnnBackendAttributeName_t
    static final int POINTWISE_MODE = 0;
    static final int POINTWISE_MATH_PREC = 1;
    static final int CONVOLUTION_COMP_TYPE = 100;
    static final int CONVOLUTION_CONV_MODE = 101;
    static final int CONVOLUTION_DILATIONS = 102;
    static final int CONVOLUTION_FILTER_STRIDES = 103;
    static final int CONVOLUTION_POST_PADDINGS = 104;
    static final int CONVOLUTION_PRE_PADDINGS = 105;
    static final int CONVOLUTION_SPATIAL_DIMS = 106;
    static final int ENGINEHEUR_MODE = 200;
    static final int ENGINEHEUR_OPERATION_GRAPH = 201;
    static final int ENGINEHEUR_RESULTS = 202;
    static final int ENGINECFG_ENGINE = 300;
    static final int EXECUTION_PLAN_HANDLE = 400;
    static final int EXECUTION_PLAN_ENGINE_CONFIG = 401;
    static final int EXECUTION_PLAN_WORKSPACE_SIZE = 402;
    static final int OPERATION_CONVOLUTION_FORWARD_ALPHA = 700;
    static final int OPERATION_CONVOLUTION_FORWARD_BETA = 701;
    static final int OPERATION_CONVOLUTION_FORWARD_CONV_DESC = 702;
    static final int OPERATION_CONVOLUTION_FORWARD_W = 703;
    static final int OPERATION_CONVOLUTION_FORWARD_X = 704;
    static final int OPERATION_CONVOLUTION_FORWARD_Y = 705;
    static final int OPERATION_POINTWISE_PW_DESCRIPTOR = 750;
    static final int OPERATION_POINTWISE_XDESC = 751;
    static final int OPERATION_POINTWISE_BDESC = 752;
    static final int OPERATION_POINTWISE_YDESC = 753;
    static final int OPERATIONGRAPH_HANDLE = 800;
    static final int OPERATIONGRAPH_OPS = 801;
    static final int TENSOR_BYTE_ALIGNMENT = 900;
    static final int TENSOR_DATA_TYPE = 901;
    static final int TENSOR_DIMENSIONS = 902;
    static final int TENSOR_STRIDES = 903;
    static final int TENSOR_UNIQUE_ID = 906;
    static final int TENSOR_IS_VIRTUAL = 907;
    static final int VARIANT_PACK_UNIQUE_IDS = 1000;
    static final int VARIANT_PACK_DATA_POINTERS = 1001;
    static final int VARIANT_PACK_WORKSPACE = 1003;
    static final int ENGINE_GLOBAL_INDEX = 1301;

    // enums used as attribute values
    static final int CROSS_CORRELATION = 1;          // cudnnConvolutionMode_t
    static final int HEUR_MODE_A = 3;                 // cudnnBackendHeurMode_t
    static final int POINTWISE_ADD = 0;               // cudnnPointwiseMode_t
    static final int POINTWISE_RELU_FWD = 100;

    /** Room for the largest attribute this project sets or reads: a list of engine configurations. */
    private static final int VALUE_BYTES = 4096;

    private static final Method NATIVE_POINTER = accessor(NativePointerObject.class, "getNativePointer");
    private static final Method BYTE_OFFSET = accessor(Pointer.class, "getByteOffset");

    private final PinnedBuffer values = new PinnedBuffer(VALUE_BYTES);
    private final List<cudnnBackendDescriptor> made = new ArrayList<>();

    /**
     * The native address a JCuda object stands for: a handle's or descriptor's value, a device pointer's address
     * (its allocation's start plus its byte offset).
     */
    static long address(NativePointerObject o) {
        try {
            long start = (long) NATIVE_POINTER.invoke(o);
            return o instanceof Pointer p ? start + (long) BYTE_OFFSET.invoke(p) : start;
        } catch (ReflectiveOperationException e) {
            throw new GpuException("cannot read a native address out of " + o.getClass().getName() + ": " + e, e);
        }
    }

    private static Method accessor(Class<?> type, String name) {
        try {
            Method m = type.getDeclaredMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("JCuda's " + type.getName() + "." + name + " is not accessible: "
                    + e);
        }
    }

    /** A new descriptor of a cudnnBackendDescriptorType_t, destroyed by close(). */
    cudnnBackendDescriptor create(int type, String what) {
        cudnnBackendDescriptor d = new cudnnBackendDescriptor();
        CudaCalls.cudnn(JCudnn.cudnnBackendCreateDescriptor(type, d), "cudnnBackendCreateDescriptor (" + what + ")");
        made.add(d);
        return d;
    }

    /** Finalizes a descriptor; the status, for descriptors cuDNN may refuse (plans of unsupported engines). */
    int tryFinalize(cudnnBackendDescriptor d) {
        return JCudnn.cudnnBackendFinalize(d);
    }

    void mustFinalize(cudnnBackendDescriptor d, String what) {
        CudaCalls.cudnn(tryFinalize(d), "cudnnBackendFinalize (" + what + ")");
    }

    /** INT64 values. */
    void longs(cudnnBackendDescriptor d, int name, long... v) {
        ByteBuffer b = values.view();
        for (long x : v) {
            b.putLong(x);
        }
        set(d, name, TYPE_INT64, v.length);
    }

    /** One 32-bit value of an enum type (data type, convolution mode, heuristic mode, pointwise mode). */
    void enumValue(cudnnBackendDescriptor d, int name, int type, int v) {
        values.view().putInt(0, v);
        set(d, name, type, 1);
    }

    void floatValue(cudnnBackendDescriptor d, int name, float v) {
        values.view().putFloat(0, v);
        set(d, name, TYPE_FLOAT, 1);
    }

    /** A C++ bool: one byte. */
    void bool(cudnnBackendDescriptor d, int name, boolean v) {
        values.view().put(0, (byte) (v ? 1 : 0));
        set(d, name, TYPE_BOOLEAN, 1);
    }

    /** Native addresses: handles (TYPE_HANDLE), descriptors (TYPE_BACKEND_DESCRIPTOR), pointers (TYPE_VOID_PTR). */
    void addresses(cudnnBackendDescriptor d, int name, int type, NativePointerObject... v) {
        ByteBuffer b = values.view();
        for (NativePointerObject x : v) {
            b.putLong(address(x));
        }
        set(d, name, type, v.length);
    }

    private void set(cudnnBackendDescriptor d, int name, int type, int count) {
        CudaCalls.cudnn(JCudnn.cudnnBackendSetAttribute(d, name, type, count, values.ptr()),
                "cudnnBackendSetAttribute (attribute " + name + ")");
    }

    /** One INT64 attribute. */
    long getLong(cudnnBackendDescriptor d, int name) {
        long[] count = new long[1];
        CudaCalls.cudnn(JCudnn.cudnnBackendGetAttribute(d, name, TYPE_INT64, 1, count, values.ptr()),
                "cudnnBackendGetAttribute (attribute " + name + ")");
        return values.view().getLong(0);
    }

    /** How many elements an attribute holds (cuDNN answers the count when asked for none). */
    long count(cudnnBackendDescriptor d, int name, int type) {
        long[] count = new long[1];
        CudaCalls.cudnn(JCudnn.cudnnBackendGetAttribute(d, name, type, 0, count, null),
                "cudnnBackendGetAttribute (count of attribute " + name + ")");
        return count[0];
    }

    /**
     * A descriptor-typed attribute's elements, filled into descriptors made here of the given type (cuDNN fills
     * descriptors the caller created, as for the heuristic's engine configurations).
     */
    List<cudnnBackendDescriptor> descriptors(cudnnBackendDescriptor d, int name, int type, int max, String what) {
        if (max * 8 > VALUE_BYTES) {
            throw new IllegalArgumentException(max + " descriptors do not fit " + VALUE_BYTES + " bytes");
        }
        List<cudnnBackendDescriptor> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            out.add(create(type, what));
        }
        addressesInto(out);
        long[] count = new long[1];
        CudaCalls.cudnn(JCudnn.cudnnBackendGetAttribute(d, name, TYPE_BACKEND_DESCRIPTOR, max, count, values.ptr()),
                "cudnnBackendGetAttribute (" + what + ")");
        return List.copyOf(out.subList(0, (int) Math.min(count[0], max)));
    }

    private void addressesInto(List<cudnnBackendDescriptor> ds) {
        ByteBuffer b = values.view();
        for (cudnnBackendDescriptor x : ds) {
            b.putLong(address(x));
        }
    }

    @Override
    public void close() {
        for (int i = made.size() - 1; i >= 0; i--) {
            JCudnn.cudnnBackendDestroyDescriptor(made.get(i));
        }
        made.clear();
        values.close();
    }
}
