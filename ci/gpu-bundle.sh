#!/usr/bin/env bash
# Builds a self-contained folder for a GPU machine that has no JDK, no Maven and no network:
#   runtime/   a jlink'd JDK 25 with only the modules these checks need
#   lib/       the shaded Ember jar, the compiled test classes, the JUnit console launcher
#   ci/        gpu.sh and the PyTorch comparison script
# The jar carries the kernel sources' parts (rendered and compiled by the GPU machine's NVRTC at run time) and,
# when this machine has nvcc, PTX built from them (the fallback where the GPU machine has no NVRTC).
# Usage: ci/gpu-bundle.sh [output-dir]   (default target/gpu-bundle; also writes <dir>.tar.gz)
# Needs, on the build machine: JDK 25, Maven, and Maven Central (or a warm ~/.m2) for the launcher.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/target/gpu-bundle}"
junit_platform="${JUNIT_PLATFORM_VERSION:-1.14.1}"

find_jdk25() {
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/jlink" ] || continue
    v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    [ "${v%%.*}" -ge 25 ] 2>/dev/null && { echo "$c"; return 0; }
  done
  return 1
}
JAVA_HOME="$(find_jdk25)" || { echo "gpu-bundle: needs a JDK 25 with jlink (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME

cd "$root"
echo "gpu-bundle: building the shaded jar and test classes"
mvn -B -q -DskipTests package
jar="$root/ember-cli/target/ember-cli-0.1.0-SNAPSHOT-all.jar"

rm -rf "$out"
mkdir -p "$out/lib" "$out/ci"
cp "$jar" "$out/lib/ember-all.jar"
# JCuda's PTX-compiler binding (24 MB) is never used: NVRTC is bound through java.lang.foreign, PTX is loaded by the driver.
if command -v zip >/dev/null; then
  zip -q -d "$out/lib/ember-all.jar" 'lib/libJNvPTXCompiler*' || true
else
  python3 - "$out/lib/ember-all.jar" <<'PY'
import shutil, sys, zipfile
src = sys.argv[1]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(src + ".tmp", "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if not item.filename.startswith("lib/libJNvPTXCompiler"):
            zout.writestr(item, zin.read(item.filename))
shutil.move(src + ".tmp", src)
PY
fi
# Every module's test classes in one folder (the CUDA tests, and ember-core's suites that run on every device).
mkdir -p "$out/lib/test-classes"
for m in "$root"/ember-*/target/test-classes; do cp -r "$m/." "$out/lib/test-classes/"; done
cp "$root/ci/gpu.sh" "$root/ci/torch_bench.py" "$out/ci/"
if unzip -l "$out/lib/ember-all.jar" "dev/ember/kernels/cuda/manifest.properties" >/dev/null 2>&1; then
  echo "gpu-bundle: the jar carries packaged PTX (the fallback where the GPU machine has no NVRTC)"
else
  echo "gpu-bundle: no nvcc here, so no packaged PTX: the GPU machine needs NVRTC (libnvrtc, or EMBER_NVRTC_PATH)"
fi

echo "gpu-bundle: fetching the JUnit console launcher $junit_platform"
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
    -DoutputDirectory="$out/lib" -Dmdep.stripVersion=true
mv "$out/lib/junit-platform-console-standalone.jar" "$out/lib/junit-console.jar"

# Modules: only what the tests and benchmarks that gpu.sh runs need, not all that jdeps finds in the shaded jar (the
# studio's Jetty and image code pull in java.desktop, JNDI, RMI and more: 12 MB of the archive). The Vector API is an
# incubator module, JUL backs System.Logger, jdk.unsupported is for JCuda and gson, jdk.management for the tests'
# per-thread allocation counters, java.sql (and through it java.xml) for the JUnit launcher and its XML reports.
# The bundle must stay well under the device machine's 64 MiB limit on what travels, the checkout included.
modules="java.base,java.logging,java.management,jdk.management,java.sql,jdk.incubator.vector,jdk.unsupported"
echo "gpu-bundle: jlink $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-9 --output "$out/runtime"
# Temurin's libjvm.so carries its symbol table (5 MB); the bundle does not need it.
if command -v strip >/dev/null; then strip --strip-unneeded "$out/runtime/lib/server/libjvm.so"; fi

du -sh "$out" | awk '{print "gpu-bundle: " $1 " in " $2}'
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
du -sh "$out.tar.gz" | awk '{print "gpu-bundle: archive " $1 " " $2}'
# A lent GPU machine takes at most 64 MiB of checkout and carried files together; the checkout is about 10 MiB.
size=$(stat -c %s "$out.tar.gz")
if [ "$size" -gt $((48 << 20)) ]; then
  echo "gpu-bundle: the archive is $((size >> 20)) MiB, over the 48 MiB that leaves room for the checkout on a lent GPU machine" >&2
  exit 1
fi
