package org.asyncio4j.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * TLS over a {@link SocketTransport}, with the JDK's {@link SSLEngine}.
 *
 * <h2>Implementation overview</h2>
 * Three buffers: {@code netIn} (ciphertext received, kept in write mode), {@code appIn}
 * (plaintext decrypted, write mode) and {@code netOut} (ciphertext to send, read mode). The
 * handshake runs in the connecting or accepting task and suspends on socket readiness; its
 * delegated tasks (certificate checks) run on the default executor. After it, reads decrypt on
 * demand ({@link #readNow}) and writes encrypt on demand ({@link #writeNow}): each call wraps
 * at most one record and sends what the socket takes, leaving the rest of that record pending
 * for {@link #flushPending}, which the writer's flusher calls when the socket is writable.
 * Post-handshake messages (TLS 1.3 session tickets, key updates) are handled inside readNow.
 * TLS cannot half-close, so {@link #canShutdownOutput()} is false, as in Python.
 */
public final class TlsTransport extends ByteTransport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketTransport net;
    private final SSLEngine engine;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private boolean netEof;
    private boolean inboundDone;

    private TlsTransport(SocketTransport net, SSLEngine engine) {
        super(net.loop());
        this.net = net;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        int app = engine.getSession().getApplicationBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(app);
        this.netOut = ByteBuffer.allocate(packet);
        this.netOut.flip();
    }

    /** A client session: verifies the server's certificate and host name. */
    public static TlsTransport client(SocketTransport net, SSLContext ctx, String host, int port) {
        SSLEngine e = host != null ? ctx.createSSLEngine(host, port) : ctx.createSSLEngine();
        e.setUseClientMode(true);
        if (host != null) {
            SSLParameters p = e.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            e.setSSLParameters(p);
        }
        return new TlsTransport(net, e);
    }

    /** A server session. */
    public static TlsTransport server(SocketTransport net, SSLContext ctx) {
        SSLEngine e = ctx.createSSLEngine();
        e.setUseClientMode(false);
        return new TlsTransport(net, e);
    }

    /** Runs the handshake; suspends the current task on the socket. */
    public void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    wrap(EMPTY);
                    flushSuspending();
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult r = unwrap();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || r.bytesConsumed() == 0 && r.bytesProduced() == 0
                            && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_TASK
                            && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        readMoreSuspending();
                    }
                }
                case NEED_TASK -> runDelegatedTasksOffLoop();
                default -> {
                    flushSuspending();
                    return;
                }
            }
        }
    }

    private void runDelegatedTasksOffLoop() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            Runnable task = t;
            Structured.toThread(() -> {
                task.run();
                return null;
            });
        }
    }

    private void runDelegatedTasksInline() {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
            t.run();
        }
    }

    private void readMoreSuspending() throws IOException {
        while (true) {
            ensureNetInRoom();
            int n = net.readNow(netIn);
            if (n > 0) {
                return;
            }
            if (n < 0) {
                netEof = true;
                throw new EOFException("the peer closed the connection during the TLS handshake");
            }
            net.awaitReadable();
        }
    }

    private void flushSuspending() throws IOException {
        while (netOut.hasRemaining()) {
            net.writeNow(netOut);
            if (netOut.hasRemaining()) {
                loop.awaitReady(net.channel(), SelectionKey.OP_WRITE);
            }
        }
    }

    private SSLEngineResult unwrap() throws SSLException {
        netIn.flip();
        SSLEngineResult r;
        try {
            while (true) {
                r = engine.unwrap(netIn, appIn);
                if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    break;
                }
                ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
                appIn.flip();
                bigger.put(appIn);
                appIn = bigger;
            }
        } finally {
            netIn.compact();
        }
        return r;
    }

    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        netOut.compact();
        SSLEngineResult r;
        try {
            while (true) {
                r = engine.wrap(src, netOut);
                if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    break;
                }
                ByteBuffer bigger = ByteBuffer.allocate(netOut.capacity() * 2);
                netOut.flip();
                bigger.put(netOut);
                netOut = bigger;
            }
        } finally {
            netOut.flip();
        }
        return r;
    }

    private void ensureNetInRoom() {
        if (!netIn.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
    }

    @Override
    public int readNow(ByteBuffer dst) throws IOException {
        while (true) {
            if (appIn.position() > 0) {
                appIn.flip();
                int n = Math.min(dst.remaining(), appIn.remaining());
                int lim = appIn.limit();
                appIn.limit(appIn.position() + n);
                dst.put(appIn);
                appIn.limit(lim);
                appIn.compact();
                return n;
            }
            if (inboundDone) {
                return -1;
            }
            if (netIn.position() > 0) {
                SSLEngineResult r = unwrap();
                SSLEngineResult.Status st = r.getStatus();
                if (st == SSLEngineResult.Status.CLOSED) {
                    inboundDone = true;
                    continue;
                }
                SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runDelegatedTasksInline();
                    continue;
                }
                if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    wrap(EMPTY);                 // a key update's answer: sent when it can be
                    flushPending();
                    continue;
                }
                if (st == SSLEngineResult.Status.OK && (r.bytesConsumed() > 0 || r.bytesProduced() > 0)) {
                    continue;                    // a record decrypted (or a post-handshake message)
                }
            }
            if (netEof) {
                inboundDone = true;
                try {
                    engine.closeInbound();
                } catch (SSLException truncated) {
                    // the peer closed without close_notify: an end of stream all the same
                }
                continue;
            }
            ensureNetInRoom();
            int n = net.readNow(netIn);
            if (n == 0) {
                return 0;
            }
            if (n < 0) {
                netEof = true;
            }
        }
    }

    @Override
    public void awaitReadable() throws IOException {
        if (appIn.position() > 0 || inboundDone || netEof) {
            return;
        }
        net.awaitReadable();
    }

    @Override
    public int writeNow(ByteBuffer src) throws IOException {
        if (net.isClosed()) {
            throw new ClosedChannelException();
        }
        if (netOut.hasRemaining()) {
            net.writeNow(netOut);
            if (netOut.hasRemaining()) {
                return 0;
            }
        }
        int before = src.position();
        SSLEngineResult r = wrap(src);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the TLS session is closed");
        }
        net.writeNow(netOut);
        return src.position() - before;
    }

    @Override
    public boolean hasPendingOutput() {
        return netOut.hasRemaining();
    }

    @Override
    public boolean flushPending() throws IOException {
        if (netOut.hasRemaining()) {
            net.writeNow(netOut);
        }
        return !netOut.hasRemaining();
    }

    @Override
    public void awaitWritable() throws IOException {
        net.awaitWritable();
    }

    @Override
    public void markReadable() {
        net.markReadable();
    }

    /** The session's engine (a protocol transport's {@code "ssl_object"}). */
    public SSLEngine engine() {
        return engine;
    }

    /** The socket under the TLS session. */
    public SocketTransport net() {
        return net;
    }

    @Override
    public void whenWritable(Runnable callback) throws IOException {
        net.whenWritable(callback);
    }

    @Override
    public boolean canShutdownOutput() {
        return false;
    }

    @Override
    public void shutdownOutput() {
        throw new UnsupportedOperationException("a TLS stream cannot send EOF without closing");
    }

    @Override
    public void close() {
        if (!net.isClosed()) {
            try {
                engine.closeOutbound();
                wrap(EMPTY);                     // close_notify, sent if the socket takes it now
                net.writeNow(netOut);
            } catch (IOException e) {
                // closing anyway
            }
        }
        net.close();
    }

    @Override
    public void abort() {
        net.abort();
    }

    @Override
    public boolean isClosed() {
        return net.isClosed();
    }

    @Override
    public SocketAddress localAddress() {
        return net.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return net.remoteAddress();
    }
}
