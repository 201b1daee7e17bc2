"""A keep-alive HTTP/1.1 hello server on asyncio streams, the peer of asyncio4j's HttpServer
example under wrk (benchmarks/http-compare): it reads a request line and headers, skips a body
by Content-Length, and answers "hello, <name>" as the example's /hello route does.

    python3 http_hello.py --loop asyncio|uvloop --port P

Prints "listening <port>" once it accepts connections.
"""
import argparse
import asyncio


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            keep_alive = not line.rstrip().endswith(b"HTTP/1.0")
            length = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                lower = h.lower()
                if lower.startswith(b"connection:"):
                    keep_alive = b"close" not in lower
                elif lower.startswith(b"content-length:"):
                    length = int(lower[15:].strip())
            if length:
                await reader.readexactly(length)
            path = line.split(b" ")[1] if line.count(b" ") >= 2 else b"/"
            q = path.find(b"name=")
            body = b"hello, " + (path[q + 5:] if q >= 0 else b"world") + b"\n"
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: "
                         + (b"keep-alive" if keep_alive else b"close") + b"\r\nServer: asyncio-peer\r\n\r\n" + body)
            await writer.drain()
            if not keep_alive:
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    try:
        asyncio.run(main(a.port))
    except KeyboardInterrupt:
        pass
