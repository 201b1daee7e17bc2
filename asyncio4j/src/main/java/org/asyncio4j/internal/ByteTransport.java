package org.asyncio4j.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A byte pipe under a StreamReader/StreamWriter pair: a socket, a TLS session over a socket,
 * or a process pipe. Every method runs on the loop thread; only {@link #awaitReadable()}
 * suspends (the calling task). Reads are pulled by the reader, writes are pushed without
 * blocking and the writer is told when more can be taken.
 */
public abstract class ByteTransport {
    protected final EventLoopImpl loop;

    protected ByteTransport(EventLoopImpl loop) {
        this.loop = loop;
    }

    public final EventLoopImpl loop() {
        return loop;
    }

    /** Reads what is available without blocking: bytes read, 0 if none now, -1 at end of stream. */
    public abstract int readNow(ByteBuffer dst) throws IOException;

    /** Suspends the current task until {@link #readNow} may return data or the end. */
    public abstract void awaitReadable() throws IOException;

    /**
     * The selector reported the transport readable: the next {@link #readNow} really reads
     * (push-based readers, which never call {@link #awaitReadable()}).
     */
    public void markReadable() {
    }

    /** Writes without blocking; returns how many bytes of {@code src} it took (0: would block). */
    public abstract int writeNow(ByteBuffer src) throws IOException;

    /**
     * {@code writeLines}' first step: every array checked (a null throws NullPointerException
     * with {@code nullMessage} before anything is written), the non-empty ones wrapped.
     */
    public static java.util.List<ByteBuffer> wrapNonEmpty(Iterable<byte[]> arrays, String nullMessage) {
        java.util.ArrayList<ByteBuffer> bufs = new java.util.ArrayList<>();
        for (byte[] a : arrays) {
            if (java.util.Objects.requireNonNull(a, nullMessage).length > 0) {
                bufs.add(ByteBuffer.wrap(a));
            }
        }
        return bufs;
    }

    /**
     * Whether {@code writeLines} sends {@code bufs} with one gathering write: two or more, and few
     * and small enough (16 buffers, 256 KiB in all) that the JDK's per-thread cache of native
     * copies, which a gathering write fills with one copy per buffer, stays small.
     */
    public static boolean gatherable(java.util.List<ByteBuffer> bufs) {
        if (bufs.size() < 2 || bufs.size() > 16) {
            return false;
        }
        long total = 0;
        for (ByteBuffer b : bufs) {
            total += b.remaining();
        }
        return total <= 256 << 10;
    }

    /**
     * Writes {@code srcs} in order without blocking, stopping at the first it cannot take
     * whole; returns how many bytes it took. A socket sends them with one gathering write.
     */
    public long writeNow(ByteBuffer[] srcs) throws IOException {
        long n = 0;
        for (ByteBuffer src : srcs) {
            n += writeNow(src);
            if (src.hasRemaining()) {
                break;
            }
        }
        return n;
    }

    /** True while bytes accepted by writeNow still wait to go out (TLS records, pipe pumps). */
    public boolean hasPendingOutput() {
        return false;
    }

    /** Pushes pending output without blocking; true when none is left. */
    public boolean flushPending() throws IOException {
        return true;
    }

    /** Runs {@code callback} on the loop when writeNow/flushPending may make progress. */
    public abstract void whenWritable(Runnable callback) throws IOException;

    /**
     * Suspends the current task until {@link #writeNow} or {@link #flushPending} may make
     * progress. A cancelled wait leaves nothing registered behind where the transport is a
     * socket (the default, for other transports, may leave one callback until writable).
     */
    public void awaitWritable() throws IOException {
        FutureImpl<Void> f = new FutureImpl<>(loop);
        whenWritable(() -> {
            if (!f.isDone()) {
                f.complete(null);
            }
        });
        try {
            f.await();
        } catch (java.util.concurrent.CompletionException e) {
            throw FutureImpl.ioCause(e);
        }
    }

    /** Half-closes: no more output (EOF for the peer). */
    public abstract void shutdownOutput() throws IOException;

    /** True if {@link #shutdownOutput()} is supported (not over TLS, as in Python). */
    public boolean canShutdownOutput() {
        return true;
    }

    /** Closes at once (what was accepted and not yet written may be lost; writers flush first). */
    public abstract void close();

    /** Closes with a reset where the transport supports it (TCP RST), discarding output. */
    public void abort() {
        close();
    }

    public abstract boolean isClosed();

    public SocketAddress localAddress() {
        return null;
    }

    public SocketAddress remoteAddress() {
        return null;
    }
}
