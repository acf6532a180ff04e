#!/usr/bin/env bash
# The character-GPT side-by-side of the README ("Text generation"): Ember's `./ember train --model gpt --compare`
# against benchmarks/torch_gpt.py (the same model, data and recipe in PyTorch), alternated for R rounds, each run
# under /usr/bin/time -v for its peak RSS. PyTorch runs in its fastest setting here: 2 threads, OMP_WAIT_POLICY=PASSIVE.
#   benchmarks/compare_gpt.sh [rounds=3] [out=runs/compare-gpt] [width=native|avx2]
# width avx2 runs the 8-lane case on an AVX-512 machine: Ember with -XX:UseAVX=2, PyTorch with ATEN_CPU_CAPABILITY=avx2
# and DNNL_MAX_CPU_ISA=AVX2 (as benchmarks/compare.sh does).
# Prints a Markdown table (medians and ranges) and writes it, with every run's JSON and log, to the output folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
rounds=${1:-3}
out=${2:-runs/compare-gpt}
width=${3:-native}
case "$width" in
  native) ember_opts=""; torch_env=() ;;
  avx2) ember_opts="-XX:UseAVX=2"; torch_env=(ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2) ;;
  *) echo "compare_gpt.sh: width must be native or avx2, got '$width'" >&2; exit 2 ;;
esac
mkdir -p "$out"
./ember devices > /dev/null   # builds the jar first, so no round pays for it
for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds: ember" >&2
  EMBER_JAVA_OPTS="$ember_opts" /usr/bin/time -v ./ember train --model gpt --compare --out "$out/ember-model" --json "$out/ember-$r.json" \
      > "$out/ember-$r.log" 2> "$out/ember-$r.time"
  echo "round $r/$rounds: pytorch" >&2
  env ${torch_env[@]+"${torch_env[@]}"} OMP_WAIT_POLICY=PASSIVE /usr/bin/time -v /usr/bin/python3 benchmarks/torch_gpt.py --threads 2 --json "$out/torch-$r.json" \
      > "$out/torch-$r.log" 2> "$out/torch-$r.time"
done
/usr/bin/python3 benchmarks/compare_gpt_report.py "$out" "$rounds" "$width" | tee "$out/table.md"
