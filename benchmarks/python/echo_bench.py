"""Loopback echo round trips per second, server and clients on one event loop.

The same workload as asyncio4j's EchoBench: C client tasks, each sending a 64-byte message and
reading the 64-byte echo, in a loop, for a fixed time. Usage:

    python3 echo_bench.py --loop asyncio|uvloop --clients C --seconds S [--mode streams|protocol]

Protocol mode is uvloop's published workload: loop.create_server with a Protocol that writes back
what it receives; each client is a protocol too, sending the next message once the whole echo of
the last is in (EchoBench --mode protocol, line for line).

Prints one line: "<loop>[-protocol] clients=<C> round_trips_per_s=<N>".
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


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class ClientProtocol(asyncio.Protocol):
    def __init__(self, deadline, done):
        self.deadline = deadline
        self.done = done
        self.pending = 0
        self.n = 0

    def connection_made(self, transport):
        self.transport = transport
        self.send()

    def send(self):
        self.pending = len(MSG)
        self.transport.write(MSG)

    def data_received(self, data):
        self.pending -= len(data)
        if self.pending > 0:
            return
        self.n += 1
        if time.monotonic() < self.deadline:
            self.send()
        else:
            self.transport.close()

    def connection_lost(self, exc):
        self.done.set_result(self.n)


async def protocol_client(port, deadline, counts, i):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    await loop.create_connection(lambda: ClientProtocol(deadline, done), "127.0.0.1", port)
    counts[i] = await done


async def main(clients, seconds, warmup, mode="streams"):
    if mode == "protocol":
        loop = asyncio.get_running_loop()
        server = await loop.create_server(EchoProtocol, "127.0.0.1", 0, backlog=1024)
        run_client = protocol_client
    else:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        run_client = client
    port = server.sockets[0].getsockname()[1]
    # warm-up round
    counts = [0] * clients
    await asyncio.gather(*(run_client(port, time.monotonic() + warmup, counts, i) for i in range(clients)))
    counts = [0] * clients
    t0 = time.monotonic()
    await asyncio.gather(*(run_client(port, t0 + seconds, counts, i) for i in range(clients)))
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
    ap.add_argument("--mode", default="streams", choices=["streams", "protocol"])
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()                      # uvloop 0.17 has no uvloop.run yet
        rate = asyncio.run(main(a.clients, a.seconds, a.warmup, a.mode))
    else:
        rate = asyncio.run(main(a.clients, a.seconds, a.warmup, a.mode))
    name = a.loop + ("-protocol" if a.mode == "protocol" else "")
    print(f"{name} clients={a.clients} round_trips_per_s={rate:.0f}")
