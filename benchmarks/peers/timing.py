"""Shared timing for the peer benchmarks: warm up, then time repeated calls in short batches."""
import json
import statistics
import time


def measure(fn, warmup_s=0.5, batches=5, batch_s=0.3):
    """Median milliseconds per call of fn() over `batches` batches of about `batch_s` seconds."""
    t_end = time.perf_counter() + warmup_s
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        if time.perf_counter() >= t_end:
            break
    per_call = (time.perf_counter() - t0) / calls
    reps = max(1, int(batch_s / max(per_call, 1e-9)))
    samples = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        samples.append((time.perf_counter() - t0) / reps * 1e3)
    return statistics.median(samples)


def blas_kernel():
    """The OpenBLAS kernel this process runs (threadpoolctl's "architecture", e.g. Haswell, SkylakeX, Cooperlake)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (no threadpoolctl)"
    archs = sorted({i.get("architecture", "?") for i in threadpool_info() if i.get("internal_api") == "openblas"})
    return "/".join(archs) if archs else "no OpenBLAS loaded"


def emit(path, peer, threads, rows, kernel=""):
    """Writes [{key, threads, ms, peer, kernel}] as JSON to path (or prints it when path is None)."""
    out = [{"key": k, "threads": threads, "ms": ms, "peer": peer, "kernel": kernel} for k, ms in rows]
    text = json.dumps(out, indent=1)
    if path:
        with open(path, "w") as f:
            f.write(text)
    else:
        print(text)
