#!/usr/bin/env python3
"""Reference values for Ember's sequence modules and attention, from PyTorch.

Writes ember-nn/src/test/resources/torch_lm/sequence.json (run from the repository root):
    /usr/bin/python3 benchmarks/reference/make_lm_refs.py
Generated with Debian's python3-torch 1.13 in float64. Each case holds the module's parameters
(state_dict names), its inputs, its outputs, a random upstream gradient per output, and the gradients
of the objective sum(output * upstream) with respect to every parameter and float input. Modules that
PyTorch 1.13 does not have (RMSNorm, SwiGLU, RoPE, sinusoidal positions) are written out here from
their published formulas; attention uses torch 1.13's F._scaled_dot_product_attention (BOOL masks:
true takes part; causal aligned top-left).
"""
import json, math, os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(4321)
torch.set_default_dtype(torch.float64)
OUT = os.path.join("ember-nn", "src", "test", "resources", "torch_lm")
os.makedirs(OUT, exist_ok=True)


def t(x):
    x = x.detach()
    if x.dtype == torch.bool:
        return {"shape": list(x.shape), "data": [bool(b) for b in x.reshape(-1).tolist()], "dtype": "bool"}
    if not x.is_floating_point():
        return {"shape": list(x.shape), "data": x.reshape(-1).tolist(), "dtype": "int64"}
    return {"shape": list(x.shape), "data": x.reshape(-1).tolist()}


def case(name, module, inputs, run, options=None):
    """inputs: {name: tensor}; run(module, inputs) -> {output name: tensor}."""
    params = {k: t(v) for k, v in module.state_dict().items()} if module is not None else {}
    ins = {}
    for k, v in inputs.items():
        if v.is_floating_point() and "mask" not in k:  # masks are constants (Ember sends no gradient to them)
            v = v.clone().requires_grad_(True)
        ins[k] = v
    outs = run(module, ins)
    ups = {k: torch.randn_like(v) for k, v in outs.items()}
    objective = sum((v * ups[k]).sum() for k, v in outs.items())
    objective.backward()
    return {"name": name, "options": options or {}, "params": params,
            "inputs": {k: t(v) for k, v in ins.items()},
            "outputs": {k: t(v) for k, v in outs.items()},
            "upstream": {k: t(v) for k, v in ups.items()},
            "grads": {k: t(p.grad) for k, p in module.named_parameters()} if module is not None else {},
            "input_grads": {k: t(v.grad) for k, v in ins.items() if v.requires_grad}}


cases = []

# ---- recurrent layers ------------------------------------------------------------------------


def rnn_run(m, i, lstm=False):
    args = (i["h0"], i["c0"]) if lstm else i.get("h0")
    if lstm and "h0" not in i:
        args = None
    if "lengths" in i:
        packed = pack_padded_sequence(i["x"], i["lengths"], batch_first=m.batch_first, enforce_sorted=False)
        out, h = m(packed, args)
        out, _ = pad_packed_sequence(out, batch_first=m.batch_first, total_length=i["x"].shape[1 if m.batch_first else 0])
    else:
        out, h = m(i["x"], args)
    if lstm:
        return {"output": out, "hn": h[0], "cn": h[1]}
    return {"output": out, "hn": h}


cases.append(case("rnn_tanh", nn.RNN(4, 5), {"x": torch.randn(6, 3, 4), "h0": torch.randn(1, 3, 5)}, rnn_run))
cases.append(case("rnn_relu_2layer_bidirectional_batch_first",
                  nn.RNN(4, 5, num_layers=2, nonlinearity="relu", bidirectional=True, batch_first=True),
                  {"x": torch.randn(3, 6, 4)}, rnn_run,
                  {"numLayers": 2, "bidirectional": True, "batchFirst": True, "nonlinearity": "relu"}))
cases.append(case("lstm", nn.LSTM(4, 5), {"x": torch.randn(6, 3, 4), "h0": torch.randn(1, 3, 5), "c0": torch.randn(1, 3, 5)},
                  lambda m, i: rnn_run(m, i, True)))
cases.append(case("lstm_2layer_bidirectional_batch_first_lengths",
                  nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
                  {"x": torch.randn(3, 5, 3), "h0": torch.randn(4, 3, 4), "c0": torch.randn(4, 3, 4),
                   "lengths": torch.tensor([5, 3, 2])},
                  lambda m, i: rnn_run(m, i, True), {"numLayers": 2, "bidirectional": True, "batchFirst": True}))
cases.append(case("gru", nn.GRU(4, 5), {"x": torch.randn(6, 3, 4), "h0": torch.randn(1, 3, 5)}, rnn_run))
cases.append(case("gru_2layer_bidirectional_lengths", nn.GRU(4, 3, num_layers=2, bidirectional=True),
                  {"x": torch.randn(5, 3, 4), "lengths": torch.tensor([2, 5, 4])}, rnn_run,
                  {"numLayers": 2, "bidirectional": True}))

# ---- attention ---------------------------------------------------------------------------------


def sdpa_run(_, i, causal=False, scale=None):
    q = i["q"]
    if scale is not None:
        q = q * (scale * math.sqrt(q.shape[-1]))  # 1.13's function has no scale argument
    return {"output": F._scaled_dot_product_attention(q, i["k"], i["v"], i.get("mask"), 0.0, False, causal)[0]}


cases.append(case("sdpa", None, {"q": torch.randn(2, 3, 5, 4), "k": torch.randn(2, 3, 7, 4), "v": torch.randn(2, 3, 7, 6)}, sdpa_run))
cases.append(case("sdpa_causal", None, {"q": torch.randn(2, 3, 6, 4), "k": torch.randn(2, 3, 6, 4), "v": torch.randn(2, 3, 6, 4)},
                  lambda m, i: sdpa_run(m, i, causal=True), {"causal": True}))
cases.append(case("sdpa_bool_mask", None, {"q": torch.randn(2, 4, 3), "k": torch.randn(2, 5, 3), "v": torch.randn(2, 5, 2),
                                           "mask": torch.tensor([[True, True, False, True, False]] * 4)}, sdpa_run))
cases.append(case("sdpa_float_mask_scale", None, {"q": torch.randn(3, 4, 3), "k": torch.randn(3, 5, 3), "v": torch.randn(3, 5, 2),
                                                  "mask": torch.randn(4, 5)},
                  lambda m, i: sdpa_run(m, i, scale=0.25), {"scale": 0.25}))


def mha_run(m, i, weights=False, causal=False):
    kwargs = {"key_padding_mask": i.get("key_padding_mask"), "attn_mask": i.get("attn_mask"), "need_weights": weights}
    out, w = m(i["query"], i.get("key", i["query"]), i.get("value", i["query"]), **kwargs)
    return {"output": out, "weights": w} if weights else {"output": out}


cases.append(case("mha_self", nn.MultiheadAttention(8, 2), {"query": torch.randn(5, 3, 8)}, mha_run))
cases.append(case("mha_batch_first_masks", nn.MultiheadAttention(8, 4, batch_first=True),
                  {"query": torch.randn(2, 4, 8), "key": torch.randn(2, 6, 8), "value": torch.randn(2, 6, 8),
                   "key_padding_mask": torch.tensor([[False] * 6, [False, False, False, False, True, True]]),
                   "attn_mask": torch.tensor([[False, True, False, False, False, False]] * 4)},
                  mha_run, {"batchFirst": True, "numHeads": 4}))
cases.append(case("mha_kdim_vdim_float_mask", nn.MultiheadAttention(8, 2, kdim=5, vdim=3),
                  {"query": torch.randn(4, 2, 8), "key": torch.randn(6, 2, 5), "value": torch.randn(6, 2, 3),
                   "attn_mask": torch.randn(4, 6)}, mha_run, {"kdim": 5, "vdim": 3}))
cases.append(case("mha_weights", nn.MultiheadAttention(8, 2),
                  {"query": torch.randn(4, 2, 8), "key_padding_mask": torch.tensor([[False, False, False, True], [False] * 4])},
                  lambda m, i: mha_run(m, i, weights=True)))


def causal_float(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


cases.append(case("encoder_post_norm", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0),
                  {"src": torch.randn(5, 2, 8), "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]])},
                  lambda m, i: {"output": m(i["src"], src_key_padding_mask=i["src_key_padding_mask"])}))
cases.append(case("encoder_pre_norm_gelu_batch_first_causal",
                  nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, dropout=0.0, activation="gelu", batch_first=True, norm_first=True),
                  {"src": torch.randn(2, 5, 8)},
                  lambda m, i: {"output": m(i["src"], src_mask=causal_float(5))},
                  {"numHeads": 4, "dimFeedforward": 12, "activation": "gelu", "batchFirst": True, "normFirst": True, "causal": True}))
cases.append(case("decoder_post_norm", nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0),
                  {"tgt": torch.randn(4, 2, 8), "memory": torch.randn(6, 2, 8),
                   "memory_key_padding_mask": torch.tensor([[False] * 6, [False, False, False, False, False, True]])},
                  lambda m, i: {"output": m(i["tgt"], i["memory"], tgt_mask=causal_float(4),
                                            memory_key_padding_mask=i["memory_key_padding_mask"])},
                  {"causal": True}))
cases.append(case("decoder_pre_norm_batch_first",
                  nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=True),
                  {"tgt": torch.randn(2, 4, 8), "memory": torch.randn(2, 3, 8)},
                  lambda m, i: {"output": m(i["tgt"], i["memory"])}, {"batchFirst": True, "normFirst": True}))

# ---- normalisation, activations, positions ------------------------------------------------------


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight (PyTorch 2.4's nn.RMSNorm; not in 1.13)."""

    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.randn(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class SwiGLU(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.w1, self.w2, self.w3 = nn.Linear(d, h, bias=False), nn.Linear(h, d, bias=False), nn.Linear(d, h, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


def rope(x, start, base=10000.0):
    d = x.shape[-1]
    inv = 1.0 / base ** (torch.arange(0, d, 2) / d)
    pos = torch.arange(start, start + x.shape[-2])
    freqs = torch.outer(pos, inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    rot = torch.cat([-x[..., d // 2:], x[..., :d // 2]], dim=-1)
    return x * emb.cos() + rot * emb.sin()


def sinusoidal(x, max_len):
    d = x.shape[-1]
    pe = torch.zeros(max_len, d)
    pos = torch.arange(max_len).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return x + pe[:x.shape[-2]]


cases.append(case("rmsnorm", RMSNorm(6, 1e-6), {"x": torch.randn(3, 4, 6) * 2}, lambda m, i: {"output": m(i["x"])}, {"eps": 1e-6}))
cases.append(case("swiglu", SwiGLU(6, 10), {"x": torch.randn(2, 3, 6)}, lambda m, i: {"output": m(i["x"])}))
cases.append(case("silu", None, {"x": torch.randn(4, 5) * 3}, lambda m, i: {"output": F.silu(i["x"])}))
cases.append(case("rope", None, {"x": torch.randn(2, 3, 5, 8)}, lambda m, i: {"output": rope(i["x"], 3)}, {"start": 3, "maxLength": 16}))
cases.append(case("sinusoidal", None, {"x": torch.randn(2, 5, 6)}, lambda m, i: {"output": sinusoidal(i["x"], 16)}, {"maxLength": 16}))

with open(os.path.join(OUT, "sequence.json"), "w") as f:
    json.dump(cases, f)
print(f"wrote {len(cases)} cases to {OUT}/sequence.json")
