"""Loopback echo round trips per second, server and clients on one event loop.

The same workload as asyncio4j's EchoBench: C client tasks, each sending a 64-byte message and
reading the 64-byte echo, in a loop, for a fixed time. Usage:

    python3 echo_bench.py --loop asyncio|uvloop --clients C --seconds S

Prints one line: "<loop> clients=<C> round_trips_per_s=<N>".
"""
import argparse
import asyncio
import time

MSG = b"x" * 63 + b"\n"


async def handle(reader, writer):
    try:
        while True:
            data = await reader.readexactly(len(MSG))
            writer.write(data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def client(port, deadline, counts, i):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    while time.monotonic() < deadline:
        writer.write(MSG)
        await writer.drain()
        await reader.readexactly(len(MSG))
        n += 1
    counts[i] = n
    writer.close()
    await writer.wait_closed()


async def main(clients, seconds, warmup):
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    # warm-up round
    counts = [0] * clients
    await asyncio.gather(*(client(port, time.monotonic() + warmup, counts, i) for i in range(clients)))
    counts = [0] * clients
    t0 = time.monotonic()
    await asyncio.gather(*(client(port, t0 + seconds, counts, i) for i in range(clients)))
    elapsed = time.monotonic() - t0
    server.close()
    await server.wait_closed()
    return sum(counts) / elapsed


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()                      # uvloop 0.17 has no uvloop.run yet
        rate = asyncio.run(main(a.clients, a.seconds, a.warmup))
    else:
        rate = asyncio.run(main(a.clients, a.seconds, a.warmup))
    print(f"{a.loop} clients={a.clients} round_trips_per_s={rate:.0f}")
