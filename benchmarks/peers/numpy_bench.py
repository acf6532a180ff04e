"""NumPy (OpenBLAS) side of benchmarks/compare.sh: GEMM, elementwise ops and reductions.

Run with Debian's /usr/bin/python3; set OPENBLAS_NUM_THREADS to the thread count before
starting (compare.sh does), and OPENBLAS_CORETYPE to pick a kernel (Haswell: AVX2). The kernel
that ran (threadpoolctl) goes into the JSON. NumPy's ufuncs are single-threaded whatever the setting.
Usage: numpy_bench.py --threads T [--json FILE] [--filter REGEX]
"""
import argparse
import re

import numpy as np
from scipy.special import erf

from timing import blas_kernel, emit, measure


def gemm_items():
    # GemmBench's shapes: [t:][bB:]MxKxN, "t:" making A a transposed view of a [K, M] array (a weight gradient's X^T).
    shapes = ["256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048", "4096x1024x1024",
              "b64:128x32x128", "b64:128x128x32", "128x784x256", "128x128x10", "64x288x196", "t:784x128x256"]
    rng = np.random.default_rng(1)
    for s in shapes:
        transposed = s.startswith("t:")
        dims = s[2:] if transposed else s
        batch = 1
        if dims.startswith("b"):
            batch, dims = int(dims[1:dims.index(":")]), dims[dims.index(":") + 1:]
        m, k, n = (int(v) for v in dims.split("x"))
        a_shape, b_shape = ((batch, m, k), (batch, k, n)) if batch > 1 else ((m, k), (k, n))
        def make(a_shape=a_shape, b_shape=b_shape, transposed=transposed):
            if transposed:  # drawn as [..., K, M], used as its [..., M, K] transposed view
                a = np.swapaxes(rng.standard_normal(a_shape[:-2] + a_shape[-1:] + a_shape[-2:-1], dtype=np.float32), -1, -2)
            else:
                a = rng.standard_normal(a_shape, dtype=np.float32)
            b = rng.standard_normal(b_shape, dtype=np.float32)
            return lambda: a @ b
        yield "gemm " + s, make


def elementwise_items():
    rng = np.random.default_rng(2)
    for size in (1 << 20, 1 << 24):
        label = "1M" if size == 1 << 20 else "16M"
        def data(size=size):
            return (rng.standard_normal(size, dtype=np.float32) for _ in range(3))
        def op(kind, size=size):
            def make():
                x, y, z = data(size)
                return {
                    "add": lambda: np.add(x, y),
                    "add_": lambda: np.add(x, y, out=x),
                    "mul": lambda: np.multiply(x, y),
                    "relu": lambda: np.maximum(x, np.float32(0)),
                    "exp": lambda: np.exp(x),
                    "gelu": lambda: np.float32(0.5) * x * (np.float32(1) + erf(x * np.float32(0.70710678))),
                    "chain": lambda: np.maximum(x * y + z, np.float32(0)),
                    "sum": lambda: x.sum(),
                    "max": lambda: x.max(),
                }[kind]
            return make
        for kind in ("add", "add_", "mul", "relu", "exp", "gelu", "chain", "sum", "max"):
            yield f"{kind} {label}", op(kind)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--json")
    ap.add_argument("--filter", default=".*")
    args = ap.parse_args()
    rows = []
    for key, make in list(gemm_items()) + list(elementwise_items()):
        if re.search(args.filter, key):
            rows.append((key, measure(make())))
    emit(args.json, "numpy", args.threads, rows, "OpenBLAS " + blas_kernel())


if __name__ == "__main__":
    main()
