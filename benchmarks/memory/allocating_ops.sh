#!/usr/bin/env bash
# Allocating add and relu on 1M floats: Ember (AllocatingBench: result released, as a scope does, or dropped to the
# GC) against NumPy's np.add / np.maximum (result freed by reference counting), 1 thread, alternating rounds.
#   benchmarks/memory/allocating_ops.sh [--rounds 3]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(dirname "$(dirname "$here")")"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"; rounds=3
[ "${1:-}" = --rounds ] && rounds="$2"
out=$(mktemp -d)
for r in $(seq "$rounds"); do
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$root/target/benchmarks.jar" dev.ember.bench.BenchMain AllocatingBench \
    --threads 1 --json "$out/ember-$r.json" >/dev/null 2>&1
  (cd "$root/benchmarks/peers" && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 numpy_bench.py --threads 1 --filter '^(add|relu) 1M$' --json "$out/numpy-$r.json")
  echo "round $r done" >&2
done
python3 - "$out" <<'PY'
import glob, json, os, statistics, sys, collections
d = sys.argv[1]; ember = collections.defaultdict(list); numpy = collections.defaultdict(list)
for f in glob.glob(os.path.join(d, "ember-*.json")):
    for r in json.load(open(f)): ember[(r["params"]["op"], r["params"]["lifetime"])].append(r["msPerOp"])
for f in glob.glob(os.path.join(d, "numpy-*.json")):
    for r in json.load(open(f)): numpy[r["key"].split()[0]].append(r["ms"])
print("| op, 1M floats, 1 thread | Ember ms (median [range]) | NumPy ms (median [range]) | Ember speed / NumPy |")
print("|---|---:|---:|---:|")
for (op, life), v in sorted(ember.items()):
    n = numpy[op]; me, mn = statistics.median(v), statistics.median(n)
    print(f"| {op}, result {life} | {me:.4f} [{min(v):.4f}-{max(v):.4f}] | {mn:.4f} [{min(n):.4f}-{max(n):.4f}] | {mn / me:.2f} |")
PY
