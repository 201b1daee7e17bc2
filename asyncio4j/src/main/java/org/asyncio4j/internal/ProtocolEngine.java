package org.asyncio4j.internal;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.asyncio4j.CancelledException;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Task;
import org.asyncio4j.protocols.BaseProtocol;
import org.asyncio4j.protocols.Protocol;
import org.asyncio4j.protocols.Transport;
import org.asyncio4j.protocols.TransportAndProtocol;
import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;

/**
 * The protocol half of the stream engine: {@code EventLoop.createConnection}, {@code
 * createServer}, their Unix and existing-channel forms, {@code startTls} and {@code sendfile}.
 *
 * <h2>Implementation overview</h2>
 * Connecting, resolving, listening and accepting are {@link NetEngine}'s, the very code the
 * streams run (so a change to the connect path applies to both): a connection is connected
 * (and its TLS handshake done) in the calling task, then gets a {@link ProtocolTransport}; a
 * server is a stream server whose acceptor hands every accepted socket here ({@link
 * NetEngine.HandOff}) instead of starting a handler task. A plain accepted connection gets its
 * transport at once, in the accept task, with no task of its own; a TLS one gets a task for its
 * handshake only. Every call runs in a task of the loop it is made on.
 */
final class ProtocolEngine {
    /** The stream handler of a protocol server: never run, every connection is handed off. */
    private static final ClientHandler HANDED_OFF = (r, w) -> {
        throw new AssertionError("a protocol server's connections are handed off");
    };

    private ProtocolEngine() {
    }

    private static void inTaskOf(EventLoopImpl loop, String operation) {
        TaskImpl<?> t = Structured.task(operation);
        if (t.getLoop() != loop) {
            throw new IllegalStateException(operation + "() must be called from a task of the loop it is called on (" + loop
                    + "), not from one of " + t.getLoop());
        }
    }

    // ================================================================== connections

    static <P extends BaseProtocol<Transport>> TransportAndProtocol<Transport, P> createConnection(EventLoopImpl loop,
            Supplier<P> factory, String host, int port, StreamOptions options) throws IOException {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        NetEngine.checkPort(port);
        inTaskOf(loop, "createConnection");
        SocketChannel ch = NetEngine.ENGINE.connectTcp(host, port, options);
        return connected(loop, factory, ch, options, host, port);
    }

    static <P extends BaseProtocol<Transport>> TransportAndProtocol<Transport, P> createUnixConnection(EventLoopImpl loop,
            Supplier<P> factory, Path path, StreamOptions options) throws IOException {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        inTaskOf(loop, "createUnixConnection");
        SocketChannel ch = NetEngine.connectUnix(loop, path);
        return connected(loop, factory, ch, options, options.serverHostname(), 0);
    }

    static <P extends BaseProtocol<Transport>> TransportAndProtocol<Transport, P> createConnection(EventLoopImpl loop,
            Supplier<P> factory, SocketChannel channel, StreamOptions options) throws IOException {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        inTaskOf(loop, "createConnection");
        NetEngine.checkGiven(channel, "createConnection", "createConnection(factory, host, port)");
        NetEngine.takeGiven(loop, channel);
        return connected(loop, factory, channel, options, options.serverHostname(), 0);
    }

    /** A connected client socket: TLS if asked, the protocol, its transport; returns once connectionMade has run. */
    private static <P extends BaseProtocol<Transport>> TransportAndProtocol<Transport, P> connected(EventLoopImpl loop,
            Supplier<P> factory, SocketChannel ch, StreamOptions o, String host, int port) throws IOException {
        ProtocolTransport t;
        P p;
        boolean ok = false;
        try {
            ByteTransport bytes = NetEngine.clientTransport(loop, ch, o, host, port);
            SocketTransport socket = bytes instanceof TlsTransport tls ? tls.net() : (SocketTransport) bytes;
            p = factory.get();
            ProtocolTransport.check(p);
            t = new ProtocolTransport(loop, bytes, socket, o.ssl(), o.highWater(), o.lowWater());
            ok = true;
        } finally {
            if (!ok) {
                NetEngine.discard(loop, ch);
            }
        }
        FutureImpl<Void> made = new FutureImpl<>(loop);
        t.start(p, true, made);
        try {
            made.await();
        } catch (CancelledException e) {
            t.close();
            throw e;
        }
        return new TransportAndProtocol<>(t, p);
    }

    // ================================================================== servers

    /** A protocol server's acceptor: every accepted socket becomes a protocol transport here. */
    private static final class Acceptor implements NetEngine.HandOff {
        private final Supplier<? extends BaseProtocol<Transport>> factory;
        private final StreamOptions options;
        private Server server;                   // set once the server exists

        Acceptor(Supplier<? extends BaseProtocol<Transport>> factory, StreamOptions options) {
            this.factory = Objects.requireNonNull(factory, "protocolFactory");
            this.options = Objects.requireNonNull(options, "options");
        }

        Server serving(Server s) {
            server = s;
            return s;
        }

        @Override
        public boolean handOff(SocketChannel c, EventLoopImpl loop) {
            if (server == null) {
                // An eager accept task took a connection inside startServer: serve it once it returns.
                loop.callSoonInternal(new HandleImpl(loop, () -> handOff(c, loop)));
                return true;
            }
            try {
                accepted(loop, c);
            } catch (IOException | RuntimeException e) {
                loop.callExceptionHandler(new ExceptionContext("Error on transport creation for incoming connection on "
                        + server, e, null, null));
                loop.forget(c);
                try {
                    c.close();
                } catch (IOException gone) {
                    // closing anyway
                }
            }
            return true;
        }

        private void accepted(EventLoopImpl loop, SocketChannel c) throws IOException {
            try {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (UnsupportedOperationException | IOException unixSocket) {
                // not TCP
            }
            SocketTransport plain = new SocketTransport(loop, c);
            SSLContext ssl = options.ssl();
            if (ssl == null) {
                BaseProtocol<Transport> p = factory.get();
                ProtocolTransport.check(p);
                ProtocolTransport t = new ProtocolTransport(loop, plain, plain, null, options.highWater(), options.lowWater());
                t.onLost = NetEngine.adoptTransport(server, t);
                t.start(p, true, null);
                return;
            }
            TlsTransport tls = TlsTransport.server(plain, ssl);
            ProtocolTransport t = new ProtocolTransport(loop, tls, plain, ssl, options.highWater(), options.lowWater());
            t.onLost = NetEngine.adoptTransport(server, t);
            Task<Void> handshake = loop.createTask(() -> {
                try {
                    NetEngine.handshake(tls, options);
                } catch (CancelledException e) {
                    t.discard();
                    throw e;
                } catch (IOException | RuntimeException e) {
                    // asyncio drops a connection whose handshake failed; reported, as the streams do
                    loop.callExceptionHandler(new ExceptionContext("TLS handshake failed on " + server + " for "
                            + plain.remoteAddress(), e, null, null));
                    t.discard();
                    return;
                }
                BaseProtocol<Transport> p;
                try {
                    p = ProtocolTransport.check(factory.get());
                } catch (RuntimeException e) {
                    loop.callExceptionHandler(new ExceptionContext("Error on transport creation for incoming connection on "
                            + server, e, null, null));
                    t.discard();
                    return;
                }
                t.start(p, true, null);
            }, "TLS handshake " + plain.remoteAddress());
            handshake.addDoneCallback(f -> t.discard());   // cancelled before it ran, or failed: dropped
        }
    }

    static Server createServer(EventLoopImpl loop, Supplier<? extends BaseProtocol<Transport>> factory, String host, int port,
            StreamOptions options) throws IOException {
        Acceptor a = new Acceptor(factory, options);
        inTaskOf(loop, "createServer");
        return a.serving(NetEngine.ENGINE.startServer(HANDED_OFF, host, port, options, a));
    }

    static Server createServer(EventLoopImpl loop, Supplier<? extends BaseProtocol<Transport>> factory,
            ServerSocketChannel channel, StreamOptions options) throws IOException {
        Acceptor a = new Acceptor(factory, options);
        inTaskOf(loop, "createServer");
        return a.serving(NetEngine.ENGINE.startServer(HANDED_OFF, channel, options, a));
    }

    static Server createUnixServer(EventLoopImpl loop, Supplier<? extends Protocol> factory, Path path, StreamOptions options)
            throws IOException {
        Acceptor a = new Acceptor(factory, options);
        inTaskOf(loop, "createUnixServer");
        return a.serving(NetEngine.ENGINE.startUnixServer(HANDED_OFF, path, options, a));
    }

    // ================================================================== TLS upgrade and sendfile

    private static ProtocolTransport own(EventLoopImpl loop, Transport transport, String operation) {
        Objects.requireNonNull(transport, "transport");
        if (!(transport instanceof ProtocolTransport t) || t.socket.loop() != loop) {
            throw new IllegalArgumentException(operation + ": not a socket transport of this loop: " + transport);
        }
        return t;
    }

    static Transport startTls(EventLoopImpl loop, Transport transport, Protocol protocol, SSLContext ssl, boolean serverSide,
            String serverHostname) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(ssl, "sslContext");
        ProtocolTransport old = own(loop, transport, "startTls");
        inTaskOf(loop, "startTls");
        if (old.bytes instanceof TlsTransport) {
            throw new IllegalArgumentException("startTls: the transport is already TLS: " + transport);
        }
        old.checkOpen("startTls");
        old.pauseReading();                     // nothing more goes to the plain protocol
        try {
            old.awaitEmpty();                   // what was written before the upgrade goes first, in clear
        } catch (CancelledException e) {
            old.close();                        // as documented (and Python): a cancelled upgrade closes the connection
            throw e;
        }
        old.checkOpen("startTls");
        SocketTransport socket = old.socket;
        TlsTransport tls = serverSide ? TlsTransport.server(socket, ssl) : TlsTransport.client(socket, ssl, serverHostname, 0);
        ProtocolTransport next = new ProtocolTransport(loop, tls, socket, ssl, 0, 0);
        old.detachTo(next);
        try {
            NetEngine.handshake(tls, StreamOptions.defaults());
        } catch (IOException | RuntimeException e) {
            next.failStart(protocol, e);
            throw e;
        }
        FutureImpl<Void> started = new FutureImpl<>(loop);
        next.start(protocol, false, started);
        try {
            started.await();
        } catch (CancelledException e) {
            next.close();                       // nobody would hold the new transport: close it
            throw e;
        }
        return next;
    }

    static long sendfile(EventLoopImpl loop, Transport transport, FileChannel file, long offset, long count) throws IOException {
        Sendfile.check(file, offset, count);
        ProtocolTransport t = own(loop, transport, "sendfile");
        inTaskOf(loop, "sendfile");
        return t.sendfile(file, offset, count);
    }
}
