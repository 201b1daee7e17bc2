package org.asyncio4j.streams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import org.asyncio4j.Asyncio;
import org.asyncio4j.Future;
import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.ByteTransport;

/**
 * An in-memory transport under a {@link StreamReader}, for tests that must control exactly how
 * the bytes arrive: each {@link #feed} is one arrival, and one {@code readNow} never returns
 * bytes of two arrivals, so the reader sees the chunks exactly as fed (as a TCP peer's writes
 * might be split). Bytes may be fed before the reads (each fill of the reader then takes one
 * chunk) or by another task while the reader waits. Output is collected ({@link #written()});
 * {@link #blockWrites()} makes the transport take nothing until {@link #acceptWrites()}, as a
 * peer that does not read would. Loop-confined.
 */
final class MemoryTransport extends ByteTransport {
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private boolean eof;
    private boolean closed;
    private Future<Void> readable;       // the one reader's wake-up, a fresh one per wait
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean writesBlocked;
    private Runnable writable;           // the writer's flusher, waiting for writesBlocked to end

    MemoryTransport() {
        super((EventLoopImpl) Asyncio.getRunningLoop());
    }

    /** A reader over this transport, with the given limit. */
    StreamReader reader(int limit) {
        return new StreamReader(this, limit);
    }

    /** A writer over this transport. */
    StreamWriter writer(StreamOptions options) {
        return new StreamWriter(this, options);
    }

    /** From now on writeNow takes nothing (the peer's window is full). */
    MemoryTransport blockWrites() {
        writesBlocked = true;
        return this;
    }

    /** Takes every write again, and tells a waiting writer. */
    void acceptWrites() {
        writesBlocked = false;
        Runnable r = writable;
        writable = null;
        if (r != null) {
            loop.callSoon(r);
        }
    }

    /** Everything written so far. */
    byte[] written() {
        return out.toByteArray();
    }

    /** One arrival (ignored if empty). */
    MemoryTransport feed(byte[] chunk) {
        if (eof) {
            throw new IllegalStateException("feed after feedEof");
        }
        if (chunk.length > 0) {
            chunks.addLast(ByteBuffer.wrap(chunk.clone()));
            wake();
        }
        return this;
    }

    /** The end of the stream, after the chunks fed so far. */
    MemoryTransport feedEof() {
        eof = true;
        wake();
        return this;
    }

    private void wake() {
        if (readable != null && !readable.isDone()) {
            readable.setResult(null);
        }
    }

    @Override
    public int readNow(ByteBuffer dst) {
        ByteBuffer head = chunks.peekFirst();
        if (head == null) {
            return eof ? -1 : 0;
        }
        int n = Math.min(dst.remaining(), head.remaining());
        ByteBuffer part = head.duplicate();
        part.limit(part.position() + n);
        dst.put(part);
        head.position(head.position() + n);
        if (!head.hasRemaining()) {
            chunks.pollFirst();
        }
        return n;
    }

    @Override
    public void awaitReadable() {
        if (!chunks.isEmpty() || eof) {
            return;
        }
        readable = loop.createFuture();
        readable.await();
    }

    @Override
    public int writeNow(ByteBuffer src) throws IOException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (writesBlocked) {
            return 0;
        }
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        out.writeBytes(b);
        return n;
    }

    @Override
    public void whenWritable(Runnable callback) throws IOException {
        if (writesBlocked) {
            writable = callback;
        } else {
            loop.callSoon(callback);
        }
    }

    @Override
    public void shutdownOutput() {
        // nothing to tell
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }
}
