"""Merges the JSON files of one benchmarks/compare.sh sitting into one table.

Files are named ember-ROUND-THREADS-WIDTH.json and peer-NAME-ROUND-THREADS-WIDTH.json (WIDTH: native or avx2;
older sittings without a width read as native). Ember rows come from BenchMain --json (benchmark, params, medianMs
of the JMH iterations, throughput, unit); peer rows from peers/*.py (key, threads, ms, peer, kernel). Each figure is
the median over rounds, with the range; the ratio is Ember's throughput over the peer's (peer ms / Ember ms), so
above 1 means Ember is faster. Rows are compared only within one width.
Usage: compare_report.py DIR [--json FILE] [--machine TEXT]
"""
import argparse
import glob
import json
import os
import statistics


def size_label(n):
    n = int(n)
    return f"{n >> 20}M" if n % (1 << 20) == 0 else str(n)


def ember_key(row):
    b, p = row["benchmark"], row["params"]
    cls, method = b.split(".")
    if cls == "GemmBench":
        return "gemm " + p["shape"]
    if cls in ("ElementwiseBench", "ReductionBench"):
        return f"{p['op']} {size_label(p['size'])}"
    if cls == "ConvBench":
        return f"conv {p['layer']} " + ("fwd" if method == "forward" else "fwd+bwd")
    if cls == "TrainStepBench":
        return f"train {p['model']} step"
    raise ValueError("compare_report: unknown benchmark " + b)


def width_of(path):
    stem = os.path.basename(path)[:-len(".json")]
    last = stem.rsplit("-", 1)[-1]
    return last if last in ("native", "avx2") else "native"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--json")
    ap.add_argument("--machine", default="")
    args = ap.parse_args()

    ember, peer, work, unit, peer_name, kernels, order = {}, {}, {}, {}, {}, {}, []
    for f in sorted(glob.glob(os.path.join(args.dir, "ember-*.json"))):
        w = width_of(f)
        for row in json.load(open(f)):
            k, t = ember_key(row), int(row["params"]["threads"])
            if k not in order:
                order.append(k)
            ember.setdefault((k, t, w), []).append(row["medianMs"])
            work[k] = row["throughput"] * 1e9 * row["msPerOp"] * 1e-3  # FLOP or bytes per call
            unit[k] = row["unit"]
    for f in sorted(glob.glob(os.path.join(args.dir, "peer-*.json"))):
        w = width_of(f)
        for row in json.load(open(f)):
            key = (row["key"], int(row["threads"]), w)
            peer.setdefault(key, []).append(row["ms"])
            peer_name[row["key"]] = row["peer"]
            if row.get("kernel"):
                kernels.setdefault((row["peer"], w), set()).add(row["kernel"])

    def fig(k, ms):
        return work[k] / (ms * 1e-3) / 1e9

    lines = [f"| benchmark | width | threads | Ember | peer | Ember/peer |", "|---|---|---:|---:|---:|---:|"]
    records = []
    widths = [w for w in ("native", "avx2") if any(kw == w for (_, _, kw) in ember)]
    for k, w in [(k, w) for k in order for w in widths]:
        for t in sorted({t for (kk, t, kw) in ember if kk == k and kw == w}):
            e = ember[(k, t, w)]
            em = statistics.median(e)
            e_txt = f"{fig(k, em):.1f} {unit[k]} ({em:.3g} ms; {min(e):.3g}-{max(e):.3g})"
            rec = {"benchmark": k, "width": w, "threads": t, "unit": unit[k], "ember_ms": e, "ember_median_ms": em,
                   "ember_throughput": fig(k, em)}
            p = peer.get((k, t, w))
            if p:
                pm = statistics.median(p)
                p_txt = f"{peer_name[k]}: {fig(k, pm):.1f} ({pm:.3g} ms; {min(p):.3g}-{max(p):.3g})"
                ratio = pm / em
                rec.update({"peer": peer_name[k], "peer_ms": p, "peer_median_ms": pm, "peer_throughput": fig(k, pm), "ratio": ratio})
                lines.append(f"| {k} | {w} | {t} | {e_txt} | {p_txt} | **{ratio:.2f}** |")
            else:
                lines.append(f"| {k} | {w} | {t} | {e_txt} | - | - |")
            records.append(rec)
    print("\n".join(lines))
    if kernels:
        print()
        for (name, w), ks in sorted(kernels.items()):
            print(f"{name}, {w}: {'; '.join(sorted(ks))}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": args.machine, "peer_kernels": {f"{n} {w}": sorted(ks) for (n, w), ks in kernels.items()},
                       "rows": records}, f, indent=1)
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
