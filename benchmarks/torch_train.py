#!/usr/bin/env python3
"""PyTorch side of Ember's Fashion-MNIST training comparison.

Trains the same models as `./ember train` (MLP 784-256-128-10 or the demo CNN) with Adam,
the same batch size and the same input normalisation, and prints training samples/s
(forward + backward + optimizer step, measured over whole epochs) and test accuracy.

Run it in PyTorch's fastest setting on a small shared CPU (without OMP_WAIT_POLICY=PASSIVE,
Debian's PyTorch 1.13 spins its OpenMP workers and trains 2-5x slower here):
    OMP_WAIT_POLICY=PASSIVE python3 benchmarks/torch_train.py --model cnn --epochs 1
"""
import argparse, gzip, os, struct, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(data_dir):
    def part(name):
        for cand in (name + ".gz", name):
            p = os.path.join(data_dir, cand)
            if os.path.exists(p):
                return read_idx(p)
        raise FileNotFoundError(os.path.join(data_dir, name))
    xs = [torch.from_numpy(part(n).astype(np.float32) / 255.0).unsqueeze(1).sub(MEAN).div(STD)
          for n in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte")]
    ys = [torch.from_numpy(part(n).astype(np.int64)) for n in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte")]
    return xs[0], ys[0], xs[1], ys[1]


def model_of(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["mlp", "cnn"], default="cnn")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0, help="stop each epoch after this many steps (0: whole epoch)")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    xtr, ytr, xte, yte = load(a.data)
    model = model_of(a.model)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    n = xtr.shape[0]
    total_time, total_samples = 0.0, 0
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        seen, loss_sum, steps = 0, 0.0, 0
        for i in range(0, n, a.batch_size):
            idx = perm[i:i + a.batch_size]
            x, y = xtr[idx], ytr[idx]
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            seen += len(idx)
            steps += 1
            if a.max_steps and steps >= a.max_steps:
                break
        dt = time.perf_counter() - t0
        total_time += dt
        total_samples += seen
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, xte.shape[0], 1000))
        print(f"torch {a.model} epoch {epoch + 1}: train_loss {loss_sum / seen:.4f} test_acc {correct / xte.shape[0]:.4f} "
              f"{seen / dt:.0f} samples/s ({seen} samples, {dt:.1f}s)", flush=True)
    print(f"torch {a.model} threads={a.threads} batch={a.batch_size}: {total_samples / total_time:.0f} training samples/s")


if __name__ == "__main__":
    main()
