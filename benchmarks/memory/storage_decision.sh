#!/usr/bin/env bash
# Heap float[] against native MemorySegment, same Vector API kernels (StorageBench), alternating one fork of
# each storage per op for --rounds rounds, at both vector widths (native, and 8 lanes with -XX:UseAVX=2);
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
run() { # width storage op sizes round
  local args=(); [ "$1" = avx2 ] && args=(--jvm-args "-XX:UseAVX=2")
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$root/target/benchmarks.jar" dev.ember.bench.BenchMain 'StorageBench' \
    --threads 1 --param storage="$2" --param op="$3" --param size="$4" "${args[@]}" --json "$out/$1-$2-$3-$5.json" >/dev/null 2>&1
}
for r in $(seq "$rounds"); do
  for w in $widths; do
    for op in add relu exp sum gemm; do
      sizes=1048576,16777216; [ "$op" = gemm ] && sizes=1048576
      for st in heap segment; do run "$w" "$st" "$op" "$sizes" "$r"; echo "round $r $w $op $st done" >&2; done
    done
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
