#!/usr/bin/env python3
"""Memory of the demo CNN's training, side by side in one sitting: peak RSS, training samples/s and
allocation per step for Ember (this tree's jar with the JVM's default memory flags; optionally an older
jar, e.g. the commit before TensorScope, with and without the old launcher's GC flags) and PyTorch.

Each round runs every configuration once, alternating, 100 steps of batch 128 on 2 threads
(`train --model cnn --epochs 1 --train-limit 12800 --device cpu`, then 5,000 validation and 10,000 test
images at batch 512). Peak RSS comes from /usr/bin/time -v. Allocation per step comes from JFR's
jdk.ThreadAllocationStatistics (exact per-thread counters, summed over threads at the end of the run)
in separate runs of 100 and 300 steps: (A(300) - A(100)) / 200, which cancels loading, the JIT's warm-up
and evaluation.

    python3 benchmarks/memory/train_memory.py --rounds 2 [--base-jar OLD.jar] [--data DIR]
"""
import argparse, os, re, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
JFR = os.path.join(os.path.dirname(JAVA), "jfr")
FLAGS = ["--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"]
OLD_LAUNCHER = ["-XX:+UseG1GC", "-Xmx640m", "-XX:-G1UseAdaptiveIHOP", "-XX:InitiatingHeapOccupancyPercent=95"]


def timed(cmd, env):
    """Runs cmd under /usr/bin/time -v; returns (stdout+stderr, peak RSS in MB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, env=env, capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode != 0:
        sys.exit("failed: " + " ".join(cmd) + "\n" + out[-3000:])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out).group(1)) / 1024
    return out, rss


def ember_cmd(jar, extra, limit, data, out_dir, jfr=None):
    cmd = [JAVA] + FLAGS + extra
    if jfr:
        cmd.append(f"-XX:StartFlightRecording:filename={jfr},settings=default")
    return cmd + ["-jar", jar, "train", "--model", "cnn", "--epochs", "1", "--train-limit", str(limit), "--device", "cpu",
                  "--data", data, "--out", out_dir]


def samples_per_second(out):
    m = re.findall(r"([\d,]+) samples/s", out)
    return float(m[-1].replace(",", "")) if m else float("nan")


def allocated_bytes(jfr):
    """Sum over threads of the last jdk.ThreadAllocationStatistics counter."""
    text = subprocess.run([JFR, "print", "--events", "jdk.ThreadAllocationStatistics", jfr], capture_output=True, text=True).stdout
    last = {}
    for block in text.split("jdk.ThreadAllocationStatistics")[1:]:
        a = re.search(r"allocated = ([\d.]+) (bytes|kB|MB|GB)", block)
        t = re.search(r"javaThreadId = (\d+)", block) or re.search(r'thread = "([^"]+)"', block)
        if not a or not t:
            continue
        # jfr prints kB, MB and GB in steps of 1024
        scale = {"bytes": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[a.group(2)]
        v = float(a.group(1)) * scale
        last[t.group(1)] = max(last.get(t.group(1), 0), v)
    return sum(last.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jar", default=os.path.join(ROOT, "ember-cli/target/ember-cli-0.1.0-SNAPSHOT-all.jar"))
    ap.add_argument("--base-jar", help="an older Ember jar to compare (run with and without the old launcher's flags)")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--skip-alloc", action="store_true")
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--alloc-steps", default="100,300", help="the two run lengths whose difference gives allocation per step")
    a = ap.parse_args()
    env = dict(os.environ, EMBER_NUM_THREADS="2", OMP_WAIT_POLICY="PASSIVE")
    tmp = tempfile.mkdtemp(prefix="ember-mem-")
    configs = [("Ember, this tree, default JVM flags", a.jar, [])]
    if a.base_jar:
        configs += [("Ember before (base jar), old launcher flags", a.base_jar, OLD_LAUNCHER),
                    ("Ember before (base jar), default JVM flags", a.base_jar, [])]
    rows = {name: ([], []) for name, _, _ in configs}
    rows["PyTorch 1.13"] = ([], [])
    torch = ["/usr/bin/python3", os.path.join(ROOT, "benchmarks/torch_train.py"), "--model", "cnn", "--epochs", "1",
             "--max-steps", "100", "--threads", "2", "--data", a.data]
    for r in range(0 if a.skip_rss else a.rounds):
        for name, jar, extra in configs:
            out, rss = timed(ember_cmd(jar, extra, 12800, a.data, os.path.join(tmp, "run")), env)
            rows[name][0].append(rss)
            rows[name][1].append(samples_per_second(out))
            print(f"round {r + 1}: {name}: {rss:.0f} MB, {rows[name][1][-1]:.0f} samples/s", flush=True)
        out, rss = timed(torch, env)
        rows["PyTorch 1.13"][0].append(rss)
        rows["PyTorch 1.13"][1].append(samples_per_second(out))
        print(f"round {r + 1}: PyTorch: {rss:.0f} MB, {rows['PyTorch 1.13'][1][-1]:.0f} samples/s", flush=True)
    print("\n| run | peak RSS (MB), median [range] | samples/s, median [range] |\n|---|---:|---:|")
    for name, (rss, sps) in rows.items() if not a.skip_rss else []:
        print(f"| {name} | {statistics.median(rss):,.0f} [{min(rss):,.0f}-{max(rss):,.0f}] | "
              f"{statistics.median(sps):,.0f} [{min(sps):,.0f}-{max(sps):,.0f}] |")
    if a.skip_alloc:
        return
    s0, s1 = (int(v) for v in a.alloc_steps.split(","))
    print(f"\n| run | allocated, {s0} steps | allocated, {s1} steps | per training step |\n|---|---:|---:|---:|")
    for name, jar, extra in configs[:2]:  # this tree, and the base jar as the old launcher ran it
        totals = []
        for steps in (s0, s1):
            jfr = os.path.join(tmp, f"alloc-{steps}.jfr")
            timed(ember_cmd(jar, extra, steps * 128, a.data, os.path.join(tmp, "run"), jfr), env)
            totals.append(allocated_bytes(jfr))
        per_step = (totals[1] - totals[0]) / (s1 - s0)
        print(f"| {name} | {totals[0] / 2**30:.2f} GiB | {totals[1] / 2**30:.2f} GiB | {per_step / 2**20:.1f} MiB |", flush=True)


if __name__ == "__main__":
    main()
