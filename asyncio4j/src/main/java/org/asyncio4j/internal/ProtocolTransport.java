package org.asyncio4j.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionException;

import javax.net.ssl.SSLContext;

import org.asyncio4j.Context;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.protocols.BaseProtocol;
import org.asyncio4j.protocols.BufferedProtocol;
import org.asyncio4j.protocols.Protocol;
import org.asyncio4j.protocols.Transport;

/**
 * The stream transport under a {@link Protocol} or {@link BufferedProtocol}: a
 * {@link ByteTransport} (a socket, or TLS over one: the engine under the streams too) driven by
 * the loop's selector. Python: {@code _SelectorSocketTransport} and {@code _SSLProtocolTransport}.
 *
 * <h2>Implementation overview</h2>
 * Reading is pushed: while the transport reads, its {@link #reader} sits persistently in the
 * socket's OP_READ slot of the loop's {@link IoPoller}, which appends that one preallocated entry
 * to the ready queue whenever the socket is readable (no handle, no task, no re-registration per
 * message). The entry reads into the loop's shared read buffer ({@link
 * EventLoopImpl#protocolReadBuffer}: one reader runs at a time, and the buffer handed to {@code
 * dataReceived} is valid only during the call) or into the buffer {@code getBuffer} returns, and
 * calls the protocol; a plain socket is read again only while a read fills the buffer, TLS until
 * nothing decrypted is left; past {@link #READ_BUDGET} bytes the entry queues itself again, so
 * one busy connection cannot hold the loop. Writing tries the socket at once; what it does not
 * take is copied into {@link #buffer} (appended to the last chunk when it fits) and flushed by
 * the one-shot {@link #flusher} entry on OP_WRITE. The protocol is paused above the high-water
 * mark and resumed at the low one, as asyncio does. Loop-confined.
 *
 * <h2>States</h2>
 * <pre>
 *   state        closing  lost   what happens
 *   new          no       no     made, not started: no protocol yet (a TLS server's handshake)
 *   open         no       no     connectionMade queued or done; reading unless paused or at EOF
 *   closing      yes      no     close() called: no reads, no writes; flushing, then ends
 *   lost         yes      yes    socket closed, connectionLost queued (once), server told after it
 *   detached     yes      no     startTls moved the socket and the protocol to a new transport
 * </pre>
 * {@link #end} is the one way into {@code lost}: from close (once flushed), abort, a failure,
 * or a protocol callback that threw. After it no callback but the queued connectionLost runs.
 */
public final class ProtocolTransport implements Transport {
    /** Bytes delivered per readiness before the reader yields its turn to the rest of the loop. */
    private static final int READ_BUDGET = 256 * 1024;
    /** The smallest chunk the write buffer allocates (small writes share one). */
    private static final int CHUNK = 4096;

    private final EventLoopImpl loop;
    final ByteTransport bytes;
    final SocketTransport socket;
    private final SSLContext sslContext;
    private final boolean tls;
    private final Context context;             // the creator's context: callbacks run in it

    private BaseProtocol<Transport> protocol;  // null while new
    private Protocol streamProtocol;           // exactly one of these two once started
    private BufferedProtocol bufferedProtocol;
    Runnable onLost;                           // a server's bookkeeping, run after connectionLost

    private final AutoCloseable atLoopClose = this::closeWithLoop;
    private final Reader reader = new Reader();
    private final Flusher flusher = new Flusher();
    private boolean readRegistered;
    private boolean paused;                    // pauseReading
    private boolean readEof;
    private boolean lastReadFull;              // the last read filled its buffer: more may wait
    private boolean closing;
    private boolean lost;
    private boolean detached;
    private boolean eofRequested;              // writeEof
    private boolean sendfileBusy;
    private boolean flushScheduled;
    private boolean writingPaused;             // the protocol was told pauseWriting
    private int high, low;
    private final ArrayDeque<ByteBuffer> buffer = new ArrayDeque<>();
    private long buffered;
    private FutureImpl<Void> emptyWaiter;      // sendfile/startTls: woken once nothing is buffered

    ProtocolTransport(EventLoopImpl loop, ByteTransport bytes, SocketTransport socket, SSLContext sslContext,
            int high, int low) {
        this.loop = loop;
        this.bytes = bytes;
        this.socket = socket;
        this.sslContext = sslContext;
        this.tls = bytes instanceof TlsTransport;
        this.high = high;
        this.low = low;
        this.context = Contexts.capture();
        loop.releaseAtClose(atLoopClose);
    }

    /** The loop closes with the connection still open: the socket is closed, no callback runs any more. */
    private void closeWithLoop() {
        if (!lost && !detached) {
            lost = closing = true;
            bytes.abort();
        }
    }

    /** Checks that {@code p} is a protocol a stream transport can drive. */
    static BaseProtocol<Transport> check(BaseProtocol<Transport> p) {
        Objects.requireNonNull(p, "the protocol factory returned null");
        if (!(p instanceof Protocol) && !(p instanceof BufferedProtocol)) {
            throw new IllegalArgumentException("a stream transport needs a Protocol or a BufferedProtocol, not " + p.getClass().getName());
        }
        return p;
    }

    /**
     * Gives the transport its protocol: queues {@code connectionMade} (unless {@code callMade}
     * is false: startTls's protocol has had it), then starts reading, then completes
     * {@code made} (may be null).
     */
    void start(BaseProtocol<Transport> p, boolean callMade, FutureImpl<Void> made) {
        setProtocol(p);
        loop.callSoonInternal(handle(() -> {
            if (callMade) {                      // even if closed meanwhile: connectionMade comes first, always
                try {
                    protocol.connectionMade(this);
                } catch (Throwable t) {
                    callbackFailed("connectionMade", t);
                }
            }
            if (!closing && !paused && !readEof) {
                registerReader();
                if (tls) {
                    loop.io().queue(reader);     // the handshake may have left records decrypted
                }
            }
            if (made != null && !made.isDone()) {
                made.complete(null);
            }
        }));
    }

    private void setProtocol(BaseProtocol<Transport> p) {
        protocol = check(p);
        if (p instanceof BufferedProtocol b) {
            bufferedProtocol = b;
        } else {
            streamProtocol = (Protocol) p;
        }
    }

    private HandleImpl handle(Runnable r) {
        HandleImpl h = new HandleImpl(loop, r);
        h.context = context;
        return h;
    }

    // ================================================================== reading

    /** The persistent OP_READ entry. */
    private final class Reader extends IoPoller.Entry {
        Reader() {
            super(true);
        }

        @Override
        void ready() {
            if (!readRegistered) {
                return;                       // paused, closed or detached since it was queued
            }
            bytes.markReadable();
            Contexts.Slot slot = loop.contextSlot;
            Context outer = slot.enter(context);
            try {
                readLoop();
            } finally {
                slot.exit(outer);
            }
        }

        @Override
        public String toString() {
            return "reader of " + ProtocolTransport.this;
        }
    }

    /**
     * Reads and delivers until nothing is left now: a plain socket again only while a read fills
     * the buffer, TLS until nothing decrypted is left; past the budget the reader queues itself.
     */
    private void readLoop() {
        int budget = READ_BUDGET;
        while (true) {
            int n = bufferedProtocol != null ? readIntoProtocolBuffer() : readAndDeliver();
            if (n == 0 || !readRegistered || !lastReadFull && !tls) {
                return;
            }
            budget -= n;
            if (budget <= 0) {
                loop.io().queue(reader);
                return;
            }
        }
    }

    /** One read into the loop's buffer and its dataReceived: the bytes delivered, 0 if nothing more is to be done now. */
    private int readAndDeliver() {
        ByteBuffer buf = loop.protocolReadBuffer();
        buf.clear();
        int n = read(buf);
        if (n == 0) {
            return 0;
        }
        lastReadFull = !buf.hasRemaining();
        buf.flip();
        try {
            streamProtocol.dataReceived(buf);
        } catch (Throwable t) {
            callbackFailed("dataReceived", t);
            return 0;
        }
        return n;
    }

    /** One getBuffer, read and bufferUpdated: the bytes delivered, 0 if nothing more is to be done now. */
    private int readIntoProtocolBuffer() {
        ByteBuffer b;
        try {
            b = bufferedProtocol.getBuffer(-1);
            if (b == null || !b.hasRemaining()) {
                throw new IllegalStateException("getBuffer() returned " + (b == null ? "null" : "a buffer with no space left"));
            }
        } catch (Throwable t) {
            callbackFailed("getBuffer", t);
            return 0;
        }
        int pos = b.position();
        int n;
        try {
            n = read(b);
        } finally {
            b.position(pos);
        }
        if (n == 0) {
            return 0;
        }
        lastReadFull = n == b.remaining();
        try {
            bufferedProtocol.bufferUpdated(n);
        } catch (Throwable t) {
            callbackFailed("bufferUpdated", t);
            return 0;
        }
        return n;
    }

    /** Reads into {@code b}: the count, or 0 once nothing came now, the EOF was handled or the failure was. */
    private int read(ByteBuffer b) {
        int n;
        try {
            n = bytes.readNow(b);
        } catch (IOException e) {
            fatal(e, "Fatal read error");
            return 0;
        }
        if (n < 0) {
            eofReceived();
            return 0;
        }
        return n;
    }

    /** The peer's EOF: asyncio's {@code _read_ready__on_eof}. Over TLS the connection closes whatever eofReceived says, as in Python. */
    private void eofReceived() {
        readEof = true;
        unregisterReader();
        boolean keepOpen;
        try {
            keepOpen = streamProtocol != null ? streamProtocol.eofReceived() : bufferedProtocol.eofReceived();
        } catch (Throwable t) {
            callbackFailed("eofReceived", t);
            return;
        }
        if (!keepOpen || tls) {
            close();
        }
    }

    private void registerReader() {
        if (readRegistered) {
            return;
        }
        try {
            loop.whenReady(socket.channel(), SelectionKey.OP_READ, reader);
            readRegistered = true;
        } catch (IOException e) {
            fatal(e, "Fatal error registering the socket");
        }
    }

    private void unregisterReader() {
        if (readRegistered) {
            readRegistered = false;
            loop.io().drop(socket.channel(), SelectionKey.OP_READ, reader);
        }
    }

    @Override
    public void pauseReading() {
        loop.checkThread("pauseReading");
        if (closing || paused) {
            return;
        }
        paused = true;
        unregisterReader();
    }

    @Override
    public void resumeReading() {
        loop.checkThread("resumeReading");
        if (closing || !paused) {
            return;
        }
        paused = false;
        if (protocol != null && !readEof) {
            registerReader();
            if (tls && readRegistered) {
                loop.io().queue(reader);         // decrypted bytes may wait in the TLS buffers
            }
        }
    }

    @Override
    public boolean isReading() {
        return !closing && !paused && !readEof;
    }

    // ================================================================== writing

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        loop.checkThread("write");
        checkWritable();
        if (!data.hasRemaining()) {
            return;
        }
        if (buffer.isEmpty() && !bytes.hasPendingOutput()) {
            try {
                int n = bytes.writeNow(data);
                while (tls && n > 0 && data.hasRemaining() && !bytes.hasPendingOutput()) {
                    n = bytes.writeNow(data);            // TLS takes one record per call
                }
            } catch (IOException e) {
                fatal(e, "Fatal write error");
                return;
            }
            if (!data.hasRemaining()) {
                if (bytes.hasPendingOutput()) {
                    scheduleFlush();                     // a TLS record only partly sent
                }
                return;
            }
        }
        append(data);
        scheduleFlush();
        maybePauseProtocol();
    }

    @Override
    public void write(byte[] data) {
        Objects.requireNonNull(data, "data");
        write(ByteBuffer.wrap(data));
    }

    @Override
    public void writeLines(Iterable<byte[]> data) {
        Objects.requireNonNull(data, "data");
        java.util.List<ByteBuffer> bufs = ByteTransport.wrapNonEmpty(data, "data contains null");
        loop.checkThread("writeLines");
        checkWritable();                  // also for a list of empty chunks, as write(new byte[0]) checks
        if (tls || !ByteTransport.gatherable(bufs) || !buffer.isEmpty() || bytes.hasPendingOutput()) {
            for (ByteBuffer b : bufs) {
                if (closing) {
                    return;               // a failed write closed the transport: the rest is dropped, as on a socket
                }
                write(b);
            }
            return;
        }
        try {
            bytes.writeNow(bufs.toArray(ByteBuffer[]::new));   // one gathering send (Python 3.12: sendmsg)
        } catch (IOException e) {
            fatal(e, "Fatal write error");
            return;
        }
        boolean left = false;
        for (ByteBuffer b : bufs) {
            if (b.hasRemaining()) {
                append(b);
                left = true;
            }
        }
        if (left) {
            scheduleFlush();
            maybePauseProtocol();
        }
    }

    private void checkWritable() {
        if (closing) {
            throw new IllegalStateException("write() on a closing transport: " + this);
        }
        if (eofRequested) {
            throw new IllegalStateException("write() after writeEof(): " + this);
        }
        if (sendfileBusy) {
            throw new IllegalStateException("write() while sendfile is in progress: " + this);
        }
    }

    /** Copies {@code data}'s remaining bytes to the end of the buffer. */
    private void append(ByteBuffer data) {
        int n = data.remaining();
        ByteBuffer tail = buffer.peekLast();
        if (tail != null && tail.capacity() - tail.limit() >= n) {
            int at = tail.limit();
            tail.limit(at + n);
            tail.put(at, data, data.position(), n);
            data.position(data.position() + n);
        } else {
            ByteBuffer c = ByteBuffer.allocate(Math.max(n, CHUNK));
            c.put(data).flip();
            buffer.addLast(c);
        }
        buffered += n;
    }

    private void scheduleFlush() {
        if (flushScheduled) {
            return;
        }
        try {
            bytes.whenWritable(flusher);
            flushScheduled = true;
        } catch (IOException e) {
            fatal(e, "Fatal write error");
        }
    }

    /** The one-shot OP_WRITE entry. */
    private final class Flusher extends IoPoller.Entry {
        Flusher() {
            super(false);
        }

        @Override
        void ready() {
            flushScheduled = false;
            if (lost || detached) {
                return;
            }
            Contexts.Slot slot = loop.contextSlot;
            Context outer = slot.enter(context);
            try {
                flush();
            } finally {
                slot.exit(outer);
            }
        }

        @Override
        public String toString() {
            return "flusher of " + ProtocolTransport.this;
        }
    }

    /** asyncio's {@code _write_ready}: sends what the socket takes, resumes the protocol, finishes a close or writeEof. */
    private void flush() {
        try {
            while (!buffer.isEmpty()) {
                ByteBuffer head = buffer.peekFirst();
                buffered -= bytes.writeNow(head);
                if (head.hasRemaining()) {
                    break;
                }
                buffer.pollFirst();
            }
            if (buffer.isEmpty()) {
                bytes.flushPending();
            }
        } catch (IOException e) {
            fatal(e, "Fatal write error");
            return;
        }
        maybeResumeProtocol();                   // it may write more
        if (lost) {
            return;
        }
        if (!buffer.isEmpty() || bytes.hasPendingOutput()) {
            scheduleFlush();
            return;
        }
        FutureImpl<Void> w = emptyWaiter;
        if (w != null) {
            emptyWaiter = null;
            w.complete(null);
        }
        if (closing && !detached) {
            end(null, false);
        } else if (eofRequested) {
            shutdownOutput();
        }
    }

    private void maybePauseProtocol() {
        if (!writingPaused && buffered > high && !lost) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (Throwable t) {
                callbackFailed("pauseWriting", t);
            }
        }
    }

    private void maybeResumeProtocol() {
        if (writingPaused && buffered <= low && !lost) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (Throwable t) {
                callbackFailed("resumeWriting", t);
            }
        }
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("write buffer limits need 0 <= low <= high, not high=" + high + " low=" + low);
        }
        loop.checkThread("setWriteBufferLimits");
        this.high = high;
        this.low = low;
        if (protocol != null) {
            maybePauseProtocol();
        }
    }

    @Override
    public int getWriteBufferSize() {
        return (int) Math.min(Integer.MAX_VALUE, buffered);
    }

    @Override
    public void writeEof() {
        loop.checkThread("writeEof");
        if (!bytes.canShutdownOutput()) {
            throw new UnsupportedOperationException("a TLS transport cannot send EOF without closing (canWriteEof() is false)");
        }
        if (closing || eofRequested) {
            return;
        }
        eofRequested = true;
        if (buffer.isEmpty() && !bytes.hasPendingOutput()) {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        try {
            bytes.shutdownOutput();
        } catch (IOException e) {
            fatal(e, "Fatal error sending EOF");
        }
    }

    @Override
    public boolean canWriteEof() {
        return bytes.canShutdownOutput();
    }

    // ================================================================== closing

    @Override
    public void close() {
        loop.checkThread("close");
        if (closing) {
            return;
        }
        closing = true;
        unregisterReader();
        if (buffer.isEmpty() && !bytes.hasPendingOutput()) {
            end(null, false);
        } else {
            scheduleFlush();
        }
    }

    @Override
    public void abort() {
        loop.checkThread("abort");
        end(null, true);
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    /** A failure of the connection: asyncio's {@code _fatal_error} (an I/O error is not reported, as there). */
    private void fatal(Exception e, String what) {
        if (!(e instanceof IOException) && !lost) {
            loop.callExceptionHandler(new ExceptionContext(what + " on " + this, e, null, null));
        }
        end(e, false);
    }

    /** A protocol callback threw: reported, naming the protocol and the transport; the transport ends with it. */
    private void callbackFailed(String method, Throwable t) {
        loop.callExceptionHandler(new ExceptionContext("Fatal error: protocol." + method + "() call failed; protocol "
                + protocol + ", transport " + this, t, null, null));
        end(t instanceof Exception e ? e : new CompletionException(t), false);
    }

    /**
     * The one way into {@code lost}: drops the buffer, stops reading, closes the socket (reset
     * if {@code reset}), fails a sendfile/startTls waiter, and queues connectionLost(exc), after
     * which the server forgets the connection. Idempotent.
     */
    private void end(Exception exc, boolean reset) {
        if (lost || detached) {
            return;
        }
        lost = true;
        closing = true;
        loop.forgetAtClose(atLoopClose);
        unregisterReader();
        buffer.clear();
        buffered = 0;
        if (reset) {
            bytes.abort();
        } else {
            bytes.close();
        }
        FutureImpl<Void> w = emptyWaiter;
        if (w != null) {
            emptyWaiter = null;
            w.fail(exc instanceof IOException io ? io
                    : exc != null ? new IOException("the connection was lost: " + exc, exc) : new ClosedChannelException());
            w.markRetrieved();
        }
        BaseProtocol<Transport> p = protocol;
        if (p == null) {
            runOnLost();                           // never started: no protocol to tell
            return;
        }
        loop.callSoonInternal(handle(() -> {
            try {
                p.connectionLost(exc);
            } catch (Throwable t) {
                loop.callExceptionHandler(new ExceptionContext("Fatal error: protocol.connectionLost() call failed; protocol "
                        + p + ", transport " + this, t, null, null));
            } finally {
                runOnLost();
            }
        }));
    }

    private void runOnLost() {
        Runnable r = onLost;
        onLost = null;
        if (r != null) {
            r.run();
        }
    }

    /** A connection that never got its protocol (a failed or cancelled TLS handshake): closed at once. */
    void discard() {
        if (protocol == null) {
            end(null, true);
        }
    }

    // ================================================================== sendfile and startTls

    /** Suspends the calling task until nothing is buffered (sendfile, startTls). */
    void awaitEmpty() throws IOException {
        while (!buffer.isEmpty() || bytes.hasPendingOutput()) {
            if (lost) {
                throw new ClosedChannelException();
            }
            scheduleFlush();
            FutureImpl<Void> w = new FutureImpl<>(loop);
            emptyWaiter = w;
            try {
                w.await();
            } catch (CompletionException e) {
                throw FutureImpl.ioCause(e);
            } finally {
                if (emptyWaiter == w) {
                    emptyWaiter = null;
                }
            }
        }
    }

    /** Checks that the transport may start a sendfile or a TLS upgrade. */
    void checkOpen(String operation) {
        if (closing) {
            throw new IllegalStateException(operation + ": the transport is closing: " + this);
        }
        if (sendfileBusy) {
            throw new IllegalStateException(operation + ": sendfile is in progress: " + this);
        }
    }

    /** Sends a file once the buffer is empty; reading is paused meanwhile, as in asyncio. */
    long sendfile(java.nio.channels.FileChannel file, long offset, long count) throws IOException {
        checkOpen("sendfile");
        boolean wasReading = isReading();
        sendfileBusy = true;
        pauseReading();
        try {
            awaitEmpty();
            return Sendfile.send(bytes, file, offset, count);
        } finally {
            sendfileBusy = false;
            if (wasReading) {
                resumeReading();
            }
        }
    }

    /**
     * startTls: stops this transport for good without telling its protocol, once its buffer is
     * empty. The socket, the water marks and the server's bookkeeping move to the successor.
     */
    void detachTo(ProtocolTransport next) {
        unregisterReader();
        detached = true;
        closing = true;
        loop.forgetAtClose(atLoopClose);
        next.onLost = onLost;
        onLost = null;
        next.high = high;
        next.low = low;
    }

    /** startTls's failed handshake: the successor ends with {@code e}, telling the protocol. */
    void failStart(BaseProtocol<Transport> p, Exception e) {
        setProtocol(p);
        end(e, true);
    }

    // ================================================================== information

    @Override
    public Object getExtraInfo(String key) {
        Objects.requireNonNull(key, "key");
        return switch (key) {
            case "peername" -> bytes.remoteAddress();
            case "sockname" -> bytes.localAddress();
            case "socket" -> socket.channel();
            case "sslcontext" -> sslContext;
            case "ssl_object" -> bytes instanceof TlsTransport t ? t.engine() : null;
            case "cipher" -> bytes instanceof TlsTransport t ? t.engine().getSession().getCipherSuite() : null;
            case "peercert" -> bytes instanceof TlsTransport t ? peerCertificates(t) : null;
            default -> null;
        };
    }

    private static Object peerCertificates(TlsTransport t) {
        try {
            return t.engine().getSession().getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        String state = detached ? "detached" : lost ? "closed" : closing ? "closing" : protocol == null ? "new" : "open";
        return "ProtocolTransport[" + state + (tls ? " tls" : "") + " peer=" + bytes.remoteAddress()
                + (paused ? ", paused" : "") + (readEof ? ", eof" : "") + ", buffered=" + buffered + "]";
    }
}
