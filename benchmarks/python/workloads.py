"""The side-by-side workloads, CPython edition (asyncio or uvloop).

Each workload matches benchmarks/src/main/java/.../Workloads.java and benchmarks/node/workloads.js
in shape and size. Usage:

    python3 workloads.py --loop asyncio|uvloop [--only NAME,...] [--rounds R] [--scale F]

Prints one line per workload: "<name> <value> <unit>", the median of R rounds after one warm-up.
"""
import argparse
import asyncio
import gc
import random
import resource
import statistics
import sys
import time


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


async def sleep0(n):
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await asyncio.sleep(0)
    return (time.perf_counter_ns() - t0) / n


async def pingpong(n):
    ping, pong = asyncio.Event(), asyncio.Event()

    async def a():
        for _ in range(n):
            ping.set()
            await pong.wait()
            pong.clear()

    async def b():
        for _ in range(n):
            await ping.wait()
            ping.clear()
            pong.set()

    t0 = time.perf_counter_ns()
    await asyncio.gather(a(), b())
    return (time.perf_counter_ns() - t0) / (2 * n)


async def spawn_gather(n):
    async def body(i):
        return i

    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(body(i)) for i in range(n)]
    await asyncio.gather(*tasks)
    return (time.perf_counter_ns() - t0) / n


async def timers(n):
    rnd = random.Random(42)
    loop = asyncio.get_running_loop()
    overshoot = [0.0]

    async def body(d):
        start = loop.time()
        await asyncio.sleep(d)
        overshoot[0] += loop.time() - start - d

    t0 = time.perf_counter_ns()
    await asyncio.gather(*(body(rnd.random() * 0.05) for _ in range(n)))
    wall_ms = (time.perf_counter_ns() - t0) / 1e6
    return wall_ms, overshoot[0] / n * 1e3


async def lock(n):
    lk = asyncio.Lock()
    per_task = n // 100

    async def body():
        for _ in range(per_task):
            async with lk:
                await asyncio.sleep(0)

    t0 = time.perf_counter_ns()
    await asyncio.gather(*(body() for _ in range(100)))
    return (time.perf_counter_ns() - t0) / (per_task * 100)


async def queue(n):
    q = asyncio.Queue(100)

    async def producer():
        for i in range(n):
            await q.put(i)

    async def consumer():
        for _ in range(n):
            await q.get()

    t0 = time.perf_counter_ns()
    await asyncio.gather(producer(), consumer())
    return (time.perf_counter_ns() - t0) / n


async def callsoon(n):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    count = [0]

    def cb():
        count[0] += 1
        if count[0] == n:
            done.set_result(None)

    t0 = time.perf_counter_ns()
    for _ in range(n):
        loop.call_soon(cb)
    await done
    return (time.perf_counter_ns() - t0) / n


async def memory(n):
    ev = asyncio.Event()
    gc.collect()
    await asyncio.sleep(0)
    r0 = rss_bytes()
    tasks = [asyncio.create_task(ev.wait()) for _ in range(n)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    gc.collect()
    r1 = rss_bytes()
    ev.set()
    await asyncio.gather(*tasks)
    return (r1 - r0) / n


WORKLOADS = {
    # name: (function, size, unit)
    "sleep0": (sleep0, 200_000, "ns/switch"),
    "pingpong": (pingpong, 100_000, "ns/handoff"),
    "spawn_gather": (spawn_gather, 100_000, "ns/task"),
    "timers": (timers, 100_000, "ms wall"),
    "lock": (lock, 100_000, "ns/acquire"),
    "queue": (queue, 200_000, "ns/item"),
    "callsoon": (callsoon, 500_000, "ns/callback"),
    "memory": (memory, 100_000, "B/task RSS"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    ap.add_argument("--only", default="")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    names = [x for x in a.only.split(",") if x] or list(WORKLOADS)
    for name in names:
        fn, size, unit = WORKLOADS[name]
        n = max(1, int(size * a.scale))
        rounds = 1 if name == "memory" else a.rounds
        if name != "memory":
            asyncio.run(fn(max(1, n // 10)))          # warm-up
        values = [asyncio.run(fn(n)) for _ in range(rounds)]
        if name == "timers":
            wall = statistics.median(v[0] for v in values)
            over = statistics.median(v[1] for v in values)
            print(f"{name} {wall:.1f} {unit} overshoot_ms={over:.2f}")
        else:
            print(f"{name} {statistics.median(values):.1f} {unit}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
