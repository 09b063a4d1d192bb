package dev.inception.gpu;

import dev.inception.model.InceptionV3;
import dev.inception.plan.Plan;
import dev.inception.plan.Step;
import dev.inception.weights.BnFolding;
import dev.inception.weights.Weight;
import dev.inception.weights.Weights;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The weights each step needs, uploaded once in the layout the GPU wants: conv filters transposed from Keras's
 * (kh, kw, cin, cout) to NHWC filters (cout, kh, kw, cin), BN folded into kernel and bias for fused steps, batch
 * norm's gamma materialised as ones (Keras's scale=False), Dense kernels as they are (row-major in x units).
 *
 * <p>In FP16 and BF16, what convolutions and the Dense layer read is converted once, here, after the folding (done
 * in float32, so a folded weight is rounded once, not twice): filters, conv biases (cuDNN adds a bias in the
 * output's type) and the Dense kernel. Batch-norm parameters stay float32, as cuDNN requires of them for 16-bit
 * tensors, and so does the Dense bias, added to float32 logits.
 */
final class DeviceWeights implements AutoCloseable {

    private final Map<String, DeviceBuffer> buffers = new HashMap<>();

    /** @param type what convolutions and the Dense layer read (the activations' type) */
    DeviceWeights(Plan plan, Weights w, StorageType type) {
        try {
            for (Step s : plan.steps()) {
                if (s instanceof Step.Conv c) {
                    Weight k = w.get(c.kernelKey());
                    int[] sh = k.shape();
                    float[] kernel = k.values();
                    if (c.foldedBn() != null) {
                        BnFolding.Folded f = BnFolding.fold(kernel, c.filters(), w.values(c.foldedBn() + "/beta:0"),
                                w.values(c.foldedBn() + "/moving_mean:0"), w.values(c.foldedBn() + "/moving_variance:0"),
                                InceptionV3.BN_EPSILON);
                        kernel = f.kernel();
                        upload(c.name() + "/bias", f.bias(), type);
                    }
                    upload(c.name() + "/filter", Layouts.kerasKernelToKrsc(kernel, sh[0], sh[1], sh[2], sh[3]), type);
                } else if (s instanceof Step.BatchNorm b) {
                    float[] beta = w.values(b.layer() + "/beta:0");
                    float[] ones = new float[beta.length];
                    Arrays.fill(ones, 1f);
                    upload(b.name() + "/scale", ones, StorageType.FLOAT);
                    upload(b.name() + "/bias", beta, StorageType.FLOAT);
                    upload(b.name() + "/mean", w.values(b.layer() + "/moving_mean:0"), StorageType.FLOAT);
                    upload(b.name() + "/variance", w.values(b.layer() + "/moving_variance:0"), StorageType.FLOAT);
                } else if (s instanceof Step.Dense d) {
                    upload(d.name() + "/kernel", w.values(d.layer() + "/kernel:0"), type);
                    upload(d.name() + "/bias", w.values(d.layer() + "/bias:0"), StorageType.FLOAT);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void upload(String key, float[] values, StorageType type) {
        byte[] bytes = type.encode(values);
        DeviceBuffer b = new DeviceBuffer(bytes.length, "weights " + key);
        buffers.put(key, b);
        JCudaDriver.cuMemcpyHtoD(b.ptr(), Pointer.to(bytes), bytes.length);
    }

    CUdeviceptr get(String key) {
        DeviceBuffer b = buffers.get(key);
        if (b == null) {
            throw new IllegalStateException("no device weights for " + key);
        }
        return b.ptr();
    }

    long bytes() {
        return buffers.values().stream().mapToLong(DeviceBuffer::bytes).sum();
    }

    @Override
    public void close() {
        buffers.values().forEach(DeviceBuffer::close);
        buffers.clear();
    }
}
