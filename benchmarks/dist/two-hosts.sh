#!/usr/bin/env bash
# Runs an MPI job across two simulated hosts on this machine: two network namespaces joined by a
# veth pair (10.77.0.1 <-> 10.77.0.2), nothing else reachable. mpirun runs in the first; an
# "rsh agent" that enters the other namespace stands in for ssh; MPI traffic goes over TCP on the
# veth (no shared memory between the two "hosts"). Needs root (ip netns). Cleans up on exit.
#   benchmarks/dist/two-hosts.sh [--slots K] -- COMMAND ARGS...     (K ranks per host, default 1)
# Example: benchmarks/dist/two-hosts.sh -- java --add-modules jdk.incubator.vector \
#            -cp "$PWD/ember-cli/target/ember-cli-0.1.0-SNAPSHOT-all.jar" dev.ember.cli.Main train --model cnn
# (not `java -jar`: Open MPI's mpirun rewrites a java command line that has no -cp, mangling an argument)
set -euo pipefail
slots=1
while [ $# -gt 0 ]; do
  case "$1" in
    --slots) slots="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--slots K] -- COMMAND..." >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--slots K] -- COMMAND..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "two-hosts.sh: needs root for ip netns" >&2; exit 1; }

tag="emb$$"
h1="${tag}a" h2="${tag}b"
work="$(mktemp -d)"
cleanup() {
  ip netns del "$h1" 2>/dev/null || true
  ip netns del "$h2" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

ip netns add "$h1"
ip netns add "$h2"
ip link add "${tag}x" type veth peer name "${tag}y"
ip link set "${tag}x" netns "$h1"
ip link set "${tag}y" netns "$h2"
ip -n "$h1" addr add 10.77.0.1/24 dev "${tag}x"
ip -n "$h2" addr add 10.77.0.2/24 dev "${tag}y"
for ns in "$h1" "$h2"; do ip -n "$ns" link set lo up; done
ip -n "$h1" link set "${tag}x" up
ip -n "$h2" link set "${tag}y" up

cat > "$work/agent" <<AGENT
#!/bin/sh
# mpirun's remote shell: "agent HOST COMMAND..." runs COMMAND in HOST's namespace
host="\$1"; shift
case "\$host" in
  10.77.0.1) ns="$h1" ;;
  10.77.0.2) ns="$h2" ;;
  *) echo "agent: unknown host \$host" >&2; exit 255 ;;
esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
AGENT
chmod +x "$work/agent"
printf '10.77.0.1 slots=%s\n10.77.0.2 slots=%s\n' "$slots" "$slots" > "$work/hosts"

np=$(( 2 * slots ))
envs=()
for v in EMBER_NUM_THREADS EMBER_DIST_TIMEOUT; do if [ -n "${!v:-}" ]; then envs+=(-x "$v"); fi; done
set +e
ip netns exec "$h1" mpirun --allow-run-as-root -np "$np" --hostfile "$work/hosts" --bind-to none \
  --mca plm_rsh_agent "$work/agent" --mca btl self,vader,tcp \
  --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
  ${envs[@]+"${envs[@]}"} "$@"
rc=$?
set -e
exit $rc
