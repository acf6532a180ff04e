#!/usr/bin/env bash
# CI check (where nvcc/ptxas exist): the committed PTX is what the committed sources
# compile to, and it assembles for sm_90. Exits non-zero on any difference.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
res="$root/ember-cuda/src/main/resources/dev/ember/kernels/cuda"
status=0
if command -v nvcc >/dev/null || [ -x /usr/local/bin/nvcc ]; then
  fresh="$(mktemp -d)"
  trap 'rm -rf "$fresh"' EXIT
  bash "$root/native/build-ptx.sh" "$fresh" >/dev/null
  for f in "$fresh"/*.ptx; do
    if ! diff -q "$f" "$res/$(basename "$f")" >/dev/null 2>&1; then
      echo "check-ptx: $(basename "$f") differs from its source: run native/build-ptx.sh and commit" >&2
      status=1
    fi
  done
  for f in "$res"/*.ptx; do
    [ -e "$fresh/$(basename "$f")" ] || { echo "check-ptx: $(basename "$f") has no source in kernels/cuda" >&2; status=1; }
  done
else
  echo "check-ptx: no nvcc, skipping the regenerate-and-diff step"
fi
ptxas="$(command -v ptxas || echo /usr/local/bin/ptxas)"
if [ -x "$ptxas" ]; then
  for f in "$res"/*.ptx; do
    if ! "$ptxas" -arch=sm_90 "$f" -o /dev/null; then
      echo "check-ptx: $(basename "$f") does not assemble for sm_90" >&2
      status=1
    fi
  done
else
  echo "check-ptx: no ptxas, skipping the sm_90 assembly step"
fi
[ $status -eq 0 ] && echo "check-ptx: OK ($(ls "$res"/*.ptx | wc -l) PTX files)"
exit $status
