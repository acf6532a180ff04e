"""PyTorch side of benchmarks/compare.sh: softmax, conv2d forward/backward at the demo CNN's
shapes, and one training step (forward, cross-entropy, backward, Adam 1e-3) of the demo MLP
and CNN at batch 128. Its fastest setting here: torch.set_num_threads(T) and, for T > 1,
OMP_WAIT_POLICY=PASSIVE in the environment (compare.sh sets it). For the AVX2 case compare.sh sets
ATEN_CPU_CAPABILITY=avx2, DNNL_MAX_CPU_ISA=AVX2 and OPENBLAS_CORETYPE=Haswell.
Usage: torch_bench.py --threads T [--json FILE] [--filter REGEX]
"""
import argparse
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

import os

from timing import blas_kernel, emit, measure

BATCH = 128


def softmax_items():
    for size, label in ((1 << 20, "1M"), (1 << 24, "16M")):
        def make(size=size):
            x = torch.randn(size // 1024, 1024)
            return lambda: torch.softmax(x, 1)
        yield f"softmax {label}", make


def conv_items():
    for name, cin, cout, hw, input_grad in (("conv1", 1, 32, 28, False), ("conv2", 32, 64, 14, True)):
        def fwd(cin=cin, cout=cout, hw=hw):
            x = torch.randn(BATCH, cin, hw, hw)
            w = torch.randn(cout, cin, 3, 3) * 0.1
            b = torch.zeros(cout)
            def run():
                with torch.no_grad():
                    return F.conv2d(x, w, b, 1, 1)
            return run

        def fwd_bwd(cin=cin, cout=cout, hw=hw, input_grad=input_grad):
            x = torch.randn(BATCH, cin, hw, hw, requires_grad=input_grad)
            w = (torch.randn(cout, cin, 3, 3) * 0.1).requires_grad_(True)
            b = torch.zeros(cout, requires_grad=True)
            g = torch.randn(BATCH, cout, hw, hw)
            def run():
                x.grad = w.grad = b.grad = None
                F.conv2d(x, w, b, 1, 1).backward(g)
            return run
        yield f"conv {name} fwd", fwd
        yield f"conv {name} fwd+bwd", fwd_bwd


def train_items():
    def make(kind):
        def build():
            torch.manual_seed(5)
            if kind == "mlp":
                model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
                x = torch.randn(BATCH, 784)
            else:
                model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
                x = torch.randn(BATCH, 1, 28, 28)
            y = torch.arange(BATCH) % 10
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            def step():
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                return loss.item()
            return step
        return build
    yield "train mlp step", make("mlp")
    yield "train cnn step", make("cnn")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--json")
    ap.add_argument("--filter", default=".*")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for key, make in list(softmax_items()) + list(conv_items()) + list(train_items()):
        if re.search(args.filter, key):
            rows.append((key, measure(make())))
    aten = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    kernel = (f"ATen {aten.group(1) if aten else '?'}, oneDNN ISA {os.environ.get('DNNL_MAX_CPU_ISA', 'default')}, "
              f"OpenBLAS {blas_kernel()}")
    emit(args.json, "torch", args.threads, rows, kernel)


if __name__ == "__main__":
    main()
