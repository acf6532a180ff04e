"""PyTorch peer numbers for ci/gpu.sh, measured the way CudaBench measures Ember's:
GEMM 4096^2 float32 (TF32 off, as Ember's cuBLAS call), elementwise add and device-to-device
copy bandwidth (CUDA events, median of 5), and a training step of the demo CNN (batch 128, Adam).
Prints `BENCH <name> <value> <unit>` lines."""
import statistics
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")


def timed(fn, reps):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        fn()
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop) / reps  # ms


def gemm():
    n = 4096
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    c = torch.empty(n, n, device=dev)
    for _ in range(3):
        torch.matmul(a, b, out=c)
    ms = statistics.median(timed(lambda: torch.matmul(a, b, out=c), 10) for _ in range(5))
    print(f"BENCH gemm4096_f32_torch {2 * n ** 3 / (ms * 1e-3) / 1e12:.1f} TFLOP/s")


def bandwidth():
    n = 1 << 26
    x, y, out = (torch.randn(n, device=dev) for _ in range(3))
    add = statistics.median(timed(lambda: torch.add(x, y, out=out), 10) for _ in range(5))
    copy = statistics.median(timed(lambda: out.copy_(x), 10) for _ in range(5))
    print(f"BENCH add_f32_bandwidth_torch {3 * 4 * n / (add * 1e-3) / 1e9:.0f} GB/s")
    print(f"BENCH d2d_copy_bandwidth_torch {2 * 4 * n / (copy * 1e-3) / 1e9:.0f} GB/s")


def cnn():
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.randn(128, 1, 28, 28, device=dev), torch.randint(0, 10, (128,), device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    torch.cuda.synchronize()
    steps = 30
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    print(f"BENCH cnn_train_step_b128_torch {secs / steps * 1e3:.2f} ms")
    print(f"BENCH cnn_train_throughput_torch {128 * steps / secs:.0f} samples/s")


if __name__ == "__main__":
    print(f"BENCH-INFO torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    gemm()
    bandwidth()
    cnn()
