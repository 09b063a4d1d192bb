"""float32 -> IEEE binary16 by NumPy (round to nearest even), for HalfFloatsTest: an implementation that is not ours.

Writes src/test/resources/half/fp16.csv: float32 bits and binary16 bits, in hex, one pair per line. Cases: zeros,
infinities, NaNs, the largest finite half and the values around the overflow threshold, the smallest normal and
subnormal halves and the ties below and between them, exact ties between neighbouring halves (round to even in
both directions), and 20,000 random float32 bit patterns spread over every exponent.

Run: /usr/bin/python3 src/test/python/half_fixtures.py (NumPy; Debian's python3-numpy will do).
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "half", "fp16.csv")


def main():
    values = [0.0, -0.0, np.inf, -np.inf, 65504.0, 65519.99, 65520.0, -65520.0, 2.0 ** -14, 2.0 ** -24,
              2.0 ** -25, 2.0 ** -25 * 1.0000001, 3 * 2.0 ** -25, 2.0 ** -26, 1.0, -2.5, 1.0 + 2.0 ** -11,
              1.0 + 3 * 2.0 ** -11, 2048.0 + 1.0, 2048.0 + 3.0, 0.1, 1e-8, 1e8, 3.14159265]
    bits = [np.float32(v).view(np.uint32) for v in values]
    bits += [np.uint32(0x7fc00000), np.uint32(0xffc00001), np.uint32(0x7f800001)]   # NaNs
    rng = np.random.default_rng(7)
    bits += list(rng.integers(0, 2 ** 32, size=20000, dtype=np.uint64).astype(np.uint32))
    with open(OUT, "w") as f:
        for b in bits:
            x = np.array([b], dtype=np.uint32).view(np.float32)
            with np.errstate(over="ignore", invalid="ignore"):
                h = x.astype(np.float16).view(np.uint16)[0]
            f.write("%08x,%04x\n" % (int(b), int(h)))
    print(len(bits), "cases ->", OUT)


if __name__ == "__main__":
    main()
