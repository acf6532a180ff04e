#!/usr/bin/env bash
# Compiles kernels/cuda/*.cu to PTX for compute_75 and compute_90 into
# ember-cuda/src/main/resources/dev/ember/kernels/cuda/<name>.<arch>.ptx (committed, so machines
# without nvcc build the same jar). Files are rewritten only when their content changes.
# Usage: native/build-ptx.sh [output-dir]   (NVCC=/path/to/nvcc to choose the compiler)
# In CI (CI=true) the Maven profile does not rewrite the committed PTX: it runs native/check-ptx.sh,
# which fails when the committed PTX differs from what the sources compile to.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/ember-cuda/src/main/resources/dev/ember/kernels/cuda}"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/bin/nvcc)}"
[ -x "$nvcc" ] || { echo "build-ptx: nvcc not found (set NVCC or put it on PATH)" >&2; exit 2; }
mkdir -p "$out"
# Skip when sources, compiler and outputs are unchanged since the last run (the Maven profile runs this on every build).
stamp="$root/target/cuda-ptx.stamp"
fingerprint() { (cd "$root/kernels/cuda" && cat *.cu *.cuh; "$nvcc" --version; cat "$out"/*.ptx 2>/dev/null) | sha256sum | cut -d' ' -f1; }
if [ -z "${1:-}" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(fingerprint)" ]; then exit 0; fi
if [ -z "${1:-}" ] && [ "${CI:-}" = "true" ]; then
  bash "$root/native/check-ptx.sh"
  mkdir -p "$root/target"; fingerprint > "$stamp"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Relative paths and no line info keep the PTX independent of where the checkout lives.
cd "$root/kernels/cuda"
for cu in *.cu; do
  name="${cu%.cu}"
  for arch in compute_75 compute_90; do
    "$nvcc" -ptx -arch="$arch" -O3 -std=c++17 "$cu" -o "$tmp/$name.$arch.ptx"
    if ! cmp -s "$tmp/$name.$arch.ptx" "$out/$name.$arch.ptx" 2>/dev/null; then
      cp "$tmp/$name.$arch.ptx" "$out/$name.$arch.ptx"
      echo "build-ptx: updated $name.$arch.ptx"
    fi
  done
done
if [ -z "${1:-}" ]; then mkdir -p "$root/target"; fingerprint > "$stamp"; fi
