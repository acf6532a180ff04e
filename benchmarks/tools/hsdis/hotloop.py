#!/usr/bin/env python3
"""Prints the main FMA loop of each C2-compiled method in a -XX:+PrintAssembly log, with
counts: instructions, FMAs, vector loads, and stack accesses (spills) per loop iteration.
Usage: hotloop.py LOG [METHOD-SUBSTRING] [--quiet]"""
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
quiet = "--quiet" in sys.argv
log, want = args[0], (args[1] if len(args) > 1 else "")
insn = re.compile(r"^\s*0x([0-9a-f]+):\s+(\S+)\s*(.*?)\s*(;.*)?$")
methods, cur = [], None
for line in open(log, errors="replace"):
    if line.startswith("Compiled method"):
        cur = None
        if "(c2)" in line and " % " not in line and want in line:
            cur = (line.split()[-3], [])
            methods.append(cur)
        continue
    m = insn.match(line)
    if cur and m:
        cur[1].append((int(m.group(1), 16), m.group(2), m.group(3)))
for name, code in methods:
    addr = {a: i for i, (a, _, _) in enumerate(code)}
    loops = []
    for i, (a, op, arg) in enumerate(code):
        if op.startswith("j") and arg.startswith("0x"):
            t = int(arg.split()[0], 16)
            if t < a and t in addr:
                body = code[addr[t]:i + 1]
                if any(o.startswith("vfmadd") for _, o, _ in body):
                    loops.append(body)
    # C2 emits pre-, main and post-loops; the main loop is the one without bounds checks (jae to a trap).
    checked = lambda body: sum(o == "jae" for _, o, _ in body)
    loops.sort(key=lambda body: (checked(body) > 0, len(body)))
    for body in loops[:1]:
        fma = sum(o.startswith("vfmadd") for _, o, _ in body)
        loads = sum(o in ("vmovups", "vmovdqu", "vbroadcastss") and "ptr [" in x and not x.startswith(("ymmword ptr", "zmmword ptr", "xmmword ptr")) for _, o, x in body)
        stack = sum("rsp" in x for _, o, x in body)
        vspill = sum("rsp" in x and ("mm" in x) for _, o, x in body)  # vector registers to or from the stack
        print(f"{name}: loop of {len(body)} instructions, {fma} FMA, {loads} vector loads, {stack} stack accesses ({vspill} of vectors), "
              f"{checked(body)} bounds checks"
              f" ({len(body) / max(fma, 1):.2f} instructions per FMA)")
        if not quiet:
            for a, o, x in body: print(f"    {o:14s} {x}")
