#!/usr/bin/python3
"""Reference values for Ember's autograd agreement test (TorchAgreementTest).

Runs four composite programs in PyTorch (float32) on fixed inputs, and writes the inputs,
the forward value and every input's gradient to ember-core/src/test/resources/autograd/torch_refs.json.
Regenerate with Debian's python3-torch:  /usr/bin/python3 benchmarks/reference/make_autograd_refs.py
"""
import json
import math
import os

import torch

torch.manual_seed(20261129)


def t(*shape):
    return torch.randn(*shape, dtype=torch.float32, requires_grad=True)


def dump(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


def program(inputs, fn, extra=None):
    out = fn(**inputs)
    out.backward()
    rec = {"inputs": {k: dump(v) for k, v in inputs.items()},
           "output": dump(out),
           "grads": {k: dump(v.grad) for k, v in inputs.items()}}
    if extra:
        rec.update(extra)
    return rec


refs = {}

# 1. MLP with cross-entropy (mean over the batch)
target = torch.tensor([2, 0, 1, 2])
refs["mlp_cross_entropy"] = program(
    {"x": t(4, 5), "w1": t(5, 6), "b1": t(6), "w2": t(6, 3), "b2": t(3)},
    lambda x, w1, b1, w2, b2: torch.nn.functional.cross_entropy(torch.relu(x @ w1 + b1) @ w2 + b2, target),
    {"target": target.tolist()})

# 2. conv2d + max-pool + linear, squared-error loss
refs["conv_pool_linear"] = program(
    {"x": t(2, 1, 6, 6), "w": t(3, 1, 3, 3), "b": t(3), "lw": t(27, 4), "lb": t(4)},
    lambda x, w, b, lw, lb: ((torch.nn.functional.max_pool2d(torch.relu(
        torch.nn.functional.conv2d(x, w, b, padding=1)), 2).reshape(2, 27) @ lw + lb) ** 2).sum())

# 3. causal softmax attention: softmax(q k^T / sqrt(d) masked) v, projected by a fixed r
r_att = torch.randn(2, 4, 8)
mask = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)


def attention(q, k, v):
    scores = (q @ k.transpose(1, 2)) / math.sqrt(8)
    scores = scores.masked_fill(mask, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v * r_att).sum()


refs["attention"] = program({"q": t(2, 4, 8), "k": t(2, 4, 8), "v": t(2, 4, 8)}, attention,
                            {"r": dump(r_att)})

# 4. layer norm from primitives (biased variance, eps 1e-5), projected by a fixed r
r_ln = torch.randn(3, 7)


def layer_norm(x, gamma, beta):
    mu = x.mean(dim=1, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=1, keepdim=True)
    return (((x - mu) / torch.sqrt(var + 1e-5) * gamma + beta) * r_ln).sum()


refs["layer_norm"] = program({"x": t(3, 7), "gamma": t(7), "beta": t(7)}, layer_norm, {"r": dump(r_ln)})

out = os.path.join(os.path.dirname(__file__), "..", "..", "ember-core", "src", "test", "resources", "autograd", "torch_refs.json")
with open(out, "w") as f:
    json.dump({"generator": "benchmarks/reference/make_autograd_refs.py", "torch": torch.__version__, "programs": refs}, f)
print("wrote", os.path.normpath(out))
