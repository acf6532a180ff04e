"""Writes norm_refs.json for NormalizationTest.pytorchValues: PyTorch's layer_norm (torch 1.13, float32, CPU) and
RMSNorm (torch 1.13 has no rms_norm: PyTorch 2.4's formula, x * rsqrt(mean(x^2) + eps) * weight, in float64 autograd),
outputs and gradients of sum(y * g).  Run: /usr/bin/python3 make_norm_refs.py > norm_refs.json"""
import json
import torch

torch.manual_seed(20261206)


def t(a):
    return {"shape": list(a.shape), "data": [float(v) for v in a.detach().reshape(-1).tolist()]}


cases = {}

# layer_norm over [2, 19] (n = 38, not a multiple of 16), with weight and bias
x = (torch.randn(3, 2, 19) * 1.5 + 0.7).requires_grad_()
w = (torch.randn(2, 19) * 0.5 + 1).requires_grad_()
b = (torch.randn(2, 19) * 0.1).requires_grad_()
g = torch.randn(3, 2, 19)
y = torch.nn.functional.layer_norm(x, [2, 19], w, b, 1e-5)
(y * g).sum().backward()
cases["layer_norm"] = {"eps": 1e-5, "normalized_shape": [2, 19], "x": t(x), "weight": t(w), "bias": t(b), "g": t(g),
                       "y": t(y), "dx": t(x.grad), "dweight": t(w.grad), "dbias": t(b.grad)}

# rms_norm over [37], eps 1e-6, with weight
x = (torch.randn(5, 37) * 2 - 0.3).requires_grad_()
w = (torch.randn(37) * 0.5 + 1).requires_grad_()
g = torch.randn(5, 37)
x64, w64 = x.double(), w.double()
y = (x64 * torch.rsqrt(x64.pow(2).mean(-1, keepdim=True) + 1e-6) * w64)
(y * g.double()).sum().backward()
cases["rms_norm"] = {"eps": 1e-6, "normalized_shape": [37], "x": t(x), "weight": t(w), "g": t(g),
                     "y": t(y), "dx": t(x.grad), "dweight": t(w.grad)}

print(json.dumps(cases))
