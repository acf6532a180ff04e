#!/usr/bin/env python3
"""Reference values for FLOAT16 / BFLOAT16 (issue #20, part 1), from PyTorch's own conversions.

    /usr/bin/python3 benchmarks/reference/make_half_refs.py

Writes, under ember-core/src/test/resources/half/ (read by dev.ember.HalfConversionTest and
dev.ember.HalfPromotionTest):

  widen_f16.bin.gz, widen_bf16.bin.gz
      all 65,536 bit patterns of the type converted to float32 by `t.float()`: 65,536 float32 bit
      patterns (uint32), in pattern order.
  narrow_f16.bin.gz, narrow_bf16.bin.gz
      float32 -> 16 bits by `t.to(dtype)` (one 1-d tensor, so PyTorch's vectorised conversion) for the
      inputs of narrow_inputs() below, which the Java test rebuilds by the same rule: the uint16
      results, in input order. Only the results are stored; the rule is the expectation's other half.
  Both are stored delta-coded (see write()).
  promotion.json
      torch.promote_types, torch.can_cast and torch.result_type with 0-d tensors and Python scalars
      for every pair of Ember's dtypes.
  torch_half.safetensors
      F16 and BF16 tensors (NaN, infinities, subnormals, the largest finite values, a 0-d entry) with
      their float32 values from `t.float()` beside them as F32 (read by dev.ember.io.SafeTensorsTest).

    /usr/bin/python3 benchmarks/reference/make_half_refs.py --read-safetensors FILE
prints a safetensors file's F16/BF16/F32 tensors as JSON (dtype, shape, bits of each element as float32),
so SafeTensorsTest checks that PyTorch reads what Ember writes.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "ember-core", "src", "test", "resources", "half")
SPECIALS = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001,
            0x7FA00000, 0x7FFFFFFF, 0xFFFFFFFF, 0x7FC00001, 0x7F7FFFFF, 0xFF7FFFFF, 0x00800000, 0x80800000,
            0x00000001, 0x80000001, 0x007FFFFF, 0x33000000, 0x33000001, 0x32FFFFFF, 0x387FC000, 0x38800000,
            0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000, 0x3F800000, 0x3F801000, 0x3F808000,
            0x3F818000, 0x3F800001, 0x3F7FFFFF, 0x7F7F7FFF, 0x7F7F8000, 0x7F7F8001, 0x7F7EFFFF, 0x7F7F0000]
RANDOM_COUNT = 4096
TYPES = {"f16": (torch.float16, 0x7C00, 0x47800000), "bf16": (torch.bfloat16, 0x7F80, 0x7F800000)}


def widened(dtype):
    bits = torch.from_numpy(np.arange(65536, dtype=np.int32).astype(np.uint16).view(np.int16))
    return bits.view(dtype).float().view(torch.int32).numpy().view(np.uint32)


def xorshift32(n, seed=0x2545F491):
    out, x = np.empty(n, dtype=np.uint32), seed
    for i in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x
    return out


def narrow_inputs(table, finite, above_max):
    """For each positive finite pattern h (0 .. finite-1): its float32 value lo, and around the midpoint
    between lo and the next value up (the next pattern's value; above the largest finite one, the value
    one step further, above_max): mid - 1, mid, mid + 1 as float32 bit patterns (mid is an exact tie).
    Then the same with the sign bit set; then SPECIALS; then RANDOM_COUNT xorshift32 patterns."""
    lo = table[:finite].astype(np.uint64)
    hi = np.append(table[1:finite], above_max).astype(np.uint64)
    mid = (lo + hi) // 2
    pos = np.stack([lo, mid - 1, mid, mid + 1], axis=1).reshape(-1)
    allv = np.concatenate([pos, pos | 0x80000000, np.array(SPECIALS, dtype=np.uint64),
                           xorshift32(RANDOM_COUNT).astype(np.uint64)])
    return allv.astype(np.uint32)


def write(name, array):
    """Delta-coded (each element minus the one before, wrapping), little-endian, gzipped: the tables are
    nearly arithmetic sequences, which gzip alone barely shrinks."""
    delta = np.diff(array, prepend=array.dtype.type(0)).astype(array.dtype)
    with gzip.GzipFile(os.path.join(OUT, name), "wb", mtime=0) as f:
        f.write(delta.astype(array.dtype.newbyteorder("<")).tobytes())


SAFETENSORS_CODES = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32"}


def write_safetensors(path, tensors):
    """The safetensors format by hand (no safetensors package here): u64 header length, JSON header, raw bytes."""
    header, blobs, offset = {"__metadata__": {"writer": "make_half_refs.py"}}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().view(torch.int16 if t.element_size() == 2 else torch.int32).numpy().astype("<i%d" % t.element_size()).tobytes()
        header[name] = {"dtype": SAFETENSORS_CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + b"".join(blobs))


def read_safetensors(path):
    """{name: {dtype, shape, float32 bits of each element}} of a file's F16, BF16 and F32 tensors, decoded by torch."""
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    types = {v: k for k, v in SAFETENSORS_CODES.items()}
    out = {}
    for name, e in header.items():
        if name == "__metadata__" or e["dtype"] not in types:
            continue
        b, end = e["data_offsets"]
        raw = bytearray(data[8 + n + b: 8 + n + end])
        t = torch.frombuffer(raw, dtype=types[e["dtype"]]) if raw else torch.empty(0, dtype=types[e["dtype"]])
        out[name] = {"dtype": e["dtype"], "shape": e["shape"],
                     "bits": t.float().view(torch.int32).tolist()}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for key, (dtype, finite, above_max) in TYPES.items():
        table = widened(dtype)
        write(f"widen_{key}.bin.gz", table)
        inputs = narrow_inputs(table, finite, above_max)
        x = torch.from_numpy(inputs.view(np.int32)).view(torch.float32)
        write(f"narrow_{key}.bin.gz", x.to(dtype).view(torch.int16).numpy().view(np.uint16))

    names = {"BOOL": torch.bool, "INT32": torch.int32, "INT64": torch.int64, "FLOAT16": torch.float16,
             "BFLOAT16": torch.bfloat16, "FLOAT32": torch.float32, "FLOAT64": torch.float64}
    back = {v: k for k, v in names.items()}
    torch.set_default_dtype(torch.float32)
    pairs = []
    for a, ta in names.items():
        for b, tb in names.items():
            t1, t2 = torch.zeros(2, dtype=ta), torch.zeros(2, dtype=tb)
            z2 = torch.zeros((), dtype=tb)
            pairs.append({"a": a, "b": b,
                          "promote": back[torch.promote_types(ta, tb)],
                          "can_cast": torch.can_cast(ta, tb),
                          "tensor_zero_dim": back[torch.result_type(t1, z2)],
                          "zero_dim_tensor": back[torch.result_type(z2, t1)],
                          "zero_dims": back[torch.result_type(torch.zeros((), dtype=ta), z2)]})
    scalars = []
    for a, ta in names.items():
        t = torch.zeros(2, dtype=ta)
        scalars.append({"a": a, "float": back[torch.result_type(t, 1.5)], "int": back[torch.result_type(t, 2)]})
    special = [0.0, -0.0, 1.0, -2.5, 0.1, float("inf"), float("-inf"), float("nan"), 65504.0, 6e-8, 1e-40, 3.3e38]
    tensors = {}
    for key, dtype in (("f16", torch.float16), ("bf16", torch.bfloat16)):
        t = torch.tensor(special, dtype=torch.float32).to(dtype).reshape(3, 4)
        tensors[key] = t
        tensors[key + "_as_f32"] = t.float()
    tensors["bf16_scalar"] = torch.tensor(-0.75, dtype=torch.bfloat16)
    tensors["bf16_scalar_as_f32"] = tensors["bf16_scalar"].float()
    write_safetensors(os.path.join(OUT, "torch_half.safetensors"), tensors)

    with open(os.path.join(OUT, "promotion.json"), "w") as f:
        json.dump({"generator": "benchmarks/reference/make_half_refs.py", "torch": torch.__version__,
                   "default_dtype": "FLOAT32", "pairs": pairs, "scalars": scalars}, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--read-safetensors":
        print(json.dumps(read_safetensors(sys.argv[2])))
    else:
        main()
