#!/usr/bin/env bash
# Builds hsdis-amd64.so (needs libcapstone-dev) into target/hsdis/ and prints how to use it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../../target/hsdis"
mkdir -p "$out"
cc -O2 -shared -fPIC -o "$out/hsdis-amd64.so" "$here/hsdis-capstone.c" -lcapstone
echo "built $(cd "$out" && pwd)/hsdis-amd64.so; use:"
echo "  LD_LIBRARY_PATH=$(cd "$out" && pwd) java -XX:+UnlockDiagnosticVMOptions -XX:PrintAssemblyOptions=intel \\"
echo "    -XX:CompileCommand=print,dev.ember.backend.cpu.SimdGemm::kernel* ..."
