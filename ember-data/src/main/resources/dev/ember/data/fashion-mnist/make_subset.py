#!/usr/bin/env python3
"""Writes the embedded Fashion-MNIST subset beside this script: the first 2,000 training and
the first 500 test images and labels of the official set, as gzip IDX files (same format as
the originals). Source: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
Run: python3 make_subset.py [SOURCE_DIR]"""
import gzip, os, struct, sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
here = os.path.dirname(os.path.abspath(__file__))
for name, count in [("train-images-idx3-ubyte", 2000), ("train-labels-idx1-ubyte", 2000),
                    ("t10k-images-idx3-ubyte", 500), ("t10k-labels-idx1-ubyte", 500)]:
    with gzip.open(os.path.join(src, name + ".gz"), "rb") as f:
        data = f.read()
    rank = data[3]
    dims = list(struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank]))
    item = 1
    for d in dims[1:]:
        item *= d
    body = data[4 + 4 * rank: 4 + 4 * rank + count * item]
    dims[0] = count
    out = data[:4] + struct.pack(">" + "I" * rank, *dims) + body
    # mtime=0 keeps the committed bytes reproducible
    with open(os.path.join(here, name + ".gz"), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as g:
        g.write(out)
