package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;

import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.streams.Connection;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections and servers with protocols, ported from CPython's test_events (create_connection,
 * create_unix_connection, the SSL variants and their extra info, connect_accepted_socket,
 * create_server, create_server(sock=), address in use, server close, create_unix_server) with
 * MyProto's state machine (the {@link Recorder}); the peer is a stream client or server of the
 * same loop. Real clock, loopback, port 0.
 */
@Timeout(30)
class ProtocolConnectionTest {
    static final byte[] REQUEST = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static EventLoop loop() {
        return getRunningLoop();
    }

    /** A stream server that answers one request line with a body, then closes (test_utils.run_test_server). */
    static Server httpLikeServer() throws IOException {
        return startServer((r, w) -> {
            r.readLine();
            w.write(b("HTTP/1.0 200 OK\r\n\r\nTest message"));
            w.drain();
            w.close();
        }, "127.0.0.1", 0);
    }

    /** MyProto: writes a request as soon as it is connected. */
    static final class MyProto extends Recorder {
        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            t.write(REQUEST);
        }
    }

    /** A factory of one Recorder, which it hands to {@code proto}. */
    static java.util.function.Supplier<Recorder> recording(Future<Recorder> proto) {
        return () -> {
            Recorder r = new Recorder();
            proto.setResult(r);
            return r;
        };
    }

    static List<ExceptionContext> captureLoopErrors() {
        List<ExceptionContext> seen = new ArrayList<>();
        loop().setExceptionHandler((l, ctx) -> seen.add(ctx));
        return seen;
    }

    // ---- create_connection ----------------------------------------------------------------

    @Test
    void createConnection_connectionMadeBeforeReturn_thenDataEofAndLostInOrder() {
        run(() -> {
            try (Server server = httpLikeServer()) {
                var tp = loop().createConnection(MyProto::new, "127.0.0.1", server.port());
                MyProto p = tp.protocol();
                assertSame(tp.transport(), p.transport);
                assertEquals("CONNECTED", p.state, "connectionMade ran before createConnection returned");
                assertNotNull(tp.transport().getExtraInfo("sockname"));
                assertNull(p.done.await(), "EOF and close: connectionLost(null)");
                assertTrue(p.nbytes > 0);
                assertTrue(p.text().startsWith("HTTP/1.0 200 OK"));
                assertEquals("eof", p.events.get(p.events.size() - 2));
                p.assertLostOnceAndLast();
                tp.transport().close();                  // again: nothing more happens
                sleep(0.05);
                p.assertLostOnceAndLast();
            }
        });
    }

    @Test
    void createUnixConnection_sameStateMachine() {
        run(() -> {
            Path path = tmp.resolve("s.sock");
            try (Server server = startUnixServer((r, w) -> {
                r.readLine();
                w.write(b("hello over unix"));
                w.close();
            }, path)) {
                var tp = loop().createUnixConnection(MyProto::new, path);
                MyProto p = tp.protocol();
                assertNull(p.done.await());
                assertEquals("hello over unix", p.text());
                assertInstanceOf(UnixDomainSocketAddress.class, tp.transport().getExtraInfo("peername"));
                p.assertLostOnceAndLast();
            }
        });
    }

    @Test
    void createConnection_tls_extraInfoNamesTheSession() {
        run(() -> {
            try (Server server = startServer((r, w) -> {
                r.readLine();
                w.write(b("secret"));
                w.close();
            }, "127.0.0.1", 0, StreamOptions.defaults().withSsl(TestTls.server()))) {
                var tp = loop().createConnection(MyProto::new, "127.0.0.1", server.port(),
                        StreamOptions.defaults().withSsl(TestTls.client()));
                Transport t = tp.transport();
                assertSame(TestTls.client(), t.getExtraInfo("sslcontext"));
                assertInstanceOf(SSLEngine.class, t.getExtraInfo("ssl_object"));
                assertInstanceOf(String.class, t.getExtraInfo("cipher"));
                assertNotNull(t.getExtraInfo("peercert"));
                assertEquals(new InetSocketAddress("127.0.0.1", server.port()), t.getExtraInfo("peername"));
                assertFalse(t.canWriteEof());
                assertThrows(UnsupportedOperationException.class, t::writeEof);
                MyProto p = tp.protocol();
                assertNull(p.done.await());
                assertEquals("secret", p.text());
                p.assertLostOnceAndLast();
            }
        });
    }

    @Test
    void createConnection_tlsToUntrustedServer_throwsAndLeavesNoProtocol() {
        run(() -> {
            captureLoopErrors();
            try (Server server = startServer((r, w) -> w.close(), "127.0.0.1", 0,
                    StreamOptions.defaults().withSsl(TestTls.server()))) {
                List<Recorder> made = new ArrayList<>();
                IOException e = assertThrows(IOException.class, () -> loop().createConnection(() -> {
                    Recorder r = new Recorder();
                    made.add(r);
                    return r;
                }, "127.0.0.1", server.port(), StreamOptions.defaults().withSsl(SSLContext.getDefault())));
                assertInstanceOf(javax.net.ssl.SSLException.class, e);
                assertTrue(made.isEmpty() || made.get(0).events.isEmpty(), "no callback for a failed connection");
            }
        });
    }

    @Test
    void createConnection_refused_throwsConnectException() {
        run(() -> {
            int port;
            try (ServerSocketChannel s = ServerSocketChannel.open()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                port = ((InetSocketAddress) s.getLocalAddress()).getPort();
            }
            int p = port;
            assertThrows(ConnectException.class, () -> loop().createConnection(Recorder::new, "127.0.0.1", p));
            SocketChannel pending = SocketChannel.open();         // a given channel, its connect still pending
            pending.configureBlocking(false);
            pending.connect(new InetSocketAddress("127.0.0.1", p));
            assertThrows(ConnectException.class, () -> loop().createConnection(Recorder::new, pending));
            assertFalse(pending.isOpen(), "taken, then failed: closed");
        });
    }

    @Test
    void createConnection_badArguments_failClearly() {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> loop().createConnection(Recorder::new, "127.0.0.1", 70000));
            assertThrows(NullPointerException.class, () -> loop().createConnection(null, "127.0.0.1", 80));
            try (Server server = httpLikeServer()) {
                NullPointerException npe = assertThrows(NullPointerException.class,
                        () -> loop().createConnection(() -> null, "127.0.0.1", server.port()));
                assertTrue(npe.getMessage().contains("factory"), npe.getMessage());
                IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                        () -> loop().createConnection(() -> new BaseProtocol<Transport>() { }, "127.0.0.1", server.port()));
                assertTrue(iae.getMessage().contains("Protocol or a BufferedProtocol"), iae.getMessage());
            }
        });
    }

    @Test
    void createConnection_outsideATask_throwsIllegalState() {
        run(() -> {
            Future<Throwable> seen = loop().createFuture();
            loop().callSoon(() -> {
                try {
                    loop().createConnection(Recorder::new, "127.0.0.1", 1);
                    seen.setResult(null);
                } catch (Throwable t) {
                    seen.setResult(t);
                }
            });
            assertInstanceOf(IllegalStateException.class, seen.await());
        });
    }

    @Test
    void loopCloses_withAProtocolConnectionOpen_closesItsSocket() throws Exception {
        SocketChannel[] channels = new SocketChannel[1];
        run(() -> {
            Server server = loop().createServer(Recorder::new, "127.0.0.1", 0);
            var tp = loop().createConnection(Recorder::new, "127.0.0.1", server.port());
            channels[0] = (SocketChannel) tp.transport().getExtraInfo("socket");
            server.close();
        });
        assertFalse(channels[0].isOpen(), "no socket outlives its loop");
    }

    // ---- connect_accepted_socket / create_connection(sock=) --------------------------------

    @Test
    void createConnection_onABlockingChannel_switchesItAndClosesItWithTheTransport() {
        run(() -> {
            Future<Connection> peer = loop().createFuture();
            try (Server server = startServer((r, w) -> peer.setResult(new Connection(r, w)), "127.0.0.1", 0)) {
                SocketChannel ch = toThread(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port())));
                assertTrue(ch.isBlocking());
                var tp = loop().createConnection(Recorder::new, ch);
                assertFalse(ch.isBlocking(), "switched to non-blocking mode");
                assertSame(ch, tp.transport().getExtraInfo("socket"));
                assertInstanceOf(NetworkChannel.class, tp.transport().getExtraInfo("socket"));
                Connection c = peer.await();
                c.writer().write(b("test data"));
                tp.transport().write(b("roger"));
                assertEquals("roger", s(c.reader().readExactly(5)));
                Recorder p = tp.protocol();
                while (p.nbytes < 9) {
                    sleep(0.01);
                }
                assertEquals("test data", p.text());
                tp.transport().close();
                assertNull(p.done.await());
                assertFalse(ch.isOpen(), "the channel is closed with its transport");
                assertEquals(0, c.reader().read(-1).length, "the peer reads EOF");
                p.assertLostOnceAndLast();
            }
        });
    }

    @Test
    void createConnection_onAClosedOrUnconnectedChannel_fails() {
        run(() -> {
            SocketChannel closed = SocketChannel.open();
            closed.close();
            assertThrows(IllegalArgumentException.class, () -> loop().createConnection(Recorder::new, closed));
            SocketChannel fresh = SocketChannel.open();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop().createConnection(Recorder::new, fresh));
            assertTrue(e.getMessage().contains("not connected"), e.getMessage());
            assertTrue(fresh.isOpen(), "refused before it was taken: the caller keeps it, as with openConnection(channel)");
            assertThrows(IllegalArgumentException.class, () -> loop().createConnection(Recorder::new, fresh));
            fresh.close();
        });
    }

    // ---- create_server ---------------------------------------------------------------------

    @Test
    void createServer_streamClient_dataExtraInfoAndCloseCallsConnectionLost() {
        run(() -> {
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(recording(proto), "127.0.0.1", 0);
            assertEquals(1, server.addresses().size());
            Connection c = openConnection("127.0.0.1", server.port());
            c.writer().write(b("xxx"));
            Recorder p = proto.await();
            p.connected.await();
            assertEquals("CONNECTED", p.state);
            while (p.nbytes < 3) {
                sleep(0.01);
            }
            assertEquals(3, p.nbytes);
            assertNotNull(p.transport.getExtraInfo("sockname"));
            assertEquals("127.0.0.1", ((InetSocketAddress) p.transport.getExtraInfo("peername")).getAddress().getHostAddress());
            assertNull(p.transport.getExtraInfo("no such key"));
            assertEquals("fallback", p.transport.getExtraInfo("no such key", "fallback"));
            assertEquals(1, server.clientCount());
            p.transport.close();
            assertNull(p.done.await());
            assertEquals("CLOSED", p.state);
            assertEquals(0, c.reader().read(-1).length);
            c.writer().close();
            server.close();
            server.waitClosed();
            assertEquals(0, server.clientCount());
        });
    }

    @Test
    void createServer_onAnExistingChannel_servesAndOwnsIt() {
        run(() -> {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress("127.0.0.1", 0));
            assertTrue(ch.isBlocking());
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(recording(proto), ch);
            assertFalse(ch.isBlocking());
            assertEquals(ch.getLocalAddress(), server.addresses().get(0));
            Connection c = openConnection("127.0.0.1", server.port());
            c.writer().write(b("xxx"));
            c.writer().close();
            Recorder p = proto.await();
            assertNull(p.done.await(), "the client's EOF closes the connection");
            assertEquals("xxx", p.text());
            server.close();
            server.waitClosed();
            assertFalse(ch.isOpen(), "the server closed the channel it was given");
        });
    }

    @Test
    void createServer_unboundChannel_throwsIllegalArgument() {
        run(() -> {
            try (ServerSocketChannel ch = ServerSocketChannel.open()) {
                assertThrows(IllegalArgumentException.class, () -> loop().createServer(Recorder::new, ch));
            }
        });
    }

    @Test
    void createServer_addressInUse_throwsBindException() {
        run(() -> {
            try (Server first = loop().createServer(Recorder::new, "127.0.0.1", 0)) {
                try (ServerSocketChannel other = ServerSocketChannel.open()) {
                    // a second listener on the same port (SO_REUSEADDR does not allow two listeners)
                    assertThrows(BindException.class, () -> other.bind(new InetSocketAddress("127.0.0.1", first.port())));
                }
                assertThrows(BindException.class, () -> loop().createServer(Recorder::new, "127.0.0.1", first.port()));
            }
        });
    }

    @Test
    void serverClose_refusesNewConnections_butKeepsTheOpenOnesUntilClosed() {
        run(() -> {
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(recording(proto), "127.0.0.1", 0);
            int port = server.port();
            Connection c = openConnection("127.0.0.1", port);
            Recorder p = proto.await();
            p.connected.await();
            server.close();
            assertThrows(ConnectException.class, () -> openConnection("127.0.0.1", port));
            Task<Void> waiting = createTask(server::waitClosed);
            sleep(0.05);
            assertFalse(waiting.isDone(), "waitClosed waits for the protocol connection to be lost");
            c.writer().write(b("still here"));
            while (p.nbytes < 10) {
                sleep(0.01);
            }
            server.closeClients();
            assertNull(p.done.await());
            waiting.await();
            p.assertLostOnceAndLast();
        });
    }

    @Test
    void serverAbortClients_resetsProtocolConnections() {
        run(() -> {
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(recording(proto), "127.0.0.1", 0);
            Connection c = openConnection("127.0.0.1", server.port());
            Recorder p = proto.await();
            p.connected.await();
            server.close();
            server.abortClients();
            assertNull(p.done.await(), "abort: connectionLost(null)");
            server.waitClosed();
            assertThrows(IOException.class, () -> c.reader().read(-1), "the peer sees a reset");
        });
    }

    @Test
    void createServer_factoryThrows_reportedAndTheServerGoesOn() {
        run(() -> {
            List<ExceptionContext> errors = captureLoopErrors();
            int[] calls = {0};
            Future<Recorder> second = loop().createFuture();
            try (Server server = loop().createServer(() -> {
                if (calls[0]++ == 0) {
                    throw new IllegalStateException("no protocol today");
                }
                Recorder r = new Recorder();
                second.setResult(r);
                return r;
            }, "127.0.0.1", 0)) {
                Connection bad = openConnection("127.0.0.1", server.port());
                assertEquals(0, bad.reader().read(-1).length, "the connection without a protocol is closed");
                Connection good = openConnection("127.0.0.1", server.port());
                good.writer().write(b("ok"));
                Recorder p = second.await();
                while (p.nbytes < 2) {
                    sleep(0.01);
                }
                assertEquals(1, errors.size(), errors::toString);
                assertInstanceOf(IllegalStateException.class, errors.get(0).exception());
                assertTrue(errors.get(0).message().contains("incoming connection"), errors.get(0).message());
                good.writer().close();
                p.done.await();
            }
        });
    }

    @Test
    void createUnixServer_servesAProtocolPerConnection() {
        run(() -> {
            Path path = tmp.resolve("p.sock");
            Server server = loop().createUnixServer(Echo::new, path);
            assertEquals(path, server.unixPath());
            for (String msg : List.of("one", "two")) {
                Connection c = openUnixConnection(path);
                c.writer().write(b(msg));
                assertEquals(msg, s(c.reader().readExactly(msg.length())));
                c.writer().close();
            }
            server.close();
            server.waitClosed();
            assertFalse(java.nio.file.Files.exists(path), "the socket file is removed at close");
        });
    }

    @Test
    void createUnixServer_onAUnixChannelGiven_works() {
        run(() -> {
            Path path = tmp.resolve("given.sock");
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(recording(proto), ch);
            assertTrue(server.addresses().isEmpty());
            Connection c = openUnixConnection(path);
            c.writer().write(b("unix"));
            c.writer().close();
            Recorder p = proto.await();
            p.done.await();
            assertEquals("unix", p.text());
            server.close();
            server.waitClosed();
        });
    }

    // ---- create_server with TLS ------------------------------------------------------------

    @Test
    void createServer_tls_streamClientRoundTrip_andSslExtraInfo() {
        run(() -> {
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(() -> {
                Recorder r = new Recorder() {
                    @Override
                    public void dataReceived(ByteBuffer data) {
                        super.dataReceived(data);
                        transport.write(b("pong"));
                    }
                };
                proto.setResult(r);
                return r;
            }, "127.0.0.1", 0, StreamOptions.defaults().withSsl(TestTls.server()));
            Connection c = openConnection("127.0.0.1", server.port(), StreamOptions.defaults().withSsl(TestTls.client()));
            c.writer().write(b("ping"));
            assertEquals("pong", s(c.reader().readExactly(4)));
            Recorder p = proto.await();
            assertSame(TestTls.server(), p.transport.getExtraInfo("sslcontext"));
            assertInstanceOf(SSLEngine.class, p.transport.getExtraInfo("ssl_object"));
            c.writer().close();
            assertNull(p.done.await());
            p.assertLostOnceAndLast();
            server.close();
            server.waitClosed();
        });
    }

    @Test
    void createServer_tls_clientFailsVerification_serverReportsAndServesTheNext() {
        run(() -> {
            List<ExceptionContext> errors = captureLoopErrors();
            List<Recorder> made = new ArrayList<>();
            try (Server server = loop().createServer(() -> {
                Recorder r = new Recorder();
                made.add(r);
                return r;
            }, "127.0.0.1", 0, StreamOptions.defaults().withSsl(TestTls.server()))) {
                assertThrows(IOException.class, () -> openConnection("127.0.0.1", server.port(),
                        StreamOptions.defaults().withSsl(SSLContext.getDefault())));
                Connection good = openConnection("127.0.0.1", server.port(), StreamOptions.defaults().withSsl(TestTls.client()));
                good.writer().write(b("x"));
                while (made.isEmpty() || made.get(made.size() - 1).nbytes < 1) {
                    sleep(0.01);
                }
                assertEquals(1, made.size(), "no protocol for the failed handshake");
                while (errors.isEmpty()) {
                    sleep(0.01);
                }
                assertTrue(errors.get(0).message().contains("TLS handshake failed"), errors.get(0).message());
                good.writer().close();
                made.get(0).done.await();
            }
        });
    }
}
