package org.asyncio4j.streams;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.internal.ByteTransport;
import org.asyncio4j.internal.WaiterQueue;

/**
 * The sending end of a connection (or of a process's stdin).
 *
 * <h2>Implementation overview</h2>
 * {@link #write} sends at once what the transport takes without blocking and keeps the rest,
 * copied, in a buffer that the loop flushes whenever the transport becomes writable. So
 * {@code write} never suspends; {@link #drain()} is the flow control: it suspends while more
 * than the high-water mark is buffered, until the buffer falls to the low-water mark. A writer
 * that calls {@code drain} after its writes therefore never grows memory without bound, however
 * slow the peer. {@link #close()} flushes what is buffered, then closes;
 * {@link #waitClosed()} waits for that. Loop-confined.
 *
 * <p>Every task in {@code drain} or {@code waitClosed} waits on a future of its own (a
 * {@link WaiterQueue} waiter, as CPython's streams keep one drain waiter per caller): a task's
 * cancellation cancels what it awaits, so a future shared by several callers would be
 * cancelled for all of them, and the closed state, which the server counts its connections
 * by, would end with a cancellation instead of the close.
 *
 * <p>Python: {@code asyncio.StreamWriter}.
 */
public final class StreamWriter {
    private final ByteTransport transport;
    private final int high, low;
    private final ArrayDeque<ByteBuffer> buffer = new ArrayDeque<>();
    private long buffered;
    private final Runnable flusher = this::flush;
    private boolean flushScheduled;
    private boolean eofRequested;
    private boolean closing;
    private IOException failure;
    private static final Runnable NO_TOKEN = () -> { };   // a broadcast wake-up hands nothing on
    private final WaiterQueue drainers = new WaiterQueue();   // woken when buffered <= low (or on failure)
    private final WaiterQueue closeWaiters = new WaiterQueue();
    private final Future<Void> closed;     // done once closed; awaited by no task (only callbacks)

    StreamWriter(ByteTransport transport, StreamOptions options) {
        this.transport = transport;
        this.high = options.highWater();
        this.low = options.lowWater();
        this.closed = transport.loop().createFuture();
    }

    /**
     * Sends bytes, or buffers what cannot be sent yet. Never suspends; call {@link #drain()}
     * after writing to respect the peer's pace.
     *
     * @param data the bytes (copied if they must wait)
     * @throws NullPointerException if {@code data} is null
     * @throws IOException          if the writer is closing or the connection failed
     */
    public void write(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        checkWritable();
        if (data.length == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        if (buffer.isEmpty() && !transport.hasPendingOutput()) {
            try {
                transport.writeNow(b);
            } catch (IOException e) {
                fail(e);
                throw e;
            }
            if (!b.hasRemaining()) {
                if (transport.hasPendingOutput()) {
                    scheduleFlush();      // a TLS record only partly sent: finish it when writable
                }
                return;
            }
            b = ByteBuffer.wrap(data, b.position(), b.remaining()).slice();
            b = copy(b);
        } else {
            b = copy(b);
        }
        buffer.addLast(b);
        buffered += b.remaining();
        scheduleFlush();
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b).flip();
        return c;
    }

    /**
     * Writes every array in order; see {@link #write(byte[])}.
     *
     * @param lines the arrays
     * @throws NullPointerException if {@code lines} or an element is null
     * @throws IOException          if the writer is closing or the connection failed
     */
    public void writeLines(Iterable<byte[]> lines) throws IOException {
        Objects.requireNonNull(lines, "lines");
        for (byte[] line : lines) {
            write(Objects.requireNonNull(line, "lines contains null"));
        }
    }

    /**
     * Suspends while more than the high-water mark waits to be sent, until at most the
     * low-water mark does; returns at once otherwise.
     *
     * @throws IOException                      if the connection failed (a reset peer, a broken pipe)
     * @throws IllegalStateException            if the caller is not a task and must wait
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     */
    public void drain() throws IOException {
        if (failure != null) {
            throw new IOException("the connection failed: " + failure.getMessage(), failure);
        }
        if (buffered <= high) {
            return;
        }
        drainers.await(transport.loop(), NO_TOKEN);
        if (failure != null) {
            throw new IOException("the connection failed: " + failure.getMessage(), failure);
        }
    }

    /**
     * Sends an end of stream once the buffer is flushed (half-close: the peer reads EOF, and
     * can still answer).
     *
     * @throws IOException                   if the writer is closing or the connection failed
     * @throws UnsupportedOperationException over TLS, which cannot half-close (as in Python)
     */
    public void writeEof() throws IOException {
        checkWritable();
        if (!transport.canShutdownOutput()) {
            throw new UnsupportedOperationException("a TLS stream cannot send EOF without closing");
        }
        eofRequested = true;
        if (buffer.isEmpty() && !transport.hasPendingOutput()) {
            shutdownOutput();
        }
    }

    /**
     * Whether {@link #writeEof()} may be used.
     *
     * @return false over TLS, true otherwise
     */
    public boolean canWriteEof() {
        return transport.canShutdownOutput();
    }

    /**
     * Flushes what is buffered, then closes the connection. Returns at once; see
     * {@link #waitClosed()}. Closing twice does nothing.
     */
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (buffer.isEmpty() && !transport.hasPendingOutput() || failure != null) {
            finishClose();
        } else {
            scheduleFlush();
        }
    }

    /** Closes at once, discarding what is buffered (a TCP reset). */
    public void abort() {
        closing = true;
        buffer.clear();
        buffered = 0;
        transport.abort();
        finishCloseQuietly();
    }

    /**
     * Waits until the connection is closed.
     *
     * @throws IllegalStateException            if the caller is not a task and must wait
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     */
    public void waitClosed() {
        if (!closed.isDone()) {
            closeWaiters.await(transport.loop(), NO_TOKEN);
        }
    }

    /** Runs {@code r} on the loop once the connection is closed (the server's bookkeeping). */
    void whenClosed(Runnable r) {
        closed.addDoneCallback(f -> r.run());
    }

    /**
     * Whether {@link #close()} was called (or the connection failed).
     *
     * @return true if closing or closed
     */
    public boolean isClosing() {
        return closing;
    }

    /**
     * The local address of the connection.
     *
     * @return the address, or null (pipes)
     */
    public SocketAddress localAddress() {
        return transport.localAddress();
    }

    /**
     * The peer's address.
     *
     * @return the address, or null (pipes)
     */
    public SocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    /**
     * Bytes waiting to be sent.
     *
     * @return the buffered count
     */
    public long bufferSize() {
        return buffered;
    }

    /**
     * The loop this writer belongs to.
     *
     * @return the loop
     */
    public EventLoop getLoop() {
        return transport.loop();
    }

    private void checkWritable() throws IOException {
        if (failure != null) {
            throw new IOException("the connection failed: " + failure.getMessage(), failure);
        }
        if (closing) {
            throw new IOException("the writer is closing");
        }
        if (eofRequested) {
            throw new IOException("write after writeEof()");
        }
    }

    private void scheduleFlush() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        try {
            transport.whenWritable(flusher);
        } catch (IOException e) {
            flushScheduled = false;
            fail(e);
        }
    }

    /** Runs on the loop when the transport is writable: sends as much as it takes. */
    private void flush() {
        flushScheduled = false;
        if (failure != null) {
            return;
        }
        try {
            while (!buffer.isEmpty()) {
                ByteBuffer head = buffer.peekFirst();
                int n = transport.writeNow(head);
                buffered -= n;
                if (head.hasRemaining()) {
                    break;
                }
                buffer.pollFirst();
            }
            if (buffer.isEmpty() && !transport.flushPending()) {
                scheduleFlush();
                wakeDrainers();
                return;
            }
        } catch (IOException e) {
            fail(e);
            return;
        }
        wakeDrainers();
        if (!buffer.isEmpty()) {
            scheduleFlush();
            return;
        }
        if (eofRequested) {
            shutdownOutput();
        }
        if (closing) {
            finishClose();
        }
    }

    private void wakeDrainers() {
        if (buffered <= low) {
            drainers.wakeAll(null);
        }
    }

    private void shutdownOutput() {
        try {
            transport.shutdownOutput();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        buffer.clear();
        buffered = 0;
        drainers.wakeAll(null);
        closing = true;
        transport.close();
        finishCloseQuietly();
    }

    private void finishClose() {
        transport.close();
        finishCloseQuietly();
    }

    private void finishCloseQuietly() {
        if (!closed.isDone()) {
            closed.setResult(null);
        }
        closeWaiters.wakeAll(null);
        drainers.wakeAll(null);
    }

    @Override
    public String toString() {
        return "StreamWriter[" + (closing ? "closing" : "open") + ", buffered=" + buffered
                + (failure != null ? ", failed: " + failure.getMessage() : "") + "]";
    }
}
