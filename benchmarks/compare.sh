#!/usr/bin/env bash
# Ember against its peers in one sitting: for each round, thread count (1 and 2), vector width and group, runs
# the group's Ember JMH benchmarks and then the same rows of NumPy/OpenBLAS (GEMM, elementwise, sum/max) and
# PyTorch (softmax, conv2d, training steps), each peer in its fastest configuration, and prints one
# table of medians, ranges and Ember/peer ratios.
# Widths: "native" is what the CPU has (AVX-512 where present: Ember's 16-lane kernels, OpenBLAS's own
# kernel choice, oneDNN's widest ISA); "avx2" runs the 8-lane case on the same machine: Ember with
# -XX:UseAVX=2, OpenBLAS with OPENBLAS_CORETYPE=Haswell, PyTorch with ATEN_CPU_CAPABILITY=avx2 and
# DNNL_MAX_CPU_ISA=AVX2. Each peer row records the kernel that ran (threadpoolctl). On a CPU without
# AVX-512 the two are the same and only "native" runs.
# --pin runs the one-thread rows pinned (taskset) to one CPU, Ember and its peers of a round on the same one, the CPU
# changing from round to round: on the 2-vCPU VM of docs/bench.md one vCPU ran the same kernel 15-20% slower than the
# other, and which one changed by the hour, so unpinned one-thread ratios partly measure which vCPU each side landed
# on. It is not the default: the pinned JVM shares its CPU with its own compiler, GC and JMH threads, which cost Ember
# 2-4% on the 1024^3 product there and made the short MLP training step erratic (JMH errors of 1.6-3.9 ms around a
# 1.6-2.7 ms median, against 0.05-0.4 ms unpinned), and the peers nothing comparable.
#   benchmarks/compare.sh [--rounds N] [--threads "1 2"] [--widths "native avx2"]
#                         [--only gemm,elementwise,reduce,conv,train] [--json FILE] [--pin]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

rounds=2; threads="1 2"; widths="native avx2"; only="gemm,elementwise,reduce,conv,train"; json=""; pin=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --widths) widths="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    --pin) pin=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

PY=/usr/bin/python3
for mod in numpy scipy torch; do
  "$PY" -c "import $mod" 2>/dev/null || { echo "compare.sh: $PY cannot import $mod (apt-get install python3-numpy python3-scipy python3-torch)" >&2; exit 1; }
done

# A JDK 25 for the benchmark jar.
java_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; }
JDK=""
for c in "${JAVA_HOME:-}" /usr/lib/jvm/*; do [ -n "$c" ] && java_ok "$c" && { JDK="$c"; break; }; done
[ -n "$JDK" ] || { echo "compare.sh: no JDK 25 found (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME="$JDK"
JAR=target/benchmarks.jar
# Rebuilt when any module's sources or POM changed since (the jar holds every module Ember's benchmarks use).
if [ ! -f "$JAR" ] || [ -n "$(find ember-*/src benchmarks/src kernels pom.xml ember-*/pom.xml benchmarks/pom.xml -newer "$JAR" -type f 2>/dev/null | head -1)" ]; then
  echo "compare.sh: building $JAR (mvn -Pbench package)..." >&2
  mvn -B -q -Pbench package -DskipTests >&2
fi

# Which Ember benchmarks and which peer keys each group covers (a peer filter left empty: that peer has no row).
IFS=, read -ra groups <<< "$only"
group_spec() { # prints: Ember regex;NumPy filter;PyTorch filter (';' since a tab run would merge an empty field)
  case "$1" in
    gemm) printf '%s;%s;%s\n' "[.]GemmBench[.]" "^gemm" "" ;;
    elementwise) printf '%s;%s;%s\n' "ElementwiseBench" "^(add|add_|mul|relu|exp|gelu|chain) " "" ;;
    reduce) printf '%s;%s;%s\n' "ReductionBench" "^(sum|max) " "^softmax" ;;
    conv) printf '%s;%s;%s\n' "ConvBench" "" "^conv" ;;
    train) printf '%s;%s;%s\n' "TrainStepBench" "" "^train" ;;
    *) return 1 ;;
  esac
}
for g in "${groups[@]}"; do
  group_spec "$g" > /dev/null || { echo "compare.sh: unknown group $g" >&2; exit 2; }
done

if ! grep -qw avx512f /proc/cpuinfo; then
  # Without AVX-512 the native width is AVX2: one run covers both.
  widths="native"
fi
for w in $widths; do
  case "$w" in native|avx2) ;; *) echo "compare.sh: unknown width $w (native, avx2)" >&2; exit 2 ;; esac
done

if [ "$pin" = 1 ]; then
  # The CPUs this script may run on (taskset's list, such as 0-3,6), one per element.
  cpus=($( (taskset -pc $$ 2>/dev/null || true) | sed 's/.*: //' | tr ',' '\n' | while IFS=- read -r lo hi; do [ -n "$lo" ] && seq "$lo" "${hi:-$lo}"; done))
  if [ "${#cpus[@]}" -lt 2 ]; then
    echo "compare.sh: taskset or a second CPU missing: one-thread rows run unpinned" >&2; pin=0
  fi
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# The model name alone ("AMD EPYC") does not tell Zen 3 from Zen 5: add the family, model and widest vector ISA.
isa=AVX2; grep -qw avx512f /proc/cpuinfo && isa=AVX-512
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1) model $(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1), $isa), $(nproc) cores"
echo "compare.sh: $rounds round(s), threads: $threads; machine: $cpu; one-thread rows pinned: $([ "$pin" = 1 ] && echo yes || echo no); load now: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# Environment of each width, for the peers. Inherited OPENBLAS_* settings are dropped first, so that
# "native" gets OpenBLAS's own core detection.
peer_env() {
  local w="$1"
  echo "-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u ATEN_CPU_CAPABILITY -u DNNL_MAX_CPU_ISA"
  [ "$w" = avx2 ] && echo "OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2"
  return 0
}
# PyTorch's CPU allocator is glibc malloc. With its defaults, freed blocks of several MB go back to the OS and the
# next op's output is fresh memory that faults in page by page: on the 2-vCPU VM of docs/bench.md that made conv1's
# forward 60-120 ms instead of 0.7-1.6 ms, and the CNN step 140-320 ms instead of 42-63. Keeping freed memory in the
# process (what jemalloc or tcmalloc, which PyTorch's performance guide recommends, also do) is its fast setting.
TORCH_MALLOC="MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296"
# Each group runs Ember's rows and then its peers' rows, so that the two sides of a row are measured minutes apart at
# most: this VM has spells of 10-20% lasting minutes, which a whole suite of Ember rows before the peers' put between them.
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    # The pinned JVM keeps the ergonomics of an unpinned one (G1, compiler threads): one visible CPU would give it
    # the serial collector.
    on=(); jpin=""
    if [ "$pin" = 1 ] && [ "$t" = 1 ]; then
      pcpu="${cpus[$(( (r - 1) % ${#cpus[@]} ))]}"; on=(taskset -c "$pcpu"); jpin="-XX:ActiveProcessorCount=${#cpus[@]}"
      echo "== round $r, 1 thread: pinned to CPU $pcpu" >&2
    fi
    for w in $widths; do
      jvm="$jpin"; [ "$w" = avx2 ] && jvm="$jvm -XX:UseAVX=2"; jvm="${jvm# }"
      for g in "${groups[@]}"; do
        IFS=';' read -r er nf tf < <(group_spec "$g")
        tag="$g-$r-$t-$w"
        echo "== round $r, $t thread(s), $w, $g: Ember" >&2
        EMBER_NUM_THREADS="$t" "${on[@]}" "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$JAR" dev.ember.bench.BenchMain \
          "$er" --threads "$t" --quick ${jvm:+--jvm-args "$jvm"} --json "$out/ember-$tag.json" > "$out/ember-$tag.log" 2>&1 \
          || { tail -30 "$out/ember-$tag.log" >&2; exit 1; }
        # shellcheck disable=SC2046
        if [ -n "$nf" ]; then
          echo "== round $r, $t thread(s), $w, $g: NumPy" >&2
          "${on[@]}" env $(peer_env "$w") OPENBLAS_NUM_THREADS="$t" OMP_NUM_THREADS="$t" \
            "$PY" "$here/peers/numpy_bench.py" --threads "$t" --filter "$nf" --json "$out/peer-numpy-$tag.json"
        fi
        # shellcheck disable=SC2046
        if [ -n "$tf" ]; then
          echo "== round $r, $t thread(s), $w, $g: PyTorch" >&2
          "${on[@]}" env $(peer_env "$w") OMP_WAIT_POLICY=PASSIVE $TORCH_MALLOC \
            "$PY" "$here/peers/torch_bench.py" --threads "$t" --filter "$tf" --json "$out/peer-torch-$tag.json"
        fi
      done
    done
  done
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $cpu; load after: $(cut -d' ' -f1-3 /proc/loadavg); $rounds round(s), medians (ranges)"
"$PY" "$here/compare_report.py" "$out" --machine "$cpu" ${json:+--json "$json"}
