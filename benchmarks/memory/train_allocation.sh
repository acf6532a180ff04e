#!/usr/bin/env bash
# Heap allocation per training step and steady samples/s of the demo CNN (batch 128, 2 threads), warm JVM,
# for this tree's jar and optionally an older one, alternating rounds (see TrainAllocation.java).
#   benchmarks/memory/train_allocation.sh [--base-jar OLD.jar] [--rounds N] [--warmup 200] [--steps 100]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$(dirname "$(dirname "$here")")"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar="$root/ember-cli/target/ember-cli-0.1.0-SNAPSHOT-all.jar"; base=""; rounds=2; warmup=200; steps=100
data=/usr/share/datasets/fashion-mnist
while [ $# -gt 0 ]; do
  case "$1" in
    --base-jar) base="$2"; shift 2 ;; --rounds) rounds="$2"; shift 2 ;; --warmup) warmup="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;; --data) data="$2"; shift 2 ;; *) echo "unknown $1" >&2; exit 2 ;;
  esac
done
out=$(mktemp -d)
"$JAVA_HOME/bin/javac" -cp "$jar" -d "$out" "$here/TrainAllocation.java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
OLD=(-XX:+UseG1GC -Xmx640m -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=95)
for r in $(seq "$rounds"); do
  echo -n "round $r, this tree, default flags: "
  EMBER_NUM_THREADS=2 "$JAVA_HOME/bin/java" "${FLAGS[@]}" -cp "$jar:$out" TrainAllocation "$data" "$warmup" "$steps" 2>&1 | grep steps
  if [ -n "$base" ]; then
    echo -n "round $r, base jar, old launcher flags: "
    EMBER_NUM_THREADS=2 "$JAVA_HOME/bin/java" "${FLAGS[@]}" "${OLD[@]}" -cp "$base:$out" TrainAllocation "$data" "$warmup" "$steps" 2>&1 | grep steps
  fi
done
