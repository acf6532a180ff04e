#!/usr/bin/python3
"""Side-by-side table: Ember's classical estimators vs scikit-learn (test score and fit time).

Run from the repository root, after `mvn -q test-compile` with JDK 25:

    /usr/bin/python3 benchmarks/sklearn_compare.py [--repeats 5] [--output table.md]

Both sides use the same data, splits and standardization as the agreement tests (see
benchmarks/reference/make_sklearn_refs.py): Ember's side is the Java main
dev.ember.ml.SklearnCompare (one JSON line per fit), scikit-learn's is timed here. Fit times
are the median of `repeats` fits after one warm-up fit. scikit-learn runs with its defaults
except n_jobs=-1 for the forest (Ember grows trees in parallel too) and the same k / seeds.
Rows are interleaved per dataset (Ember first, then scikit-learn) on a shared, noisy machine:
rerun and compare medians rather than trusting one run.
"""
import os

# Idle OpenMP threads spin against the other process on a small shared machine (docs: PLATFORM.md);
# passive waiting is scikit-learn's fastest configuration there. Must be set before sklearn loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import datetime
import json
import platform
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "reference"))
import make_sklearn_refs as refs  # noqa: E402  (same loaders, split and standardization)

JAVA = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")


def sklearn_jobs(k):
    return [
        ("LogisticRegression", True, lambda: LogisticRegression(), "accuracy"),
        ("DecisionTreeClassifier", False, lambda: DecisionTreeClassifier(random_state=0), "accuracy"),
        ("RandomForestClassifier", False, lambda: RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1), "accuracy"),
        ("SVC(rbf)", True, lambda: SVC(), "accuracy"),
        ("KNeighborsClassifier", True, lambda: KNeighborsClassifier(), "accuracy"),
        ("GaussianNB", False, lambda: GaussianNB(), "accuracy"),
        ("Ridge", True, lambda: Ridge(), "r2"),
        ("KMeans", True, lambda: KMeans(n_clusters=k, n_init=10, random_state=0), "inertia"),
    ]


def run_sklearn(repeats):
    out = []
    for name in refs.FILES:
        X, y = refs.LOADERS[name](return_X_y=True)
        train, test = refs.split(len(y))
        Str, Ste = refs.standardize(X[train], X[test])
        k = len(np.unique(y))
        for est, standardize, make, metric in sklearn_jobs(k):
            xtr, xte = (Str, Ste) if standardize else (X[train], X[test])
            ytr = y[train].astype(float) if metric == "r2" else y[train]
            make().fit(xtr, ytr)  # warm-up
            times = []
            for _ in range(repeats):
                m = make()
                t0 = time.perf_counter()
                m.fit(xtr, ytr)
                times.append((time.perf_counter() - t0) * 1e3)
            if metric == "inertia":
                score = m.inertia_
            else:
                score = m.score(xte, y[test].astype(float) if metric == "r2" else y[test])
            out.append({"dataset": name, "estimator": est, "metric": metric, "score": float(score),
                        "fit_ms": float(np.median(times))})
    return out


def run_ember(repeats, classpath):
    cmd = [JAVA, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
           "-cp", classpath, "dev.ember.ml.SklearnCompare", str(repeats)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]


def maven_classpath():
    dest = os.path.join(ROOT, "target", "compare-classpath.txt")
    subprocess.run(["mvn", "-q", "-B", "dependency:build-classpath", f"-Dmdep.outputFile={dest}"], cwd=ROOT, check=True,
                   env=dict(os.environ, JAVA_HOME=os.path.dirname(os.path.dirname(JAVA))))
    with open(dest) as f:
        deps = f.read().strip()
    return os.pathsep.join([os.path.join(ROOT, "target", "test-classes"), os.path.join(ROOT, "target", "classes"), deps])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--output", help="also write the markdown table to this file")
    args = ap.parse_args()
    ember = {(r["dataset"], r["estimator"]): r for r in run_ember(args.repeats, maven_classpath())}
    skl = {(r["dataset"], r["estimator"]): r for r in run_sklearn(args.repeats)}
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cpu}, {os.cpu_count()} cores, "
             f"{platform.system()} {platform.release()}; scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
             f"median of {args.repeats} fits.",
             "",
             "| dataset | estimator | metric | Ember | scikit-learn | Ember fit (ms) | scikit-learn fit (ms) |",
             "|---|---|---|---:|---:|---:|---:|"]
    for key, s in skl.items():
        e = ember.get(key)
        if e is None:
            continue
        fmt = "{:.1f}" if s["metric"] == "inertia" else "{:.4f}"
        lines.append(f"| {key[0]} | {key[1]} | {s['metric']} | {fmt.format(e['score'])} | {fmt.format(s['score'])} | "
                     f"{e['fit_ms']:.2f} | {s['fit_ms']:.2f} |")
    table = "\n".join(lines)
    print(table)
    if args.output:
        with open(args.output, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
