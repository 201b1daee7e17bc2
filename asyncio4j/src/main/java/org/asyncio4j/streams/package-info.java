/**
 * Streams: TCP, TLS and Unix-domain connections and servers, as
 * {@link org.asyncio4j.streams.StreamReader} / {@link org.asyncio4j.streams.StreamWriter}
 * pairs. Start with {@code Asyncio.openConnection} and {@code Asyncio.startServer}.
 *
 * <p>I/O design: every socket is a non-blocking channel registered with a selector owned by
 * its event loop, polled by the loop thread in each iteration (as asyncio and uvloop do). So a
 * read that waits parks only its task, readiness never crosses threads, and cancelling a read
 * (a timeout around it, say) leaves the connection open and its buffered data intact. Host
 * names are resolved on the loop's default executor, never on the loop.
 *
 * <p>Python: {@code asyncio.streams}.
 */
package org.asyncio4j.streams;
