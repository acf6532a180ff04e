#!/usr/bin/env bash
# Heap float[] against native MemorySegment, same Vector API kernels (StorageBench), one fork of each storage
# per op and size in each of --rounds rounds, at both vector widths (native, and 8 lanes with -XX:UseAVX=2);
# prints medians and ranges of the per-fork means. Needs target/benchmarks.jar (mvn -Pbench package).
#   benchmarks/memory/storage_decision.sh [--rounds 2] [--widths "native avx2"]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(dirname "$(dirname "$here")")"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
rounds=2; widths="native avx2"
while [ $# -gt 0 ]; do
  case "$1" in --rounds) rounds="$2"; shift 2 ;; --widths) widths="$2"; shift 2 ;; *) echo "unknown $1" >&2; exit 2 ;; esac
done
out=$(mktemp -d)
# One JMH run per round and width covers every op, size and storage; JMH varies the storage fastest, so the
# heap and segment forks of each op and size run back to back.
for r in $(seq "$rounds"); do
  for w in $widths; do
    args=(); [ "$w" = avx2 ] && args=(--jvm-args "-XX:UseAVX=2")
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$root/target/benchmarks.jar" dev.ember.bench.BenchMain 'StorageBench' \
      --threads 1 "${args[@]}" --json "$out/$w-$r.json" >/dev/null 2>&1
    echo "round $r $w done" >&2
  done
done
python3 - "$out" <<'PY'
import glob, json, os, statistics, sys, collections
rows = collections.defaultdict(list)
for f in glob.glob(os.path.join(sys.argv[1], "*.json")):
    width = os.path.basename(f).split("-")[0]
    for r in json.load(open(f)):
        p = r["params"]
        rows[(width, p["op"], p["size"] if p["op"] != "gemm" else "512^3", p["storage"])].append(r["msPerOp"])
print("| width | op | size | heap ms (median [range]) | segment ms (median [range]) | segment / heap |")
print("|---|---|---|---:|---:|---:|")
for key in sorted({k[:3] for k in rows}):
    h, s = rows.get(key + ("heap",), []), rows.get(key + ("segment",), [])
    if not h or not s: continue
    mh, ms = statistics.median(h), statistics.median(s)
    print(f"| {key[0]} | {key[1]} | {key[2]} | {mh:.4f} [{min(h):.4f}-{max(h):.4f}] | {ms:.4f} [{min(s):.4f}-{max(s):.4f}] | {ms / mh:.3f} |")
PY
