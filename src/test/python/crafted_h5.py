"""Crafted and unusual HDF5 files for the readers' error paths, written with h5py (not by the code under test).

Each file is a valid HDF5 file that h5py itself reads; what is unusual is what the project must answer for:

  user-block.h5           Keras weights after a 512-byte user block (HDF5 allows it; h5py's userblock_size)
  features-float64.h5     a features file whose 'features' are float64 (numpy's default dtype)
  features-int64.h5       a features file whose 'labels' are int64
  features-bad-label.h5   a label (7) beyond the two class names
  features-unwritten.h5   'features' chunked, with no chunk ever written (h5py reads it as the fill value 0)
  weights-6gb.h5          Keras weights whose kernel declares 40000 x 40000 float32 (6.4 GB), never written
  weights-6gb-chunked.h5  the same, stored in chunks (which could be compressed, so only the heap bounds it)
  head-bad-size.h5        a head whose input_size attribute is 'garbage'

Run: /usr/bin/python3 src/test/python/crafted_h5.py (needs h5py and numpy; Debian's python3-h5py will do).
The sources are the committed fixtures under src/test/resources/.
"""
import os
import shutil

import h5py
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "resources")
FUZZ = os.path.join(ROOT, "dev", "inception", "fuzz", "ParsersFuzzTestInputs")
OUT = os.path.join(ROOT, "crafted")
KERAS = os.path.join(ROOT, "keras-fixture", "jetTagger_Conv2D_Small_weights.h5")
FEATURES = os.path.join(FUZZ, "featuresFile", "features.h5")
HEAD = os.path.join(FUZZ, "headFile", "head.h5")


def copy(src, dst, userblock=0, skip=(), dtypes=None):
    """Copies every root attribute and object of src into a new file, changing the dtypes named."""
    with h5py.File(src, "r") as s, h5py.File(dst, "w", userblock_size=userblock or None) as d:
        for k, v in s.attrs.items():
            d.attrs[k] = v
        for k in s:
            if k in skip:
                continue
            if dtypes and k in dtypes:
                d[k] = s[k][()].astype(dtypes[k])
            else:
                s.copy(s[k], d, name=k)


def main():
    os.makedirs(OUT, exist_ok=True)

    path = os.path.join(OUT, "user-block.h5")
    copy(KERAS, path, userblock=512)
    with open(path, "r+b") as f:
        f.write(b"A user block: h5py.File(..., userblock_size=512)\n")

    copy(FEATURES, os.path.join(OUT, "features-float64.h5"), dtypes={"features": np.float64})
    copy(FEATURES, os.path.join(OUT, "features-int64.h5"), dtypes={"labels": np.int64})

    path = os.path.join(OUT, "features-bad-label.h5")
    copy(FEATURES, path)
    with h5py.File(path, "r+") as f:
        f["labels"][1] = 7

    path = os.path.join(OUT, "features-unwritten.h5")
    copy(FEATURES, path, skip=("features",))
    with h5py.File(path, "r+") as f:
        f.create_dataset("features", shape=(4, 2048), dtype="f4", chunks=(1, 2048))

    for name, chunks in (("weights-6gb.h5", None), ("weights-6gb-chunked.h5", (1000, 1000))):
        path = os.path.join(OUT, name)
        copy(KERAS, path)
        with h5py.File(path, "r+") as f:
            layer = next(n.decode() for n in f.attrs["layer_names"] if len(f[n.decode()].attrs["weight_names"]))
            group = f[layer]
            weight = group.attrs["weight_names"][0].decode()
            del group[weight]
            # h5py allocates a contiguous dataset's storage when it is first written: never, here
            group.create_dataset(weight, shape=(40000, 40000), dtype="f4", chunks=chunks)

    path = os.path.join(OUT, "head-bad-size.h5")
    shutil.copy(HEAD, path)
    with h5py.File(path, "r+") as f:
        f.attrs["input_size"] = np.bytes_(b"garbage")

    for name in sorted(os.listdir(OUT)):
        with h5py.File(os.path.join(OUT, name), "r") as f:
            print(name, os.path.getsize(os.path.join(OUT, name)), "bytes; h5py reads it:", sorted(f.keys())[:3])


if __name__ == "__main__":
    main()
