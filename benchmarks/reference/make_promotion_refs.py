#!/usr/bin/python3
"""PyTorch's result dtypes for Ember's op table (TypePromotionTest).

For every op of the table that declares a promotion kind, and every combination of operand dtypes
(BOOL, INT32, INT64, FLOAT32, FLOAT64), 1-D or 0-d operands and Java scalars (a Python float stands for
a Java double, a Python int for a Java long), records the dtype PyTorch gives the result, or "error: ..."
when PyTorch refuses. Ember's entry names are the keys; adding an op with a promotion kind to the
table means adding it here and regenerating:

    /usr/bin/python3 benchmarks/reference/make_promotion_refs.py

Writes ember-core/src/test/resources/torch_promotion/promotion.json. Generated with Debian's
python3-torch 1.13, default dtype float32.
"""
import json
import os

import torch
import torch.nn.functional as F

DTYPES = {"BOOL": torch.bool, "INT32": torch.int32, "INT64": torch.int64, "FLOAT32": torch.float32,
          "FLOAT64": torch.float64}
NAMES = {v: k for k, v in DTYPES.items()}


def tensor(name, zero_dim, rows=None):
    """[1, 2, 3] (BOOL: [True, False, True]) or the 0-d 2 (True); rows > 1 makes it [rows, 3]."""
    dt = DTYPES[name]
    if zero_dim:
        return torch.tensor(True if dt == torch.bool else 2, dtype=dt)
    base = torch.tensor([True, False, True]) if dt == torch.bool else torch.tensor([1, 2, 3])
    t = base.to(dt)
    return t.repeat(rows, 1) if rows else t


def token(name, zero_dim):
    return name + (":0d" if zero_dim else "")


def outcome(f):
    try:
        r = f()
        if isinstance(r, (tuple, list)):
            r = r[0]
        return NAMES[r.dtype]
    except (RuntimeError, TypeError) as e:
        return "error: " + str(e).splitlines()[0][:160]


# name -> function of one tensor
UNARY = {
    "neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "exp": torch.exp, "log": torch.log,
    "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
    "reciprocal": torch.reciprocal, "square": torch.square, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "silu": F.silu, "relu": torch.relu, "gelu": F.gelu, "erf": torch.erf,
    "softplus": F.softplus, "floor": torch.floor, "ceil": torch.ceil, "round": torch.round,
    "leakyRelu": lambda x: F.leaky_relu(x, 0.1), "pow.scalar": lambda x: torch.pow(x, 2.5),
    "clamp": lambda x: torch.clamp(x, -0.5, 0.7), "clampMin": lambda x: torch.clamp(x, min=0.5),
    "clampMax": lambda x: torch.clamp(x, max=0.5), "logicalNot": torch.logical_not, "isnan": torch.isnan,
}

# name -> function of two tensors
BINARY = {
    "add": torch.add, "add.alpha": lambda a, b: torch.add(a, b, alpha=2.5), "sub": torch.sub, "mul": torch.mul,
    "div": torch.div, "floorDivide": torch.floor_divide, "remainder": torch.remainder, "pow": torch.pow,
    "atan2": torch.atan2, "maximum": torch.maximum, "minimum": torch.minimum,
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
    "logicalAnd": torch.logical_and, "logicalOr": torch.logical_or, "logicalXor": torch.logical_xor,
    "where": lambda a, b: torch.where(torch.tensor([True, False, True]), a, b),
}

# name -> (function of a tensor and a Python scalar, the scalar kinds Ember's overloads take)
SCALAR = {
    "add.scalar": (torch.add, ("float", "int")), "sub.scalar": (torch.sub, ("float", "int")),
    "mul.scalar": (torch.mul, ("float", "int")), "div.scalar": (torch.div, ("float",)),
    "rsub": (lambda x, s: s - x, ("float",)),
    "eq.scalar": (torch.eq, ("float",)), "ne.scalar": (torch.ne, ("float",)), "lt.scalar": (torch.lt, ("float",)),
    "le.scalar": (torch.le, ("float",)), "gt.scalar": (torch.gt, ("float",)), "ge.scalar": (torch.ge, ("float",)),
    "maskedFill": (lambda x, s: x.masked_fill(torch.tensor(True), s), ("float",)),
}
SCALARS = {"float": 2.5, "int": 2}

# name -> function of one [2, 3] tensor
REDUCTION = {
    "sum": torch.sum, "mean": torch.mean, "prod": torch.prod, "max": torch.max, "min": torch.min,
    "max.dim": lambda x: torch.max(x, 1), "min.dim": lambda x: torch.min(x, 1),
    "argmax": torch.argmax, "argmin": torch.argmin, "var": torch.var, "std": torch.std,
    "logsumexp": lambda x: torch.logsumexp(x, 1), "softmax": lambda x: torch.softmax(x, 1),
    "logSoftmax": lambda x: torch.log_softmax(x, 1),
}

# name -> function of two 2-D tensors ([2, 3] and [3, 2] for the products, [2, 3] twice otherwise)
PAIR = {
    "matmul": (torch.matmul, True), "mm": (torch.mm, True),
    "cat": (lambda a, b: torch.cat([a, b], 0), False), "stack": (lambda a, b: torch.stack([a, b], 0), False),
}

ops = {}
for name, f in UNARY.items():
    ops[name] = {"kind": "unary", "cases": {token(d, z): outcome(lambda: f(tensor(d, z)))
                                            for d in DTYPES for z in (False, True)}}
for name, f in BINARY.items():
    ops[name] = {"kind": "binary", "cases": {
        token(a, za) + " " + token(b, zb): outcome(lambda: f(tensor(a, za), tensor(b, zb)))
        for a in DTYPES for b in DTYPES for za in (False, True) for zb in (False, True)}}
for name, (f, kinds) in SCALAR.items():
    ops[name] = {"kind": "scalar", "cases": {
        token(d, z) + " " + k: outcome(lambda: f(tensor(d, z), SCALARS[k]))
        for d in DTYPES for z in (False, True) for k in kinds}}
for name, f in REDUCTION.items():
    ops[name] = {"kind": "reduction", "cases": {d: outcome(lambda: f(tensor(d, False, rows=2))) for d in DTYPES}}
for name, (f, product) in PAIR.items():
    ops[name] = {"kind": "pair", "cases": {
        a + " " + b: outcome(lambda: f(tensor(a, False, rows=2), tensor(b, False, rows=2).T if product
                                       else tensor(b, False, rows=2)))
        for a in DTYPES for b in DTYPES}}

path = "ember-core/src/test/resources/torch_promotion/promotion.json"
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as out:
    json.dump({"torch": torch.__version__, "defaultDType": NAMES[torch.get_default_dtype()],
               "scalars": SCALARS, "ops": ops}, out, indent=1, sort_keys=True)
n = sum(len(o["cases"]) for o in ops.values())
print(len(ops), "ops,", n, "cases,", sum(v.startswith("error") for o in ops.values() for v in o["cases"].values()),
      "refused, written to", path)
