#!/usr/bin/env python3
"""PyTorch's type rules for in-place ops, case by case, for Ember's InPlaceTypeRulesTest.

Writes ember-core/src/test/resources/torch_inplace/inplace.json (run from the repository root):
    /usr/bin/python3 benchmarks/reference/make_inplace_refs.py
Generated with Debian's python3-torch 1.13. Each case names the Ember op, the destination's dtype,
the operand (a dtype and whether it is 0-d, then 2 or True, or a Python scalar) and either the values PyTorch writes
(as float64) or "error" when PyTorch refuses (e.g. "result type Float can't be cast to the desired
output type Long"). The destination always holds DEST, the tensor operand OPERAND, in their dtypes.
"""
import json, math, os
import torch

DTYPES = {"BOOL": torch.bool, "INT32": torch.int32, "INT64": torch.int64, "FLOAT32": torch.float32, "FLOAT64": torch.float64}
DEST = [1, 2, 3]
OPERAND = [2, 1, 3]
BOOLS = [True, False, True]


def tensor(values, name):
    return torch.tensor(BOOLS if name == "BOOL" else values, dtype=DTYPES[name])


def encode(v):
    return v if math.isfinite(v) else str(v)


cases = []


def run(case, f):
    try:
        out = f()
        assert out.dtype == DTYPES[case["dest"]]
        case["result"] = [encode(float(v)) for v in out.double().tolist()]
    except RuntimeError:
        case["result"] = "error"
    cases.append(case)


binary = {"addInPlace": torch.Tensor.add_, "subInPlace": torch.Tensor.sub_, "mulInPlace": torch.Tensor.mul_,
          "divInPlace": torch.Tensor.div_}
for op, f in binary.items():
    for dest in DTYPES:
        for operand in DTYPES:
            for zero_dim in (False, True):
                o = tensor(OPERAND, operand)
                if zero_dim:  # a 0-d operand: 2 (True for BOOL)
                    o = torch.tensor(True if operand == "BOOL" else 2, dtype=DTYPES[operand])
                run(dict(op=op, dest=dest, operand=operand, zeroDim=zero_dim),
                    lambda: f(tensor(DEST, dest), o))
for dest in DTYPES:
    run(dict(op="mulInPlaceScalar", dest=dest, scalar=2.5), lambda: tensor(DEST, dest).mul_(2.5))
    run(dict(op="clampInPlaceDouble", dest=dest, min=1.5, max=2.5), lambda: tensor(DEST, dest).clamp_(1.5, 2.5))
    run(dict(op="clampInPlaceLong", dest=dest, min=1, max=2), lambda: tensor(DEST, dest).clamp_(1, 2))
    for v in (2.5, -7.0, float("nan"), float("inf"), 1e300, 3e9, -3e9, 2.0 ** 62):
        run(dict(op="fillInPlace", dest=dest, value=encode(v)), lambda: tensor(DEST, dest).fill_(v))
        mask = torch.tensor([True, False, True])
        run(dict(op="maskedFill", dest=dest, value=encode(v)), lambda: tensor(DEST, dest).masked_fill(mask, v))
    for operand in DTYPES:
        run(dict(op="copyFrom", dest=dest, operand=operand), lambda: tensor(DEST, dest).copy_(tensor([2.5, -1.5, 0], operand)))

path = "ember-core/src/test/resources/torch_inplace/inplace.json"
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "dest": DEST, "operand": OPERAND, "bools": BOOLS, "copySource": [2.5, -1.5, 0],
               "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases,", sum(c["result"] == "error" for c in cases), "refused, written to", path)
