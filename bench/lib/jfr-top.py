#!/usr/bin/env python3
"""Where a JFR recording's CPU samples are (jdk.ExecutionSample).

Usage: jfr-top.py REC.jfr [FRAME [DEPTH]]
  without FRAME: the top frames by own time, by package, and the gateway's frames by inclusive time;
  with FRAME (a substring of Class.method): what the samples that pass through it do next, DEPTH frames deep.
"""
import collections
import json
import os
import subprocess
import sys

rec = sys.argv[1]
frame = sys.argv[2] if len(sys.argv) > 2 else None
depth = int(sys.argv[3]) if len(sys.argv) > 3 else 2
jfr = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jfr")
out = subprocess.run([jfr, "print", "--json", "--stack-depth", "160", "--events", "jdk.ExecutionSample", rec],
                     capture_output=True, text=True, check=True).stdout
stacks = []
for e in json.loads(out)["recording"]["events"]:
    st = e["values"]["stackTrace"]
    if st:
        stacks.append([f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in st["frames"]])
total = len(stacks)
print(f"samples: {total}")


def show(title, counter, n):
    print(f"--- {title}")
    for name, c in counter.most_common(n):
        print(f"{100 * c / total:5.1f} %  {name}")


if frame is None:
    own = collections.Counter(s[0] for s in stacks)
    pkg = collections.Counter(".".join(s[0].split(".")[:3]) for s in stacks)
    incl = collections.Counter()
    for s in stacks:
        for name in set(s):
            if name.startswith("dev.sluice"):
                incl[name] += 1
    show("own time", own, 25)
    show("own time by package", pkg, 12)
    show("inclusive, dev.sluice frames", incl, 30)
else:
    under = collections.Counter()
    for s in stacks:
        rev = s[::-1]
        for i, name in enumerate(rev):
            if frame in name:
                under[" > ".join(rev[i + 1:i + 1 + depth]) or "(own time)"] += 1
                break
    show(f"under {frame}", under, 25)
