#!/usr/bin/env python3
"""An independent float64 InceptionV3, written from Keras's keras_applications/inception_v3.py, that makes the
golden fixture the Java reference executor is tested against (GoldenReferenceTest).

Nothing here comes from this project's Java code: layers are built in the order of the Keras source, weights are
read by Keras's automatic layer names (conv2d_N, batch_normalization_N, counted as Keras counts them) straight from
a Keras-layout .h5 file, and every op is NumPy in float64 with TensorFlow's semantics ('same' padding puts the odd
cell after; average pooling divides by the in-bounds count).

Regenerate (Debian: apt-get install python3-numpy python3-h5py):
    bin/inception seeded-weights /tmp/seeded.h5                 # the project's seeded weights, Keras layout
    /usr/bin/python3 src/test/python/keras_reference.py /tmp/seeded.h5 src/test/resources/golden/inception_v3_golden.h5 \
        --layout src/test/resources/golden/keras_weight_layout.txt
The test needs no Python; it recomputes the weights' digest and refuses a fixture made for other weights.
"""
import argparse
import hashlib

import h5py
import numpy as np

EPSILON = 1e-3          # BatchNormalization's default in Keras, which conv2d_bn keeps
SAMPLES = 4096          # values kept per tap when a tap is larger than 2 * SAMPLES


class KerasWeights:
    """Weights of a Keras save_weights file, read by layer name in the order Keras creates layers."""

    def __init__(self, path):
        self.f = h5py.File(path, 'r')
        self.counts = {}
        self.layout = []      # (key, shape) of every weight, in the order Keras creates them

    def expect(self, layer, weight, shape):
        """Records the shape the Keras source implies for a weight, then reads it and checks the file agrees."""
        self.layout.append(('%s/%s/%s:0' % (layer, layer, weight), shape))
        value = self.get(layer, weight)
        assert value.shape == shape, (layer, weight, value.shape, shape)
        return value

    def next_name(self, prefix):
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return '%s_%d' % (prefix, self.counts[prefix])

    def get(self, layer, weight):
        return np.asarray(self.f[layer][layer][weight + ':0'], dtype=np.float64)

    def digest(self):
        """sha256 over every weight, keys sorted: utf-8 of 'layer/weight:0', then float32 little-endian values."""
        keys = []
        self.f.visititems(lambda name, obj: keys.append(name) if isinstance(obj, h5py.Dataset) else None)
        h = hashlib.sha256()
        for k in sorted('%s/%s' % (k.split('/')[0], k.split('/')[-1]) for k in keys):
            layer, weight = k.split('/')
            h.update(k.encode('utf-8'))
            h.update(np.asarray(self.f[layer][layer][weight], dtype='<f4').tobytes())
        return h.hexdigest()


def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, strides, padding):
    """x (H, W, C) float64, kernel (kh, kw, C, F) as Keras stores it; cross-correlation like TensorFlow."""
    kh, kw, _, f = kernel.shape
    sh, sw = strides
    if padding == 'same':
        pt, pb = same_pads(x.shape[0], kh, sh)
        pl, pr = same_pads(x.shape[1], kw, sw)
        x = np.pad(x, ((pt, pb), (pl, pr), (0, 0)))
    ho = (x.shape[0] - kh) // sh + 1
    wo = (x.shape[1] - kw) // sw + 1
    y = np.zeros((ho, wo, f))
    for i in range(kh):
        for j in range(kw):
            patch = x[i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :]
            y += patch @ kernel[i, j]
    return y


def pool(x, k, s, padding, mode):
    """3x3 pooling; 'same' padding is ignored by max and not counted by average, as in TensorFlow."""
    if padding == 'same':
        pt, pb = same_pads(x.shape[0], k, s)
        pl, pr = same_pads(x.shape[1], k, s)
    else:
        pt = pb = pl = pr = 0
    fill = -np.inf if mode == 'max' else 0.0
    xp = np.pad(x, ((pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    ones = np.pad(np.ones(x.shape[:2] + (1,)), ((pt, pb), (pl, pr), (0, 0)))
    ho = (xp.shape[0] - k) // s + 1
    wo = (xp.shape[1] - k) // s + 1
    acc = np.full((ho, wo, x.shape[2]), fill)
    count = np.zeros((ho, wo, 1))
    for i in range(k):
        for j in range(k):
            window = xp[i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s, :]
            acc = np.maximum(acc, window) if mode == 'max' else acc + window
            count += ones[i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s, :]
    return acc if mode == 'max' else acc / count


class InceptionV3:
    """keras_applications.inception_v3.InceptionV3, layer for layer; records the taps on the way."""

    def __init__(self, weights):
        self.w = weights
        self.taps = {}
        self.pools = 0
        self.multiply_adds = 0    # of the convolutions and the Dense layer, as Keras's source implies them

    def conv2d_bn(self, x, filters, rows, cols, padding='same', strides=(1, 1)):
        conv = self.w.next_name('conv2d')
        bn = self.w.next_name('batch_normalization')
        cin = x.shape[2]
        x = conv2d(x, self.w.expect(conv, 'kernel', (rows, cols, cin, filters)), strides, padding)
        self.multiply_adds += x.shape[0] * x.shape[1] * rows * cols * cin * filters
        # scale=False: gamma is 1 and not stored; Keras creates beta, then the moving statistics
        beta = self.w.expect(bn, 'beta', (filters,))
        mean = self.w.expect(bn, 'moving_mean', (filters,))
        variance = self.w.expect(bn, 'moving_variance', (filters,))
        return np.maximum((x - mean) / np.sqrt(variance + EPSILON) + beta, 0)

    def max_pool(self, x):
        self.pools += 1
        return pool(x, 3, 2, 'valid', 'max')

    def avg_pool_same(self, x):
        return pool(x, 3, 1, 'same', 'avg')

    def __call__(self, x, include_top):
        c = self.conv2d_bn
        x = c(x, 32, 3, 3, strides=(2, 2), padding='valid')
        x = c(x, 32, 3, 3, padding='valid')
        x = c(x, 64, 3, 3)
        x = self.max_pool(x)
        x = c(x, 80, 1, 1, padding='valid')
        x = c(x, 192, 3, 3, padding='valid')
        x = self.max_pool(x)
        self.taps['stem'] = x

        for i, pool_filters in enumerate([32, 64, 64]):                    # mixed 0, 1, 2
            branch1x1 = c(x, 64, 1, 1)
            branch5x5 = c(c(x, 48, 1, 1), 64, 5, 5)
            branch3x3dbl = c(c(c(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
            branch_pool = c(self.avg_pool_same(x), pool_filters, 1, 1)
            x = self.concat('mixed%d' % i, [branch1x1, branch5x5, branch3x3dbl, branch_pool])

        branch3x3 = c(x, 384, 3, 3, strides=(2, 2), padding='valid')           # mixed 3
        branch3x3dbl = c(c(c(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides=(2, 2), padding='valid')
        branch_pool = self.max_pool(x)
        x = self.concat('mixed3', [branch3x3, branch3x3dbl, branch_pool])

        for i, f in enumerate([128, 160, 160, 192]):                            # mixed 4, 5, 6, 7
            branch1x1 = c(x, 192, 1, 1)
            branch7x7 = c(c(c(x, f, 1, 1), f, 1, 7), 192, 7, 1)
            branch7x7dbl = c(c(c(c(c(x, f, 1, 1), f, 7, 1), f, 1, 7), f, 7, 1), 192, 1, 7)
            branch_pool = c(self.avg_pool_same(x), 192, 1, 1)
            x = self.concat('mixed%d' % (4 + i), [branch1x1, branch7x7, branch7x7dbl, branch_pool])

        branch3x3 = c(c(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding='valid')   # mixed 8
        branch7x7x3 = c(c(c(c(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, strides=(2, 2), padding='valid')
        branch_pool = self.max_pool(x)
        x = self.concat('mixed8', [branch3x3, branch7x7x3, branch_pool])

        for i in range(2):                                                       # mixed 9, 10
            branch1x1 = c(x, 320, 1, 1)
            branch3x3 = c(x, 384, 1, 1)
            branch3x3 = np.concatenate([c(branch3x3, 384, 1, 3), c(branch3x3, 384, 3, 1)], axis=2)
            branch3x3dbl = c(c(x, 448, 1, 1), 384, 3, 3)
            branch3x3dbl = np.concatenate([c(branch3x3dbl, 384, 1, 3), c(branch3x3dbl, 384, 3, 1)], axis=2)
            branch_pool = c(self.avg_pool_same(x), 192, 1, 1)
            x = self.concat('mixed%d' % (9 + i), [branch1x1, branch3x3, branch3x3dbl, branch_pool])

        if include_top:
            x = x.mean(axis=(0, 1))
            self.taps['avg_pool'] = x
            logits = x @ self.w.expect('predictions', 'kernel', (2048, 1000)) \
                + self.w.expect('predictions', 'bias', (1000,))
            self.multiply_adds += 2048 * 1000
            e = np.exp(logits - logits.max())
            self.taps['predictions'] = e / e.sum()
        assert self.w.counts['conv2d'] == 94, self.w.counts
        return self.taps

    def concat(self, name, parts):
        x = np.concatenate(parts, axis=2)
        self.taps[name] = x
        return x


def pattern_input(height, width):
    """uint8 pixels from a formula both sides compute exactly, preprocessed as Keras's 'tf' mode in float32."""
    h, w, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(3), indexing='ij')
    pixels = (h * 7 + w * 13 + c * 29 + (h * w) % 17) % 256
    return (pixels.astype(np.float32) / np.float32(127.5) - np.float32(1)).astype(np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('weights', help='the seeded weights in Keras layout (with top)')
    ap.add_argument('out', help='the golden fixture to write (.h5)')
    ap.add_argument('--layout', help='also write the weight names and shapes the Keras source implies (text)')
    args = ap.parse_args()
    weights_digest = KerasWeights(args.weights).digest()
    with h5py.File(args.out, 'w') as out:
        out.attrs['generator'] = 'src/test/python/keras_reference.py (NumPy %s, float64)' % np.__version__
        out.attrs['weights_sha256'] = weights_digest
        out.attrs['input'] = 'pixel = (h*7 + w*13 + c*29 + (h*w) % 17) % 256; x = pixel / 127.5 - 1 (float32)'
        for name, (height, width), top in [('299x299_top', (299, 299), True), ('75x75_notop', (75, 75), False)]:
            w = KerasWeights(args.weights)
            net = InceptionV3(w)
            taps = net(pattern_input(height, width), top)
            if top and args.layout:
                with open(args.layout, 'w') as f:
                    f.write('# Keras InceptionV3 weights (inception_v3_weights_tf_dim_ordering_tf_kernels.h5):\n'
                            '# dataset path and shape, in the order keras_applications/inception_v3.py creates\n'
                            '# them, as src/test/python/keras_reference.py reads them. The _notop file: the same\n'
                            '# without predictions.\n')
                    for key, shape in w.layout:
                        f.write('%s %s\n' % (key, 'x'.join(str(d) for d in shape)))
            g = out.create_group(name)
            g.attrs['multiply_adds'] = net.multiply_adds
            print('%s multiply-adds %d' % (name, net.multiply_adds))
            for tap, value in taps.items():
                flat = value.reshape(-1)
                if flat.size > 2 * SAMPLES:
                    index = (np.arange(SAMPLES, dtype=np.int64) * flat.size) // SAMPLES
                else:
                    index = np.arange(flat.size, dtype=np.int64)
                t = g.create_group(tap)
                t.attrs['shape'] = np.asarray(value.shape, dtype=np.int64)
                t.create_dataset('index', data=index.astype(np.int32), compression='gzip')
                t.create_dataset('values', data=flat[index].astype(np.float32))
                t.attrs['sum'] = float(flat.sum())
                t.attrs['abs_max'] = float(np.abs(flat).max())
                print('%s %-12s %-16s max |x| %.4g' % (name, tap, value.shape, np.abs(flat).max()))


if __name__ == '__main__':
    main()
