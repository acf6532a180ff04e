#!/usr/bin/env python3
"""Output sizes and refusals of PyTorch's sliding-window ops, for Ember's geometry checks.

Writes ember-nn/src/test/resources/torch_geometry/geometry.json (run from the repository root):
    /usr/bin/python3 benchmarks/reference/make_geometry_refs.py
Generated with Debian's python3-torch 1.13. Each case names the op (Ember's name), its arguments
and either the output shape PyTorch returns or "error" when PyTorch raises. GeometryTest runs the
same cases through Ember and expects the same shape, or an IllegalArgumentException naming the op.
Sizes stay small, except for a few huge padding / dilation / stride values that PyTorch refuses.
"""
import itertools, json, os
import torch
import torch.nn.functional as F

cases = []


def run(case, f):
    try:
        case["result"] = list(f().shape)
    except Exception:  # RuntimeError for bad geometry; also allocation failures for huge sizes
        case["result"] = "error"
    cases.append(case)


def conv(shape, weight, stride, padding, dilation, groups=1):
    c = dict(op="conv2d", input=shape, weight=weight, stride=stride, padding=padding, dilation=dilation, groups=groups)
    run(c, lambda: F.conv2d(torch.zeros(shape), torch.zeros(weight), None, stride, padding, dilation, groups))


def pool(op, shape, kernel, stride, padding):
    f = F.max_pool2d if op == "maxPool2d" else F.avg_pool2d
    c = dict(op=op, input=shape, kernel=kernel, stride=stride, padding=padding)
    run(c, lambda: f(torch.zeros(shape), kernel, stride, padding))


def unfold(shape, kernel, stride, padding, dilation):
    c = dict(op="unfold", input=shape, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
    run(c, lambda: F.unfold(torch.zeros(shape), kernel, dilation, padding, stride))


def blocks(size, k, s, p, d):
    n = (size + 2 * p - d * (k - 1) - 1) // s + 1  # Python's // floors
    return max(n, 1)


def fold(cols, output, kernel, stride, padding, dilation):
    c = dict(op="fold", input=cols, output=output, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
    run(c, lambda: F.fold(torch.zeros(cols), output, kernel, dilation, padding, stride))


def adaptive(shape, output):
    c = dict(op="adaptiveAvgPool2d", input=shape, output=output)
    run(c, lambda: F.adaptive_avg_pool2d(torch.zeros(shape), output))


# A grid of small square geometries: every op that computes an output size.
for h, k, s, p in itertools.product([1, 3, 4, 5], [1, 2, 3, 4, 5, 6], [1, 2, 3], [0, 1, 2, 3]):
    for d in [1, 2]:
        conv([1, 1, h, h], [1, 1, k, k], [s, s], [p, p], [d, d])
        unfold([1, 2, h, h], [k, k], [s, s], [p, p], [d, d])
        n = blocks(h, k, s, p, d)
        fold([1, 2 * k * k, n * n], [h, h], [k, k], [s, s], [p, p], [d, d])
    pool("maxPool2d", [1, 2, h, h], [k, k], [s, s], [p, p])
    pool("avgPool2d", [1, 2, h, h], [k, k], [s, s], [p, p])

# Non-square and special cases: zero / negative / huge arguments, empty inputs, groups.
conv([1, 1, 3, 7], [1, 1, 4, 2], [2, 3], [0, 1], [1, 2])
conv([1, 1, 7, 3], [1, 1, 2, 4], [3, 2], [1, 0], [2, 1])
for s in ([0, 1], [-1, 1]):
    conv([1, 1, 3, 3], [1, 1, 1, 1], s, [0, 0], [1, 1])
conv([1, 1, 3, 3], [1, 1, 1, 1], [1, 1], [-1, 0], [1, 1])
conv([1, 1, 3, 3], [1, 1, 1, 1], [1, 1], [0, 0], [0, 1])
conv([1, 1, 3, 3], [1, 1, 0, 1], [1, 1], [0, 0], [1, 1])
conv([0, 1, 3, 3], [1, 1, 2, 2], [1, 1], [0, 0], [1, 1])
conv([1, 1, 0, 3], [1, 1, 1, 1], [1, 1], [0, 0], [1, 1])
conv([1, 1, 0, 3], [1, 1, 1, 1], [1, 1], [1, 1], [1, 1])
conv([1, 1, 3, 3], [0, 1, 2, 2], [1, 1], [0, 0], [1, 1])
conv([1, 4, 3, 3], [4, 2, 1, 1], [1, 1], [0, 0], [1, 1], groups=2)
conv([1, 4, 3, 3], [4, 2, 1, 1], [1, 1], [0, 0], [1, 1], groups=3)
conv([1, 4, 3, 3], [4, 1, 1, 1], [1, 1], [0, 0], [1, 1], groups=2)
conv([1, 4, 3, 3], [6, 2, 1, 1], [1, 1], [0, 0], [1, 1], groups=2)
conv([1, 4, 3, 3], [4, 4, 1, 1], [1, 1], [0, 0], [1, 1], groups=0)
conv([1, 1, 3, 3], [1, 1, 2, 2], [1, 1], [0, 0], [2 ** 31 - 1, 2 ** 31 - 1])
conv([1, 1, 3, 3], [1, 1, 2, 2], [2 ** 31 - 1, 2 ** 31 - 1], [0, 0], [1, 1])
conv([1, 1, 3, 3], [1, 1, 1, 1], [1, 1], [2 ** 30, 2 ** 30], [1, 1])
for op in ("maxPool2d", "avgPool2d"):
    pool(op, [1, 1, 3, 7], [4, 2], [2, 3], [1, 0])
    pool(op, [1, 1, 3, 3], [2, 2], [0, 0], [0, 0])
    pool(op, [1, 1, 3, 3], [2, 2], [-1, -1], [0, 0])
    pool(op, [1, 1, 3, 3], [0, 0], [1, 1], [0, 0])
    pool(op, [1, 1, 3, 3], [2, 2], [1, 1], [-1, -1])
    pool(op, [1, 0, 3, 3], [2, 2], [1, 1], [0, 0])
    pool(op, [0, 1, 3, 3], [2, 2], [1, 1], [0, 0])
    pool(op, [1, 1, 0, 3], [2, 2], [1, 1], [1, 1])
    pool(op, [1, 1, 3, 3], [3, 3], [2 ** 31 - 1, 2 ** 31 - 1], [1, 1])
    pool(op, [1, 1, 3, 3], [2 ** 31 - 1, 2 ** 31 - 1], [1, 1], [2 ** 30, 2 ** 30])
unfold([1, 1, 3, 7], [4, 2], [2, 3], [0, 1], [1, 2])
unfold([1, 1, 3, 3], [2, 2], [0, 0], [0, 0], [1, 1])
unfold([1, 1, 3, 3], [2, 2], [1, 1], [0, 0], [0, 0])
unfold([1, 1, 3, 3], [2, 2], [1, 1], [-1, -1], [1, 1])
unfold([1, 1, 3, 3], [0, 0], [1, 1], [0, 0], [1, 1])
unfold([1, 1, 0, 3], [1, 1], [1, 1], [1, 1], [1, 1])
unfold([1, 0, 3, 3], [1, 1], [1, 1], [0, 0], [1, 1])
unfold([0, 1, 3, 3], [1, 1], [1, 1], [0, 0], [1, 1])
unfold([1, 1, 3, 3], [1, 1], [1, 1], [2 ** 30, 2 ** 30], [1, 1])
unfold([1, 1, 3, 3], [2, 2], [1, 1], [0, 0], [2 ** 31 - 1, 2 ** 31 - 1])
fold([1, 4, 4], [3, 3], [2, 2], [1, 1], [0, 0], [1, 1])
fold([1, 4, 5], [3, 3], [2, 2], [1, 1], [0, 0], [1, 1])
fold([1, 5, 4], [3, 3], [2, 2], [1, 1], [0, 0], [1, 1])
fold([1, 0, 4], [3, 3], [2, 2], [1, 1], [0, 0], [1, 1])
fold([0, 4, 4], [3, 3], [2, 2], [1, 1], [0, 0], [1, 1])
fold([1, 4, 0], [0, 3], [2, 2], [1, 1], [0, 0], [1, 1])
fold([1, 4, 4], [3, 3], [2, 2], [0, 0], [0, 0], [1, 1])
fold([1, 4, 4], [3, 3], [2, 2], [1, 1], [-1, -1], [1, 1])
fold([1, 4, 4], [3, 3], [2, 2], [1, 1], [0, 0], [0, 0])
fold([1, 4, 1], [3, 7], [2, 2], [2, 6], [0, 0], [1, 1])
for out in ([1, 1], [2, 3], [3, 3], [5, 4], [0, 2], [2, 0], [7, 7]):
    adaptive([1, 2, 3, 3], out)
adaptive([1, 2, 0, 3], [2, 2])
adaptive([1, 0, 3, 3], [2, 2])
adaptive([0, 2, 3, 3], [2, 2])
adaptive([1, 2, 3, 3], [-1, 2])

path = "ember-nn/src/test/resources/torch_geometry/geometry.json"
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(len(cases), "cases,", sum(c["result"] == "error" for c in cases), "refused, written to", path)
