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


def emit(path, peer, threads, rows):
    """Writes [{key, threads, ms, peer}] as JSON to path (or prints it when path is None)."""
    out = [{"key": k, "threads": threads, "ms": ms, "peer": peer} for k, ms in rows]
    text = json.dumps(out, indent=1)
    if path:
        with open(path, "w") as f:
            f.write(text)
    else:
        print(text)
