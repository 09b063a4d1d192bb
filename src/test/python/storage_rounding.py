#!/usr/bin/env python3
"""How far 16-bit storage moves InceptionV3's taps from the float64 reference: the error budget behind the FP16 and
BF16 tolerances of src/main/java/dev/inception/verify/Tolerances.java (docs/VERIFICATION.md).

The GPU executor in FP16/BF16 folds batch norm into each kernel and bias in float32, rounds them once to 16 bits,
accumulates every convolution in float32, and stores each activation in 16 bits; max pooling and concatenation
move values unchanged; the Dense layer reads 16-bit features and weights but accumulates, adds its float32 bias and
runs the softmax in float32. This script models exactly that storage on top of keras_reference.py's independent
float64 InceptionV3 (the arithmetic itself stays float64: what it measures is the rounding of what is stored, the
term that dominates; float32 accumulation adds ~1e-6) and prints, per tap, max |a - b| / max |a| against the
unrounded network, as `verify` measures it.

    bin/inception seeded-weights /tmp/seeded.h5
    /usr/bin/python3 src/test/python/storage_rounding.py /tmp/seeded.h5
"""
import argparse

import numpy as np

import keras_reference as ref


def fp16(x):
    return np.asarray(x, dtype=np.float32).astype(np.float16).astype(np.float64)


def bf16(x):
    """float32, then the top 16 bits rounded to nearest even (no NaN here: the network's values are finite)."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    b = ((b + 0x7fff + ((b >> 16) & 1)) >> 16) << 16
    return b.astype(np.uint32).view(np.float32).astype(np.float64)


class Stored16(ref.InceptionV3):
    """The reference network with the GPU executor's 16-bit storage (see the module's text)."""

    def __init__(self, weights, rnd):
        super().__init__(weights)
        self.rnd = rnd

    def conv2d_bn(self, x, filters, rows, cols, padding='same', strides=(1, 1)):
        conv = self.w.next_name('conv2d')
        bn = self.w.next_name('batch_normalization')
        kernel = self.w.expect(conv, 'kernel', (rows, cols, x.shape[2], filters))
        beta = self.w.expect(bn, 'beta', (filters,))
        mean = self.w.expect(bn, 'moving_mean', (filters,))
        variance = self.w.expect(bn, 'moving_variance', (filters,))
        scale = 1 / np.sqrt(variance + ref.EPSILON)
        folded = self.rnd((kernel * scale).astype(np.float32))
        bias = self.rnd((beta - mean * scale).astype(np.float32))
        return self.rnd(np.maximum(ref.conv2d(x, folded, strides, padding) + bias, 0))

    def avg_pool_same(self, x):
        return self.rnd(super().avg_pool_same(x))



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('weights', help='Keras-layout weights with top (bin/inception seeded-weights)')
    args = ap.parse_args()
    x = ref.pattern_input(299, 299)
    exact = ref.InceptionV3(ref.KerasWeights(args.weights))(x, True)
    for name, rnd in [('fp16', fp16), ('bf16', bf16)]:
        w = ref.KerasWeights(args.weights)
        net = Stored16(w, rnd)
        # the features are stored 16-bit; the Dense layer's kernel is converted once at upload
        original = w.get

        def get(layer, weight, original=original):
            value = original(layer, weight)
            return rnd(value) if (layer, weight) == ('predictions', 'kernel') else value

        w.get = get
        taps = net(rnd(x), False)
        features = rnd(taps['mixed10'].mean(axis=(0, 1)))
        taps['avg_pool'] = features
        logits = features @ w.expect('predictions', 'kernel', (2048, 1000)) + w.expect('predictions', 'bias', (1000,))
        e = np.exp(logits - logits.max())
        taps['predictions'] = e / e.sum()
        for tap, a in exact.items():
            b = taps[tap]
            print('%s %-12s %.3e' % (name, tap, np.abs(a - b).max() / np.abs(a).max()))


if __name__ == '__main__':
    main()
