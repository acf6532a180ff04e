#!/usr/bin/python3
"""Loading a 1 GB safetensors file: Ember's SafeTensors.read against PyTorch, same file, same sitting.

Writes FILE.safetensors (16 float32 tensors of 16M elements = 1 GiB of data, written by hand in the
safetensors layout: 8-byte header length, JSON header, raw little-endian data) and FILE.pt (the same
tensors, torch.save). Then, alternating for --rounds rounds, each in a fresh process under
/usr/bin/time -v (peak RSS):
  - Ember: dev.ember.bench.SafeTensorsLoad (SafeTensors.read: every tensor copied into CPU storage);
  - PyTorch, safetensors-style: mmap the file and copy each tensor out of it (what safetensors'
    load_file does; the safetensors package is not installed here);
  - PyTorch, torch.load of the .pt file.
    /usr/bin/python3 benchmarks/memory/safetensors_load.py [--dir /tmp] [--rounds 3]
"""
import argparse, json, mmap, os, re, statistics, struct, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
N_TENSORS, NUMEL = 16, 1 << 24

TORCH_MMAP = r'''
import json, mmap, struct, sys, time, torch
t0 = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    n = struct.unpack("<Q", mm[:8])[0]
    header = json.loads(mm[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__": continue
        b, end = e["data_offsets"]
        t = torch.frombuffer(mm, dtype=torch.float32, count=(end - b) // 4, offset=8 + n + b)
        out[name] = t.clone().reshape(e["shape"])   # a copy the tensor owns, as safetensors.load_file returns
    del t
    mm.close()
secs = time.perf_counter() - t0
print(f"torch-mmap: {len(out)} tensors, {sum(t.numel() for t in out.values())} elements in {secs:.3f} s (probe {sum(float(t.flatten()[0]) for t in out.values()):.6f})")
'''

TORCH_LOAD = r'''
import sys, time, torch
t0 = time.perf_counter()
out = torch.load(sys.argv[1])
secs = time.perf_counter() - t0
print(f"torch.load: {len(out)} tensors, {sum(t.numel() for t in out.values())} elements in {secs:.3f} s (probe {sum(float(t.flatten()[0]) for t in out.values()):.6f})")
'''


def write_files(base):
    import torch
    st, pt = base + ".safetensors", base + ".pt"
    if os.path.exists(st) and os.path.exists(pt):
        return st, pt
    g = torch.Generator().manual_seed(0)
    tensors = {f"layer{i}.weight": torch.randn(4096, 4096, generator=g) for i in range(N_TENSORS)}
    header, off = {}, 0
    for k, t in tensors.items():
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + t.numel() * 4]}
        off += t.numel() * 4
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(st, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for t in tensors.values():
            f.write(t.numpy().tobytes())
    torch.save(tensors, pt)
    return st, pt


def run(cmd):
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode != 0:
        sys.exit("failed: " + " ".join(cmd) + "\n" + out[-2000:])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out).group(1)) / 1024
    secs = float(re.search(r"elements in ([\d.]+) s", out).group(1))
    return secs, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    st, pt = write_files(os.path.join(a.dir, "ember-load-1g"))
    jar = os.path.join(ROOT, "target/benchmarks.jar")
    runs = {
        "Ember SafeTensors.read": [JAVA, "--add-modules", "jdk.incubator.vector", "-cp", jar, "dev.ember.bench.SafeTensorsLoad", st],
        "PyTorch, mmap + copy (safetensors-style)": ["/usr/bin/python3", "-c", TORCH_MMAP, st],
        "PyTorch, torch.load (.pt)": ["/usr/bin/python3", "-c", TORCH_LOAD, pt],
    }
    res = {k: ([], []) for k in runs}
    for r in range(a.rounds):
        for k, cmd in runs.items():
            secs, rss = run(cmd)
            res[k][0].append(secs)
            res[k][1].append(rss)
            print(f"round {r + 1}: {k}: {secs:.3f} s, {rss:.0f} MB", flush=True)
    print(f"\nfile: {os.path.getsize(st) / 2**30:.2f} GiB ({N_TENSORS} float32 tensors of [4096, 4096])")
    print("| load | time (s), median [range] | peak RSS (MB), median [range] |\n|---|---:|---:|")
    for k, (t, m) in res.items():
        print(f"| {k} | {statistics.median(t):.2f} [{min(t):.2f}-{max(t):.2f}] | {statistics.median(m):,.0f} [{min(m):,.0f}-{max(m):,.0f}] |")


if __name__ == "__main__":
    main()
