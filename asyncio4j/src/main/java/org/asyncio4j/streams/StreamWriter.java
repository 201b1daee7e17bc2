package org.asyncio4j.streams;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Objects;

import javax.net.ssl.SSLContext;

import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.internal.ByteTransport;
import org.asyncio4j.internal.NetEngine;
import org.asyncio4j.internal.Sendfile;
import org.asyncio4j.internal.SocketTransport;
import org.asyncio4j.internal.TlsTransport;
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
    private ByteTransport transport;       // replaced once, by startTls
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

    // issue 13: startTls and sendfile
    private final StreamOptions options;
    private StreamReader reader;           // the connection's reader (set by the engine), for startTls
    private boolean serverSide;            // an accepted connection: startTls runs the server's handshake
    private String peerHost;               // the host the connection was opened to: startTls verifies it
    private String busy;                   // "sendfile" or "startTls" while one runs: writes then refused

    static {
        NetEngine.installPairing(StreamWriter::pair);
    }

    /** The engine's pairing of a connection's writer with its reader (NetEngine.Pairing). */
    private static void pair(StreamWriter w, StreamReader r, boolean serverSide, String peerHost) {
        w.reader = r;
        w.serverSide = serverSide;
        w.peerHost = peerHost;
    }

    StreamWriter(ByteTransport transport, StreamOptions options) {
        this.options = options;
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
     * Writes every array in order, as {@link #write(byte[])} would one after another, but with
     * one gathering send where the connection allows it (a plain socket, up to 16 arrays and
     * 256 KiB: one {@code writev} for a response's head and body, as Python 3.12's
     * {@code writelines} does with {@code sendmsg}). Every element is checked before anything
     * is sent.
     *
     * @param lines the arrays
     * @throws NullPointerException if {@code lines} or an element is null (then nothing is written)
     * @throws IOException          if the writer is closing or the connection failed
     */
    public void writeLines(Iterable<byte[]> lines) throws IOException {
        Objects.requireNonNull(lines, "lines");
        java.util.List<ByteBuffer> bufs = org.asyncio4j.internal.ByteTransport.wrapNonEmpty(lines, "lines contains null");
        checkWritable();
        if (!org.asyncio4j.internal.ByteTransport.gatherable(bufs)) {
            for (ByteBuffer b : bufs) {
                write(b.array());             // one, or many or large: one write each
            }
            return;
        }
        int first = 0;
        if (buffer.isEmpty() && !transport.hasPendingOutput()) {
            try {
                transport.writeNow(bufs.toArray(ByteBuffer[]::new));
            } catch (IOException e) {
                fail(e);
                throw e;
            }
            while (first < bufs.size() && !bufs.get(first).hasRemaining()) {
                first++;
            }
            if (first == bufs.size()) {
                if (transport.hasPendingOutput()) {
                    scheduleFlush();      // a TLS record only partly sent: finish it when writable
                }
                return;
            }
        }
        for (int i = first; i < bufs.size(); i++) {
            ByteBuffer b = copy(bufs.get(i));
            buffer.addLast(b);
            buffered += b.remaining();
        }
        scheduleFlush();
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
        if (busy != null) {
            throw new IllegalStateException("cannot write while " + busy + " is in progress");
        }
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

    // ------------------------------------------------------------------ issue 13

    /**
     * Upgrades the connection to TLS in place (STARTTLS), verifying the server against the host
     * the connection was opened to; see {@link #startTls(SSLContext, String)}.
     *
     * @param sslContext the TLS context
     * @throws NullPointerException     if {@code sslContext} is null
     * @throws IllegalArgumentException if this is a client whose connection has no host name to
     *                                  verify (opened over a given channel without
     *                                  {@link StreamOptions#withServerHostname(String)})
     * @throws IllegalStateException    if the connection is not a plain socket (TLS already, a
     *                                  pipe), a read or a sendfile is in progress, or the caller
     *                                  is not a task (a read another task starts while the
     *                                  upgrade runs throws it too)
     * @throws IOException              if the writer is closing, the connection failed, or the
     *                                  handshake fails (the connection is then aborted)
     * @throws org.asyncio4j.CancelledException if the task is cancelled meanwhile (the connection
     *                                  is then aborted)
     */
    public void startTls(SSLContext sslContext) throws IOException {
        startTls(sslContext, null);
    }

    /**
     * Upgrades the connection to TLS in place (Python 3.11's {@code StreamWriter.start_tls}):
     * waits until everything written so far is sent, then runs the TLS handshake over the same
     * socket, as the client, or as the server on a connection a {@link Server} accepted; from
     * then on this writer and the connection's {@link StreamReader} carry TLS. Bytes the reader
     * had already buffered are read first, as they came. Nothing may be written meanwhile, and
     * the reader must not be reading. The handshake is bounded by the connection's
     * {@link StreamOptions#sslHandshakeTimeout()}.
     *
     * @param sslContext     the TLS context
     * @param serverHostname the name a client sends (SNI) and verifies, or null for the host
     *                       the connection was opened to (ignored on a server's connection)
     * @throws NullPointerException     if {@code sslContext} is null
     * @throws IllegalArgumentException if this is a client with no host name to verify
     * @throws IllegalStateException    if the connection is not a plain socket (TLS already, a
     *                                  pipe), a read or a sendfile is in progress, or the caller
     *                                  is not a task (a read another task starts while the
     *                                  upgrade runs throws it too)
     * @throws IOException              if the writer is closing, the connection failed, or the
     *                                  handshake fails (the connection is then aborted)
     * @throws org.asyncio4j.CancelledException if the task is cancelled meanwhile (the connection
     *                                  is then aborted)
     */
    public void startTls(SSLContext sslContext, String serverHostname) throws IOException {
        Objects.requireNonNull(sslContext, "sslContext");
        checkWritable();
        if (!(transport instanceof SocketTransport plain) || reader == null) {
            throw new IllegalStateException(transport instanceof TlsTransport ? "startTls: the connection already uses TLS"
                    : "startTls: only a socket connection's writer can be upgraded to TLS");
        }
        if (reader.isReading()) {
            throw new IllegalStateException("startTls: a read is in progress on the connection's StreamReader");
        }
        String host = serverSide ? null : serverHostname != null ? serverHostname : peerHost;
        if (!serverSide && host == null) {
            throw new IllegalArgumentException("startTls: no server host name to verify: pass one");
        }
        busy = "startTls";
        reader.holdForUpgrade(true);        // a read meanwhile would take handshake records as data
        boolean ok = false;
        try {
            flushAll();
            TlsTransport tls = NetEngine.ENGINE.startTls(plain, sslContext, serverSide, host, options);
            transport = tls;
            reader.switchTransport(tls);
            ok = true;
        } finally {
            reader.holdForUpgrade(false);
            busy = null;
            if (!ok) {
                abort();
            }
        }
    }

    /**
     * Sends part of a file (Python's {@code loop.sendfile(transport, file, offset, count)} on
     * a stream's transport): after everything written so far is sent, zero-copy
     * ({@link FileChannel#transferTo}) over a plain socket, read and written through the
     * session over TLS. Suspends while the socket is full. Writes from other tasks meanwhile
     * are refused ({@link IllegalStateException}, as asyncio's transport refuses them). The
     * file's position is left alone.
     *
     * @param file   the file, open for reading
     * @param offset where to start, in bytes
     * @param count  how many bytes, or 0 for all up to the end of the file
     * @return the bytes sent (fewer than {@code count} if the file is shorter)
     * @throws NullPointerException     if {@code file} is null
     * @throws IllegalArgumentException if {@code offset} or {@code count} is negative
     * @throws IllegalStateException    if a sendfile or startTls is already in progress, or the
     *                                  caller is not a task
     * @throws IOException              if the writer is closing, the connection failed, or the
     *                                  file cannot be read
     * @throws org.asyncio4j.CancelledException if the task is cancelled meanwhile (part of the
     *                                  file may have been sent)
     */
    public long sendfile(FileChannel file, long offset, long count) throws IOException {
        Sendfile.check(file, offset, count);
        checkWritable();
        busy = "sendfile";
        try {
            flushAll();
            return Sendfile.send(transport, file, offset, count);
        } finally {
            busy = null;
        }
    }

    /** Suspends until everything buffered (and any partly sent TLS record) is out. */
    private void flushAll() throws IOException {
        while (failure == null && (buffered > 0 || !buffer.isEmpty() || transport.hasPendingOutput())) {
            scheduleFlush();
            drainers.await(transport.loop(), NO_TOKEN);
        }
        if (failure != null) {
            throw new IOException("the connection failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public String toString() {
        return "StreamWriter[" + (closing ? "closing" : "open") + ", buffered=" + buffered
                + (failure != null ? ", failed: " + failure.getMessage() : "") + "]";
    }
}
