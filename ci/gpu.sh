#!/usr/bin/env bash
# GPU CI: runs Ember's CUDA tests and GPU benchmarks on a machine with an NVIDIA GPU, within
# 10 minutes, and prints a table. Works from a checkout (builds with JDK 25 + Maven when there is
# no bundle) or from a bundle made by ci/gpu-bundle.sh (no JDK, Maven or network needed).
#   ci/gpu.sh                      # inside a checkout or an unpacked bundle
#   EMBER_BUNDLE=/path/to/gpu-bundle ci/gpu.sh
# Exit status: non-zero when CUDA is unavailable or a CUDA test fails.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
start=$(date +%s)

# ---- find the bundle (runtime + jars) or build one ------------------------------------------------
bundle="${EMBER_BUNDLE:-}"
if [ -z "$bundle" ]; then
  if [ -x "$here/../runtime/bin/java" ]; then bundle="$(cd "$here/.." && pwd)"                 # inside a bundle
  elif [ -x "$here/../target/gpu-bundle/runtime/bin/java" ]; then bundle="$here/../target/gpu-bundle"
  fi
fi
if [ -z "$bundle" ]; then
  echo "gpu.sh: no bundle found; building one (needs JDK 25 and Maven)"
  bash "$here/gpu-bundle.sh" || { echo "gpu.sh: could not build the bundle; run ci/gpu-bundle.sh on a build machine" >&2; exit 1; }
  bundle="$here/../target/gpu-bundle"
fi
bundle="$(cd "$bundle" && pwd)"
java="$bundle/runtime/bin/java"
cp="$bundle/lib/ember-all.jar:$bundle/lib/test-classes"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx16g)
log="$(mktemp -d)"
echo "gpu.sh: bundle $bundle, logs in $log"

# cuBLAS and NVRTC may live in Python wheels rather than on the loader path: CUDA 12's wheels put each library in
# site-packages/nvidia/<name>/lib, CUDA 13's all of them in site-packages/nvidia/cu13/lib. The highest soname wins.
wheel_lib_dir() {  # $1: library file prefix, e.g. libcublas.so.
  command -v python3 >/dev/null || return 0
  python3 - "$1" <<'PY' 2>/dev/null || true
import glob, os, site, sys
roots = site.getsitepackages() + [site.getusersitepackages()]
def major(f):  # libcublas.so.13 -> 13; a name without a number ranks last
    v = os.path.basename(f)[len(sys.argv[1]):].split(".")[0]
    return int(v) if v.isdigit() else -1
hits = [f for r in roots for f in glob.glob(os.path.join(r, "nvidia", "*", "lib", sys.argv[1] + "*"))]
print(os.path.dirname(max(hits, key=major)) if hits else "")
PY
}
if [ -z "${EMBER_CUBLAS_PATH:-}" ]; then
  d=$(wheel_lib_dir libcublas.so.)
  [ -n "$d" ] && export EMBER_CUBLAS_PATH="$d" && echo "gpu.sh: EMBER_CUBLAS_PATH=$d"
fi
# NVRTC compiles Ember's kernels at run time. Without it the jar's packaged PTX (present when the bundle was built
# where nvcc exists) is used.
if [ -z "${EMBER_NVRTC_PATH:-}" ]; then
  d=$(wheel_lib_dir libnvrtc.so.)
  [ -n "$d" ] && export EMBER_NVRTC_PATH="$d" && echo "gpu.sh: EMBER_NVRTC_PATH=$d"
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

# ---- devices ----------------------------------------------------------------------------------------
"$java" "${flags[@]}" -jar "$bundle/lib/ember-all.jar" devices 2>&1 | tee "$log/devices.txt"
if ! grep -q "^cuda .*cuda:0" "$log/devices.txt"; then
  echo "gpu.sh: CUDA is not available here (see the line above); nothing to test" >&2
  exit 1
fi

# ---- CUDA tests (the backend contract suite, tensor programs, and the no-GPU unit tests of the package; the
# emulated device is for machines without a GPU) -----------------------------------------------------------
echo "gpu.sh: running the CUDA tests"
cd "$bundle"
timeout 300 "$java" "${flags[@]}" -jar "$bundle/lib/junit-console.jar" execute --class-path "$cp" \
    --select-package dev.ember.backend.cuda --exclude-classname '.*EmulatedCudaTest' --details=tree --disable-banner \
    --reports-dir "$log/junit" >"$log/tests.txt" 2>&1
tests_rc=$?
grep -E "tests (successful|failed|skipped|aborted)" "$log/tests.txt"
if [ $tests_rc -ne 0 ]; then
  grep -E "✘|MethodSource|=>" "$log/tests.txt" | head -60
fi
# The project-wide conformance suite (tag "conformance") runs every op on every backend present, CUDA included.
if [ $(( $(date +%s) - start )) -lt 300 ]; then
  echo "gpu.sh: running the conformance suite (all backends)"
  timeout 200 "$java" "${flags[@]}" -jar "$bundle/lib/junit-console.jar" execute --class-path "$cp" \
      --scan-class-path "$bundle/lib/test-classes" --include-tag conformance --details=tree --disable-banner \
      --reports-dir "$log/junit-conformance" >"$log/conformance.txt" 2>&1
  conf_rc=$?
  grep -E "tests (successful|failed)" "$log/conformance.txt"
  [ $conf_rc -ne 0 ] && grep -E "✘" "$log/conformance.txt" | head -30 && tests_rc=$conf_rc
fi

# ---- benchmarks (EMBER_GPU_SKIP_BENCH=1 skips them, e.g. for a dry run on an emulated device) ----------
touch "$log/bench.txt"
if [ "${EMBER_GPU_SKIP_BENCH:-0}" != "1" ]; then
  echo "gpu.sh: Ember benchmarks"
  timeout 180 "$java" "${flags[@]}" -cp "$cp" dev.ember.backend.cuda.CudaBench 2>&1 | tee "$log/bench.txt" | grep "^BENCH"
fi
torch_ok=0
if [ "${EMBER_GPU_SKIP_BENCH:-0}" != "1" ] && command -v python3 >/dev/null && python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  echo "gpu.sh: PyTorch benchmarks"
  timeout 120 python3 "$here/torch_bench.py" 2>&1 | tee "$log/torch.txt" | grep "^BENCH" && torch_ok=1
else
  echo "gpu.sh: no CUDA-enabled PyTorch here; the table has Ember's numbers only"
fi

# ---- table --------------------------------------------------------------------------------------------
val() { grep -h "^BENCH $1 " "$log"/bench.txt "$log"/torch.txt 2>/dev/null | awk '{print $3" "$4}' | head -1; }
gemm_ember=$(grep -h "^BENCH gemm4096_f32_" "$log/bench.txt" | grep -v kernel | awk '{print $2": "$3" "$4}' | head -1)
echo
echo "| benchmark | Ember | PyTorch |"
echo "|---|---|---|"
echo "| GEMM 4096² fp32 (${gemm_ember%%:*}) | ${gemm_ember#*: } | $(val gemm4096_f32_torch) |"
echo "| GEMM 4096² fp32, Ember's own kernel | $(val gemm4096_f32_kernel) | |"
echo "| add fp32, 2^26 elements | $(val add_f32_bandwidth) | $(val add_f32_bandwidth_torch) |"
echo "| device-to-device copy | $(val d2d_copy_bandwidth) | $(val d2d_copy_bandwidth_torch) |"
echo "| demo CNN train step, batch 128 | $(val cnn_train_step_b128) | $(val cnn_train_step_b128_torch) |"
echo "| demo CNN throughput | $(val cnn_train_throughput) | $(val cnn_train_throughput_torch) |"
echo
grep -h "^BENCH-INFO" "$log"/bench.txt "$log"/torch.txt 2>/dev/null
echo "CUDA tests: $(grep -E "tests successful" "$log/tests.txt" | awk '{print $2}') passed, $(grep -E "tests failed" "$log/tests.txt" | awk '{print $2}') failed, $(grep -E "tests skipped|tests aborted" "$log/tests.txt" | awk '{s+=$2} END {print s+0}') skipped/aborted; took $(( $(date +%s) - start )) s"
exit $tests_rc
