#!/usr/bin/env python3
"""Makes the image-decoding fixtures: small images in the formats and modes ImageDecoder must handle, and what
PIL's Image.open(f).convert('RGB') gives for each (the first step of Keras's load_img), as raw RGB bytes.
ImageDecoderPilTest compares ImageDecoder with these byte for byte; the test needs no Python.

Regenerate (Debian: apt-get install python3-pil):
    /usr/bin/python3 src/test/python/pil_fixtures.py src/test/resources/pil examples/rocket.jpg examples/chelsea.png
"""
import gzip
import hashlib
import io
import json
import os
import sys

import struct
import zlib

import PIL
from PIL import Image


def gradient(w, h):
    """An RGB image with detail in every channel, so chroma subsampling and colour conversion both show."""
    im = Image.new('RGB', (w, h))
    im.putdata([((x * 255) // (w - 1), (y * 255) // (h - 1), ((x * y * 7) + (x ^ y) * 13) % 256)
                for y in range(h) for x in range(w)])
    return im


def png16(path, color_type, channels, w, h):
    """A 16-bit PNG written by hand (PIL cannot write 16-bit colour): values spanning the whole 16-bit range."""
    rows = b''
    for y in range(h):
        rows += b'\x00' + b''.join(struct.pack('>H', (x * 2851 + y * 977 + c * 12345) % 65536)
                                   for x in range(w) for c in range(channels))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, color_type, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def sources(out):
    """The inputs, written with PIL itself."""
    rgb = gradient(37, 29)
    files = {}

    def save(name, im, **kw):
        path = os.path.join(out, name)
        im.save(path, **kw)
        files[name] = path

    save('baseline-420.jpg', rgb, quality=90, subsampling=2)
    save('baseline-444.jpg', rgb, quality=90, subsampling=0)
    save('baseline-422.jpg', rgb, quality=90, subsampling=1)
    save('progressive.jpg', rgb, quality=90, progressive=True)
    save('grey.jpg', rgb.convert('L'), quality=90)
    save('cmyk.jpg', rgb.convert('CMYK'), quality=90)
    grey16 = Image.new('I;16', (23, 17))
    grey16.putdata([(x * 2851 + y * 977) % 65536 for y in range(17) for x in range(23)])
    save('grey16.png', grey16)
    palette = rgb.convert('P', palette=Image.ADAPTIVE, colors=16)
    save('palette-transparent.png', palette, transparency=3)
    rgba = rgb.copy()
    rgba.putalpha(Image.new('L', rgb.size, 128))
    save('rgba.png', rgba)
    save('grey-alpha.png', rgb.convert('LA'))
    for name, color_type, channels in [('rgb16.png', 2, 3), ('rgba16.png', 6, 4), ('grey-alpha16.png', 4, 2)]:
        png16(os.path.join(out, name), color_type, channels, 19, 13)
        files[name] = os.path.join(out, name)
    return files


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = sources(out)
    for extra in sys.argv[2:]:
        files[os.path.basename(extra)] = extra
    index = {'generator': 'src/test/python/pil_fixtures.py', 'pil': PIL.__version__, 'images': {}}
    for name, path in sorted(files.items()):
        im = Image.open(path)
        rgb = im.convert('RGB').tobytes()
        entry = {'source': os.path.relpath(path, os.path.join(out, '..', '..', '..', '..')), 'mode': im.mode,
                 'width': im.size[0], 'height': im.size[1], 'sha256': hashlib.sha256(rgb).hexdigest()}
        if len(rgb) <= 65536:   # the pixels themselves for small images (diagnostics); a digest for the photos
            with gzip.GzipFile(os.path.join(out, name + '.rgb.gz'), 'wb', mtime=0) as f:
                f.write(rgb)
        index['images'][name] = entry
        print('%-24s %-5s %dx%d' % (name, im.mode, im.size[0], im.size[1]))
    with open(os.path.join(out, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
