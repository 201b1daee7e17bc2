"""HTTP hello under wrk, side by side in one run: asyncio4j's HttpServer example on 1, 2, ...
loops (a LoopGroup for more than one), CPython asyncio streams and uvloop (benchmarks/python/
http_hello.py). Each server runs alone, gets a warm-up, then a measured wrk run; the table gives
requests per second, the ratios, and the CPU each side used (the client's share: on a 2-core
machine wrk and the server compete for the same cores).

Usage (from the repository root; ./dev bench-http builds first and calls this):
    /usr/bin/python3 benchmarks/http_compare.py --java-home JDK [--seconds S] [--connections C]
                                                [--loops 1,2] [--runs R] [--markdown]
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process and its threads, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wait_listening(port, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start listening")


def wrk(port, seconds, connections):
    """Requests per second of one wrk run."""
    url = f"http://127.0.0.1:{port}/hello?name=wrk"
    p = subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = p.communicate()
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not m or p.returncode != 0:
        raise RuntimeError("wrk failed:\n" + out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out)
    if errors:
        sys.stderr.write(f"note: wrk reported {errors.group(0)}\n")
    return float(m.group(1))


def measure(cmd, seconds, connections, env=None):
    """(requests/s, server CPU, wrk CPU), CPU in cores busy over the measured run; the port is
    the command's last argument (the example's positional port, the peer's --port)."""
    port = free_port()
    proc = subprocess.Popen(cmd + [str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_listening(port, proc)
        wrk(port, 2, connections)                     # warm-up (JIT, caches)
        server0 = cpu_seconds(proc.pid)
        before = os.times()
        t0 = time.time()
        rate = wrk(port, seconds, connections)
        wall = time.time() - t0
        after = os.times()
        server = cpu_seconds(proc.pid) - server0
        client = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        return rate, server / wall, client / wall
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java-home", required=True)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--loops", default="1,2")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per server (median taken)")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    java = [os.path.join(a.java_home, "bin", "java"), "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "-XX:+UseParallelGC", "-cp", "asyncio4j/target/classes:examples/target/classes",
            "org.asyncio4j.examples.HttpServer"]
    servers = []
    for n in [int(x) for x in a.loops.split(",")]:
        if n == 1:
            servers.append(("asyncio4j, 1 loop", java))
        else:
            servers.append((f"asyncio4j, {n} loops", java + ["--loops", str(n)]))
    servers.append(("uvloop", [PY, "benchmarks/python/http_hello.py", "--loop", "uvloop", "--port"]))
    servers.append(("asyncio", [PY, "benchmarks/python/http_hello.py", "--loop", "asyncio", "--port"]))
    results = {}
    for run in range(a.runs):                          # interleaved: drift hits every server alike
        for name, cmd in servers:
            results.setdefault(name, []).append(measure(cmd, a.seconds, a.connections))
    med = {n: tuple(statistics.median(r[i] for r in rs) for i in range(3)) for n, rs in results.items()}
    uv = med["uvloop"][0]
    py = med["asyncio"][0]
    rows = [(n, f"{r:,.0f}", f"{r / uv:.2f}x", f"{r / py:.2f}x", f"{s * 100:.0f}%", f"{c * 100:.0f}%",
             f"{c / (s + c) * 100:.0f}%") for n, (r, s, c) in med.items()]
    head = ("server", "requests/s", "vs uvloop", "vs asyncio", "server CPU", "wrk CPU", "client share")
    print(f"wrk -t1 -c{a.connections} -d{a.seconds}s, median of {a.runs} interleaved runs; "
          f"CPU as % of one core over the run")
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
        for r in [head] + rows:
            print("  ".join(c.rjust(w[i]) if i else c.ljust(w[i]) for i, c in enumerate(r)))


if __name__ == "__main__":
    main()
