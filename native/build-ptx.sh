#!/usr/bin/env bash
# Builds the packaged PTX, the CUDA backend's fallback where NVRTC is absent: renders Ember's CUDA kernels
# (the very sources NVRTC compiles at run time, from the op table and kernels/*.c) with
# dev.ember.backend.gpu.KernelSource, compiles each to PTX for compute_75 and compute_90 with nvcc, records
# each source's SHA-256 in manifest.properties (a PTX is used only for the source it came from), and checks
# that every PTX assembles for sm_90 where ptxas exists. Nothing it writes is committed.
# Usage: native/build-ptx.sh OUTPUT_DIR CLASSES_DIR -classpath CLASSPATH   (the Maven profile "nvcc" runs it;
#        NVCC=/path/to/nvcc chooses the compiler)
set -euo pipefail
out="$1"; classes="$2"; shift 2
[ "${1:-}" = "-classpath" ] || { echo "build-ptx: usage: build-ptx.sh OUTPUT_DIR CLASSES_DIR -classpath CLASSPATH" >&2; exit 2; }
cp="$2"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/bin/nvcc)}"
[ -x "$nvcc" ] || { echo "build-ptx: nvcc not found (set NVCC or put it on PATH)" >&2; exit 2; }
src="$(mktemp -d)"
trap 'rm -rf "$src"' EXIT
"$java" -cp "$cp" dev.ember.backend.gpu.KernelSource cuda "$src"
dest="$out/dev/ember/kernels/cuda"
rm -rf "$dest"
mkdir -p "$dest"
ptxas="$(command -v ptxas || echo /usr/local/bin/ptxas)"
for cu in "$src"/*.cu; do
  name="$(basename "$cu" .cu)"
  sha="$(sha256sum "$cu" | cut -d' ' -f1)"
  for arch in compute_75 compute_90; do
    "$nvcc" -ptx -arch="$arch" -fmad=false -o "$dest/$name.$arch.ptx" "$cu"
    echo "$name.$arch=$sha" >> "$dest/manifest.properties"
  done
  if [ -x "$ptxas" ]; then "$ptxas" -arch=sm_90 "$dest/$name.compute_90.ptx" -o /dev/null; fi
done
mkdir -p "$classes/dev/ember/kernels/cuda"
cp "$dest"/* "$classes/dev/ember/kernels/cuda/"
echo "build-ptx: $(ls "$dest"/*.ptx | wc -l) PTX files from $(ls "$src"/*.cu | wc -l) rendered sources"
