"""Loopback UDP echo datagrams per second, server and clients on one event loop.

The same workload as asyncio4j's UdpEchoBench: a DatagramProtocol server that sends every
datagram back to its sender, and C connected client protocols, each with one 64-byte datagram
in flight (the next is sent when the echo arrives). A watchdog resends for a client whose echo
did not come back within 200 ms. Usage:

    python3 udp_echo_bench.py --loop asyncio|uvloop --clients C --seconds S

Prints one line: "<loop> clients=<C> datagrams_per_s=<N>", N counting the echoes the clients
received (each one a round trip).
"""
import argparse
import asyncio
import time

MSG = b"x" * 64


class EchoServer(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


class Client(asyncio.DatagramProtocol):
    def __init__(self):
        self.n = 0
        self.stopped = False

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.n += 1
        if not self.stopped:
            self.transport.sendto(MSG)

    def resend(self):
        self.transport.sendto(MSG)


async def main(clients, seconds, warmup):
    loop = asyncio.get_running_loop()
    server, _ = await loop.create_datagram_endpoint(EchoServer, local_addr=("127.0.0.1", 0))
    addr = server.get_extra_info("sockname")
    cs = []
    for _ in range(clients):
        _, p = await loop.create_datagram_endpoint(Client, remote_addr=addr)
        cs.append(p)
        p.transport.sendto(MSG)
    done = False

    async def watchdog():
        last = [0] * clients
        while not done:
            await asyncio.sleep(0.2)
            for i, c in enumerate(cs):
                if c.n == last[i] and not done:
                    c.resend()
                last[i] = c.n

    wd = asyncio.ensure_future(watchdog())
    await asyncio.sleep(warmup)
    c0, t0 = sum(c.n for c in cs), time.monotonic()
    await asyncio.sleep(seconds)
    c1, t1 = sum(c.n for c in cs), time.monotonic()
    done = True
    for c in cs:
        c.stopped = True
        c.transport.close()
    server.close()
    wd.cancel()
    return (c1 - c0) / (t1 - t0)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="UDP echo datagrams per second")
    for flag, kind, default in (("--clients", int, 10), ("--seconds", float, 3.0), ("--warmup", float, 1.0)):
        ap.add_argument(flag, type=kind, default=default)
    ap.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    a = ap.parse_args()
    if a.loop == "uvloop":
        __import__("uvloop").install()        # uvloop 0.17 has no uvloop.run yet
    print(f"{a.loop} clients={a.clients} datagrams_per_s={asyncio.run(main(a.clients, a.seconds, a.warmup)):.0f}")
