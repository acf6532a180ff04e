#!/usr/bin/env python3
"""Reference values for Ember's nn, losses, optimizers and schedulers, from PyTorch.

Writes JSON files into ember-nn/src/test/resources/torch_nn/ (run from the repository root):
    /usr/bin/python3 benchmarks/reference/make_nn_refs.py
Generated with Debian's python3-torch 1.13 in float64. Every tensor is stored as
{"shape": [...], "data": [flat row-major values]}. The Java tests load the same parameters and
inputs, run Ember in float32, and compare outputs and gradients.
"""
import json, math, os, struct, sys


def write_safetensors(path, tensors):
    """The safetensors format by hand (no safetensors package): u64 header length, JSON header, raw bytes."""
    codes = {"F32": "<f", "F64": "<d", "I32": "<i", "I64": "<q", "BOOL": "<?"}
    header, blobs, offset = {"__metadata__": {"writer": "make_nn_refs.py"}}, [], 0
    for name, (code, shape, values) in tensors.items():
        raw = b"".join(struct.pack(codes[code], v) for v in values)
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + b"".join(blobs))


def read_safetensors(path):
    """Parses a safetensors file by hand; returns {name: {"dtype", "shape", "data"}}."""
    codes = {"F32": ("<f", 4), "F64": ("<d", 8), "I32": ("<i", 4), "I64": ("<q", 8), "BOOL": ("<?", 1)}
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        fmt, width = codes[e["dtype"]]
        b, end = e["data_offsets"]
        raw = data[8 + n + b: 8 + n + end]
        out[name] = {"dtype": e["dtype"], "shape": e["shape"],
                     "data": [struct.unpack(fmt, raw[i:i + width])[0] for i in range(0, len(raw), width)]}
    return out


if len(sys.argv) == 3 and sys.argv[1] == "--read-safetensors":
    # Used by SafeTensorsTest to check that Python reads what Ember writes.
    print(json.dumps(read_safetensors(sys.argv[2])))
    sys.exit(0)

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
OUT = os.path.join("ember-nn", "src", "test", "resources", "torch_nn")
CORE_OUT = os.path.join("ember-core", "src", "test", "resources", "torch_nn")
os.makedirs(OUT, exist_ok=True)


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": x.reshape(-1).tolist()}


def module_case(name, module, x, train=True, integer_input=False):
    """Forward `x`, back-propagate a random upstream gradient, record everything."""
    module.train(train)
    params = {k: t(v) for k, v in module.state_dict().items()}
    if not integer_input:
        x = x.clone().requires_grad_(True)
    y = module(x)
    g = torch.randn_like(y)
    y.backward(g)
    case = {"name": name, "params": params, "input": t(x), "grad_output": t(g), "output": t(y),
            "grads": {k: t(p.grad) for k, p in module.named_parameters()},
            "state_after": {k: t(v) for k, v in module.state_dict().items()}}
    if not integer_input:
        case["grad_input"] = t(x.grad)
    return case


modules = [
    module_case("linear", nn.Linear(5, 3), torch.randn(4, 5)),
    module_case("linear_3d", nn.Linear(4, 2), torch.randn(2, 3, 4)),
    module_case("conv2d", nn.Conv2d(2, 3, 3, stride=1, padding=1), torch.randn(2, 2, 5, 5)),
    module_case("conv2d_stride2", nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.randn(2, 3, 7, 6)),
    module_case("conv2d_groups", nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2, bias=False),
                torch.randn(1, 4, 6, 6)),
    module_case("maxpool2d", nn.MaxPool2d(2), torch.randn(2, 3, 6, 6)),
    module_case("maxpool2d_stride_pad", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(1, 2, 7, 7)),
    module_case("avgpool2d", nn.AvgPool2d(2), torch.randn(2, 3, 6, 4)),
    module_case("adaptive_avgpool2d_even", nn.AdaptiveAvgPool2d(2), torch.randn(2, 3, 6, 4)),
    module_case("adaptive_avgpool2d_uneven", nn.AdaptiveAvgPool2d((3, 2)), torch.randn(1, 2, 5, 7)),
    module_case("flatten", nn.Flatten(), torch.randn(2, 3, 2, 2)),
    module_case("batchnorm1d_train", nn.BatchNorm1d(4), torch.randn(6, 4) * 2 + 1),
    module_case("batchnorm1d_3d_train", nn.BatchNorm1d(3), torch.randn(4, 3, 5)),
    module_case("batchnorm2d_train", nn.BatchNorm2d(3), torch.randn(4, 3, 3, 3) * 3 - 1),
    module_case("layernorm", nn.LayerNorm(6), torch.randn(3, 6) * 2),
    module_case("layernorm_2d", nn.LayerNorm([3, 4]), torch.randn(2, 3, 4)),
    module_case("embedding", nn.Embedding(7, 3), torch.tensor([[1, 3, 6], [0, 3, 2]]), integer_input=True),
    module_case("relu", nn.ReLU(), torch.randn(3, 4)),
    module_case("gelu", nn.GELU(), torch.randn(3, 4) * 2),
    module_case("gelu_tanh", nn.GELU(approximate="tanh"), torch.randn(3, 4) * 2),
    module_case("sigmoid", nn.Sigmoid(), torch.randn(3, 4) * 3),
    module_case("tanh", nn.Tanh(), torch.randn(3, 4)),
    module_case("leaky_relu", nn.LeakyReLU(0.2), torch.randn(3, 4)),
    module_case("softmax", nn.Softmax(dim=1), torch.randn(3, 5)),
]
# Eval-mode batch norm uses (non-trivial) running statistics.
bn = nn.BatchNorm2d(3)
with torch.no_grad():
    bn.running_mean.copy_(torch.randn(3))
    bn.running_var.copy_(torch.rand(3) + 0.5)
    bn.weight.copy_(torch.randn(3))
    bn.bias.copy_(torch.randn(3))
modules.append(module_case("batchnorm2d_eval", bn, torch.randn(2, 3, 2, 2), train=False))
json.dump(modules, open(os.path.join(OUT, "modules.json"), "w"))


def loss_case(name, fn, inp, target, **extra):
    out = {"name": name, "input": t(inp), "target": t(target)}
    out.update({k: t(v) for k, v in extra.items()})
    for red in ("none", "mean", "sum"):
        x = inp.clone().requires_grad_(True)
        y = fn(x, target, red)
        out[red] = t(y)
        y.sum().backward()
        out["grad_" + red] = t(x.grad)
    return out


logits = torch.randn(6, 4) * 2
idx = torch.tensor([0, 3, 1, 1, 2, 3])
idx_ign = torch.tensor([0, 3, -100, 1, 2, -100])
idx_ign7 = torch.tensor([0, 3, 7, 1, 7, 2])
w = torch.tensor([0.5, 2.0, 1.0, 3.0])
probs = torch.softmax(torch.randn(6, 4), 1)
logits4 = torch.randn(2, 4, 3, 2)
idx4 = torch.randint(0, 4, (2, 3, 2))
reg_x, reg_y = torch.randn(3, 5) * 2, torch.randn(3, 5)
p01 = torch.rand(4, 3) * 0.98 + 0.01
y01 = torch.randint(0, 2, (4, 3)).double()
hx = torch.randn(5, 3) * 2
hy = (torch.randint(0, 2, (5, 3)) * 2 - 1).double()
mm_x = torch.randn(5, 4)
mm_y = torch.tensor([0, 2, 3, 1, 2])
bw = torch.rand(4, 3) + 0.5
pw = torch.tensor([0.5, 2.0, 3.0])
losses = [
    loss_case("mse", lambda x, y, r: F.mse_loss(x, y, reduction=r), reg_x, reg_y),
    loss_case("l1", lambda x, y, r: F.l1_loss(x, y, reduction=r), reg_x, reg_y),
    loss_case("smooth_l1_beta0.5", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), reg_x, reg_y),
    loss_case("huber_delta0.7", lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7), reg_x, reg_y),
    loss_case("cross_entropy", lambda x, y, r: F.cross_entropy(x, y, reduction=r), logits, idx),
    loss_case("cross_entropy_weight", lambda x, y, r: F.cross_entropy(x, y, weight=w, reduction=r), logits, idx, weight=w),
    loss_case("cross_entropy_ignore", lambda x, y, r: F.cross_entropy(x, y, reduction=r), logits, idx_ign),
    loss_case("cross_entropy_ignore7_weight", lambda x, y, r: F.cross_entropy(x, y, weight=w, ignore_index=7, reduction=r), logits, idx_ign7, weight=w),
    loss_case("cross_entropy_smoothing", lambda x, y, r: F.cross_entropy(x, y, label_smoothing=0.1, reduction=r), logits, idx),
    loss_case("cross_entropy_smoothing_weight", lambda x, y, r: F.cross_entropy(x, y, weight=w, label_smoothing=0.2, reduction=r), logits, idx, weight=w),
    loss_case("cross_entropy_smoothing_ignore", lambda x, y, r: F.cross_entropy(x, y, label_smoothing=0.2, reduction=r), logits, idx_ign),
    loss_case("cross_entropy_probs", lambda x, y, r: F.cross_entropy(x, y, reduction=r), logits, probs),
    loss_case("cross_entropy_probs_weight_smoothing", lambda x, y, r: F.cross_entropy(x, y, weight=w, label_smoothing=0.3, reduction=r), logits, probs, weight=w),
    loss_case("cross_entropy_4d", lambda x, y, r: F.cross_entropy(x, y, reduction=r), logits4, idx4),
    loss_case("nll_weight_ignore", lambda x, y, r: F.nll_loss(torch.log_softmax(x, 1), y, weight=w, reduction=r), logits, idx_ign, weight=w),
    loss_case("binary_cross_entropy", lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r), p01, y01),
    loss_case("binary_cross_entropy_weight", lambda x, y, r: F.binary_cross_entropy(x, y, weight=bw, reduction=r), p01, y01, weight=bw),
    loss_case("bce_with_logits", lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r), hx[:4] * 3, y01),
    loss_case("bce_with_logits_pos_weight", lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, weight=bw, pos_weight=pw, reduction=r), hx[:4], y01, weight=bw, pos_weight=pw),
    loss_case("hinge_embedding", lambda x, y, r: F.hinge_embedding_loss(x, y, margin=1.5, reduction=r), hx, hy),
    loss_case("multi_margin", lambda x, y, r: F.multi_margin_loss(x, y, reduction=r), mm_x, mm_y),
    loss_case("multi_margin_p2_weight", lambda x, y, r: F.multi_margin_loss(x, y, p=2, margin=0.7, weight=w, reduction=r), mm_x, mm_y, weight=w),
]
json.dump(losses, open(os.path.join(OUT, "losses.json"), "w"))


def optim_case(name, make, steps=4):
    p0 = torch.randn(3, 4)
    grads = [torch.randn(3, 4) for _ in range(steps)]
    p = p0.clone().requires_grad_(True)
    opt = make([p])
    after = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        after.append(t(p))
    return {"name": name, "param": t(p0), "grads": [t(g) for g in grads], "after": after}


optims = [
    optim_case("sgd", lambda ps: torch.optim.SGD(ps, lr=0.1)),
    optim_case("sgd_momentum_dampening_wd", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    optim_case("sgd_nesterov", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True)),
    optim_case("adam", lambda ps: torch.optim.Adam(ps, lr=0.01)),
    optim_case("adam_wd_betas", lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    optim_case("adamw", lambda ps: torch.optim.AdamW(ps, lr=0.01)),
    optim_case("adamw_wd", lambda ps: torch.optim.AdamW(ps, lr=0.03, weight_decay=0.2)),
    optim_case("rmsprop", lambda ps: torch.optim.RMSprop(ps, lr=0.01)),
    optim_case("rmsprop_centered_momentum_wd", lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05)),
    optim_case("adagrad", lambda ps: torch.optim.Adagrad(ps, lr=0.1)),
    optim_case("adagrad_decay_wd_init", lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.2)),
]
json.dump(optims, open(os.path.join(OUT, "optimizers.json"), "w"))


def sched_case(name, make, steps=14, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    s = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for i in range(steps):
        opt.step()
        if metrics is None:
            s.step()
        else:
            s.step(metrics[i])
        lrs.append(opt.param_groups[0]["lr"])
    return {"name": name, "lrs": lrs, "metrics": metrics}


def warmup_cosine(warmup, total, start, eta_min_frac):
    # Ember's WarmupCosineLR with etaMin = eta_min_frac * base, as a LambdaLR factor.
    def f(t):
        if t < warmup:
            return start + (1 - start) * t / warmup
        if t >= total:
            return eta_min_frac
        return eta_min_frac + (1 - eta_min_frac) * (1 + math.cos(math.pi * (t - warmup) / (total - warmup))) / 2
    return f


plateau_metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.95, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89]
scheds = [
    sched_case("step", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    sched_case("multistep", lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.1)),
    sched_case("exponential", lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    sched_case("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01)),
    sched_case("warmup_cosine", lambda o: torch.optim.lr_scheduler.LambdaLR(o, warmup_cosine(3, 10, 0.1, 0.0))),
    sched_case("plateau", lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1), metrics=plateau_metrics),
]
json.dump(scheds, open(os.path.join(OUT, "schedulers.json"), "w"))

# Gradient clipping on three gradients.
gs = [torch.randn(3, 4) * 2, torch.randn(5), torch.randn(2, 2) * 4]
clip = {"grads": [t(g) for g in gs]}
for key, max_norm, norm_type in [("norm2", 1.0, 2.0), ("norm_inf", 0.5, float("inf")), ("norm2_noop", 1e3, 2.0)]:
    ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    clip[key] = {"max_norm": max_norm, "total": float(total), "clipped": [t(p.grad) for p in ps]}
ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
for p, g in zip(ps, gs):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(ps, 0.8)
clip["value0.8"] = [t(p.grad) for p in ps]
json.dump(clip, open(os.path.join(OUT, "clipping.json"), "w"))
# A safetensors file written by hand, which Ember must read (SafeTensorsTest).
write_safetensors(os.path.join(CORE_OUT, "python_written.safetensors"), {
    "weight": ("F32", [2, 3], [0.5, -1.25, 3.0, 1e-3, -7.5, 2.0]),
    "double": ("F64", [3], [math.pi, -math.e, 1e-300]),
    "ints": ("I32", [2, 2], [1, -2, 2147483647, -2147483648]),
    "longs": ("I64", [2], [-(2 ** 62), 5]),
    "mask": ("BOOL", [3], [True, False, True]),
    "scalar": ("F32", [], [4.5]),
})
print("wrote", OUT)
