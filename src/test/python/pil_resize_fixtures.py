#!/usr/bin/env python3
"""Makes the resizing fixtures: what Keras's load_img gives for an image and a target size, that is PIL's
Image.open(f).convert('RGB') then .resize((width, height), NEAREST or BILINEAR), as a SHA-256 of the RGB bytes.
ResizePilTest decodes the same files with ImageDecoder (itself checked against PIL by ImageDecoderPilTest),
resizes them with Resize, and compares; the test needs no Python.

Regenerate (any Pillow; Debian: apt-get install python3-pil):
    python3 src/test/python/pil_resize_fixtures.py src/test/resources/pil/resize.json \
        examples/chelsea.png examples/coffee.png examples/rocket.jpg \
        src/test/resources/pil/baseline-420.jpg src/test/resources/pil/palette-transparent.png
"""
import hashlib
import json
import sys

import PIL
from PIL import Image

# (width, height): InceptionV3's input, the smallest Keras allows, lopsided shrinks, an enlargement, a thin strip
SIZES = [(299, 299), (75, 75), (150, 97), (37, 201), (700, 450), (299, 1)]
METHODS = {'NEAREST': Image.NEAREST, 'BILINEAR': Image.BILINEAR}


def main():
    out = sys.argv[1]
    fixtures = []
    for path in sys.argv[2:]:
        rgb = Image.open(path).convert('RGB')
        for width, height in SIZES:
            for name, method in METHODS.items():
                resized = rgb.resize((width, height), method)
                fixtures.append({'source': path, 'width': width, 'height': height, 'interpolation': name,
                                 'sha256': hashlib.sha256(resized.tobytes()).hexdigest()})
        print('%-48s %dx%d' % (path, rgb.size[0], rgb.size[1]))
    with open(out, 'w') as f:
        json.dump({'generator': 'src/test/python/pil_resize_fixtures.py', 'pil': PIL.__version__,
                   'resized': fixtures}, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
