#!/usr/bin/env python3
"""Summarises benchmarks/compare_gpt.sh's runs as the README's Markdown table: medians with ranges."""
import json, os, re, statistics, sys

out, rounds = sys.argv[1], int(sys.argv[2])
width = sys.argv[3] if len(sys.argv) > 3 else "native"


def rss_mb(path):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
    return int(m.group(1)) / 1024 if m else float("nan")


rows = {"ember": [], "torch": []}
for side in rows:
    for r in range(1, rounds + 1):
        j = os.path.join(out, f"{side}-{r}.json")
        if not os.path.exists(j):
            continue
        d = json.load(open(j))
        rows[side].append({"val": d["val_loss"], "train": d["train_tokens_per_s"], "gen": d["gen_tokens_per_s"],
                           "rss": rss_mb(os.path.join(out, f"{side}-{r}.time"))})


def cell(side, key, fmt):
    v = [x[key] for x in rows[side]]
    if not v:
        return "n/a", float("nan")
    med = statistics.median(v)
    return (fmt.format(med) + (f" ({fmt.format(min(v))}–{fmt.format(max(v))})" if len(v) > 1 else "")), med


cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "")
isa = "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "no AVX2"
run_as = "" if width == "native" else ", run as AVX2 (Ember -XX:UseAVX=2, PyTorch ATEN_CPU_CAPABILITY=avx2)"
print(f"{len(rows['ember'])} rounds, alternated; {cpu} ({isa}{run_as}), {os.cpu_count()} cores; medians (range)\n")
print("| | Ember | PyTorch 1.13 | Ember / PyTorch |")
print("|---|---:|---:|---:|")
for key, name, fmt, better in [("val", "validation loss after 300 steps (nats/char)", "{:.4f}", "lower"),
                               ("train", "training tokens/s (steps 11-300)", "{:,.0f}", "higher"),
                               ("gen", "generation tokens/s (greedy, KV cache, batch 1)", "{:,.0f}", "higher"),
                               ("rss", "peak RSS (MB)", "{:,.0f}", "lower")]:
    e, em = cell("ember", key, fmt)
    t, tm = cell("torch", key, fmt)
    ratio = f"{em - tm:+.4f}" if key == "val" else f"{em / tm:.2f}x"
    print(f"| {name} | {e} | {t} | {ratio} |")
