"""Runs the side-by-side workloads in asyncio4j, CPython asyncio, uvloop and Node.js, in one
run on this machine, and prints one table with the ratios and the performance budget.

Usage (from the repository root; ./dev bench builds first and calls this):
    /usr/bin/python3 benchmarks/compare.py --java-home JDK [--rounds R] [--forks K] [--scale F]
                                           [--only a,b] [--markdown]
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"

# workload: (budget, unit, lower_is_better); from ../shared/design/architecture.md
BUDGET = {
    "sleep0": (150, "ns/switch"),
    "pingpong": (250, "ns/handoff"),
    "spawn_gather": (300, "ns/task"),
    "timers": (250, "ms wall"),
    "lock": (350, "ns/acquire"),
    "queue": (75, "ns/item"),
    "callsoon": (None, "ns/callback"),
    "memory": (1024, "B/task RSS"),
}


def parse(out):
    res = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in BUDGET:
            extra = [p for p in parts[3:] if "=" in p]
            res[parts[0]] = (float(parts[1]), " ".join(extra))
    return res


def run(cmd):
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(f"{' '.join(cmd[:3])}... failed:\n{p.stderr[-2000:]}\n")
        return {}
    return parse(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java-home", required=True)
    ap.add_argument("--rounds", default="5")
    ap.add_argument("--forks", type=int, default=3, help="JVMs per asyncio4j workload (median taken)")
    ap.add_argument("--scale", default="1")
    ap.add_argument("--only", default="")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    common = ["--rounds", a.rounds, "--scale", a.scale] + (["--only", a.only] if a.only else [])
    cp = "asyncio4j/target/classes:benchmarks/target/classes"
    def java(heap):
        return [os.path.join(a.java_home, "bin", "java"), "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-XX:+UseParallelGC"] + heap + ["-cp", cp, "org.asyncio4j.benchmarks.Workloads"]
    names = [n for n in BUDGET if not a.only or n in a.only.split(",")]
    timed = [n for n in names if n != "memory"]
    base = ["--rounds", a.rounds, "--scale", a.scale]
    # Timed workloads on a fixed, pre-touched heap (a growing heap adds page faults to whatever
    # allocates); memory in its own JVM, whose heap grows only with what the tasks hold.
    # One JVM per workload, as JMH forks: one workload's profile must not slow another's code.
    # Each in --forks JVMs, median of their medians: JIT decisions differ from one JVM to the next.
    results = {"asyncio4j": {}}
    for n in timed:
        forks = [run(java(["-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"]) + base + ["--only", n]) for _ in range(a.forks)]
        forks = sorted((f[n] for f in forks if n in f), key=lambda v: v[0])
        if forks:
            results["asyncio4j"][n] = forks[len(forks) // 2]
    if "memory" in names:
        # MemoryProbe's child, as in the README's memory line: a fresh JVM with a fixed heap, no
        # pre-touch and -Xbatch (a task parked in not-yet-compiled frames keeps a bigger stack,
        # and background compilation made that a matter of luck: 1,100-1,300 B against ~800).
        n = str(max(1, int(100_000 * float(a.scale))))
        probe = subprocess.run([os.path.join(a.java_home, "bin", "java"), "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                                "-Xms512m", "-Xmx512m", "-XX:-AlwaysPreTouch", "-Xbatch", "-cp", cp,
                                "org.asyncio4j.benchmarks.jmh.MemoryProbe", "--child", "asyncio", n],
                               cwd=ROOT, capture_output=True, text=True)
        got = [l.split() for l in probe.stdout.splitlines() if l.startswith("RESULT ")]
        if probe.returncode == 0 and got:
            results["asyncio4j"]["memory"] = (float(got[0][4]), f"heap_B={float(got[0][3]):.0f}")
        else:
            sys.stderr.write(f"memory probe failed:\n{probe.stderr[-2000:]}\n")
    results["uvloop"] = run([PY, "benchmarks/python/workloads.py", "--loop", "uvloop"] + common) \
        if subprocess.run([PY, "-c", "import uvloop"], capture_output=True).returncode == 0 else {}
    if not results["uvloop"]:
        sys.stderr.write("uvloop missing for /usr/bin/python3 (apt-get install python3-uvloop): column left empty\n")
    results["asyncio"] = run([PY, "benchmarks/python/workloads.py", "--loop", "asyncio"] + common)
    node = shutil.which("node")
    results["node"] = run([node, "--expose-gc", "benchmarks/node/workloads.js"] + common) if node else {}

    cols = ["asyncio4j", "uvloop", "asyncio", "node"]
    header = ["workload", "unit"] + cols + ["vs asyncio", "vs uvloop", "budget", "met"]
    rows = []
    for name in names:
        budget, unit = BUDGET[name]
        vals = [results[c].get(name, (None, ""))[0] for c in cols]
        j, u, p = vals[0], vals[1], vals[2]
        ratio = lambda x: f"{x / j:.1f}x" if (j and x) else "-"
        met = "-" if budget is None or j is None else ("yes" if j <= budget else "NO")
        row = [name, unit] + [("-" if v is None else "n/a" if v < 0 else f"{v:,.0f}") for v in vals] \
            + [ratio(p), ratio(u), "-" if budget is None else f"<= {budget}", met]
        rows.append(row)
    extras = {c: results[c].get("timers", (None, ""))[1] for c in cols}
    if a.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        for r in [header] + rows:
            print("  ".join(str(x).rjust(n) if i > 1 else str(x).ljust(n) for i, (x, n) in enumerate(zip(r, w))))
    if "timers" in names:
        print("\ntimers overshoot: " + ", ".join(f"{c} {extras[c] or '-'}" for c in cols))
    print("'vs' columns: how many times faster (or leaner) asyncio4j is than that runtime.")


if __name__ == "__main__":
    main()
