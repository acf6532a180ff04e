#!/usr/bin/env bash
# All-reduce bandwidth, 2 ranks: Ember's MPI process group (FFM) beside C's MPI_Allreduce, on one
# host (shared memory) and across two simulated hosts (network namespaces, TCP over veth; root).
#   benchmarks/dist/allreduce.sh [max-floats]      (default 4194304 = 16 MiB)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
max="${1:-4194304}"
mpicc -O2 -o target/allreduce-c benchmarks/dist/allreduce.c
[ -f target/benchmarks.jar ] || mvn -B -q -Pbench package -DskipTests
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      --sun-misc-unsafe-memory-access=allow -Xmx1g -cp "$PWD/target/benchmarks.jar" dev.ember.bench.AllReduceBench "$max")
LOCAL=(mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader --mca oob_tcp_if_include lo)
[ "$(id -u)" = 0 ] && LOCAL=(mpirun --allow-run-as-root "${LOCAL[@]:1}")
grep -m1 'model name' /proc/cpuinfo; uptime
echo "== one host, shared memory"
"${LOCAL[@]}" "$PWD/target/allreduce-c" "$max"
"${LOCAL[@]}" "${JAVA[@]}" 2>&1 | grep -v '^WARNING'
if [ "$(id -u)" = 0 ]; then
  echo "== two simulated hosts (network namespaces, TCP over a veth pair)"
  benchmarks/dist/two-hosts.sh -- "$PWD/target/allreduce-c" "$max"
  benchmarks/dist/two-hosts.sh -- "${JAVA[@]}" 2>&1 | grep -v '^WARNING'
fi
