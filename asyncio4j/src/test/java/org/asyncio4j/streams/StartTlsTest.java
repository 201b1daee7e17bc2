package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.streams.ServerTest.captureLoopErrors;
import static org.asyncio4j.streams.StreamReaderTest.b;
import static org.asyncio4j.streams.StreamReaderTest.s;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code StreamWriter.startTls} (Python 3.11's {@code StreamWriter.start_tls}), ported from
 * CPython's test_streams/test_ssl start_tls cases: a STARTTLS exchange (a plain line each way,
 * then TLS both ways, the server upgrading its accepted connection), output written before the
 * upgrade sent in the clear first, bytes the reader had buffered read first, a failed handshake
 * (an IOException, the connection aborted), and the refusals: TLS already, a read or a write
 * meanwhile, no host name to verify.
 */
@Timeout(30)
class StartTlsTest {
    static SSLContext serverTls() throws Exception {
        return TlsFixtures.SERVER.serverContext();
    }

    static SSLContext clientTls() throws Exception {
        return TlsFixtures.SERVER.clientContextTrusting();
    }

    /** A STARTTLS server: one plain line, "OK", then TLS; then echoes lines over TLS with a prefix. */
    static ClientHandler starttlsServer(SSLContext ctx, String extraPlain) {
        return (r, w) -> {
            assertEquals("STARTTLS\n", s(r.readLine()));
            w.write(b("OK\n" + extraPlain));
            w.startTls(ctx);
            assertFalse(w.canWriteEof(), "TLS now");
            byte[] line;
            while ((line = r.readLine()).length > 0) {
                w.write(b("tls:" + s(line)));
                w.drain();
            }
            w.close();
        };
    }

    @Test
    void startTls_aStarttlsExchange_plainThenTlsBothWays() throws Exception {
        run(() -> {
            try (Server server = startServer(starttlsServer(serverTls(), ""), "127.0.0.1", 0)) {
                Connection c = openConnection("127.0.0.1", server.port());
                assertTrue(c.writer().canWriteEof(), "plain first");
                c.writer().write(b("STARTTLS\n"));
                assertEquals("OK\n", s(c.reader().readLine()));
                c.writer().startTls(clientTls(), "localhost");
                assertFalse(c.writer().canWriteEof());
                for (int i = 0; i < 3; i++) {
                    c.writer().write(b("secret " + i + "\n"));
                    assertEquals("tls:secret " + i + "\n", s(c.reader().readLine()));
                }
                c.writer().close();
                assertEquals(0, c.reader().read(-1).length);
                c.writer().waitClosed();
            }
        });
    }

    /** A plain connection to {@code server} that has sent STARTTLS and read the OK. */
    private static Connection askedForTls(String host, Server server) throws Exception {
        Connection c = openConnection(host, server.port());
        c.writer().write(b("STARTTLS\n"));
        assertEquals("OK\n", s(c.reader().readLine()));
        return c;
    }

    /**
     * Review (issue 13): a read another task starts while the handshake runs would take the
     * server's handshake records off the plain socket as data (and break the handshake). It is
     * refused, the upgrade succeeds, and reading works after it.
     */
    @Test
    void startTls_aReadStartedDuringTheHandshake_isRefused_andTheUpgradeSucceeds() throws Exception {
        run(() -> {
            try (Server server = startServer(starttlsServer(serverTls(), ""), "127.0.0.1", 0)) {
                Connection c = askedForTls("127.0.0.1", server);
                var intruder = org.asyncio4j.Asyncio.createTask(() -> {
                    org.asyncio4j.Asyncio.sleep(0);      // runs while startTls waits for the handshake
                    return c.reader().readLine();
                });
                c.writer().startTls(clientTls(), "localhost");
                var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> intruder.get());
                assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
                assertTrue(e.getCause().getMessage().contains("upgraded to TLS"), e.getCause().getMessage());
                c.writer().write(b("after\n"));
                assertEquals("tls:after\n", s(c.reader().readLine()));
                c.writer().close();
            }
        });
    }

    @Test
    void startTls_withoutAName_verifiesTheHostTheConnectionWasOpenedTo() throws Exception {
        run(() -> {
            try (Server server = startServer(starttlsServer(serverTls(), ""), "127.0.0.1", 0)) {
                Connection c = askedForTls("localhost", server);
                c.writer().startTls(clientTls());
                c.writer().write(b("x\n"));
                assertEquals("tls:x\n", s(c.reader().readLine()));
                c.writer().close();
            }
        });
    }

    @Test
    void startTls_outputWrittenBefore_goesOutInTheClearFirst() throws Exception {
        run(() -> {
            int big = 16 * 1024 * 1024;              // more than the socket buffers: still buffered at startTls
            Future<Integer> plainSeen = getRunningLoop().createFuture();
            SSLContext sctx = serverTls();
            try (Server server = startServer((r, w) -> {
                sleep(0.2);                          // let the client's buffer fill
                byte[] head = r.readExactly(big);
                int ok = 0;
                for (byte x : head) {
                    ok += x == 'p' ? 1 : 0;
                }
                plainSeen.setResult(ok);
                w.startTls(sctx);
                w.write(r.readLine());
                w.close();
            }, "127.0.0.1", 0)) {
                Connection c = openConnection("127.0.0.1", server.port());
                byte[] plain = new byte[big];
                Arrays.fill(plain, (byte) 'p');
                c.writer().write(plain);
                assertTrue(c.writer().bufferSize() > 0, "the test needs output still buffered");
                c.writer().startTls(clientTls(), "localhost");
                assertEquals(big, plainSeen.await());
                c.writer().write(b("after\n"));
                assertEquals("after\n", s(c.reader().readLine()));
                c.writer().close();
            }
        });
    }

    @Test
    void startTls_bytesTheReaderHadBuffered_areReadFirst() throws Exception {
        run(() -> {
            try (Server server = startServer(starttlsServer(serverTls(), "still plain\n"), "127.0.0.1", 0)) {
                Connection c = openConnection("127.0.0.1", server.port());
                c.writer().write(b("STARTTLS\n"));
                assertEquals("OK\n", s(c.reader().readLine()));   // one segment: the next line is buffered too
                c.writer().startTls(clientTls(), "localhost");
                assertEquals("still plain\n", s(c.reader().readLine()));
                c.writer().write(b("y\n"));
                assertEquals("tls:y\n", s(c.reader().readLine()));
                c.writer().close();
            }
        });
    }

    @Test
    void startTls_aFailedHandshake_isAnIOException_andAbortsTheConnection() throws Exception {
        run(() -> {
            captureLoopErrors();
            try (Server server = startServer(starttlsServer(serverTls(), ""), "127.0.0.1", 0)) {
                Connection c = openConnection("127.0.0.1", server.port());
                c.writer().write(b("STARTTLS\n"));
                assertEquals("OK\n", s(c.reader().readLine()));
                SSLContext untrusting = SSLContext.getInstance("TLS");
                untrusting.init(null, null, null);                  // the JDK's trust: not our self-signed server
                assertThrows(SSLHandshakeException.class, () -> c.writer().startTls(untrusting, "localhost"));
                assertTrue(c.writer().isClosing());
                assertThrows(IOException.class, () -> c.writer().write(b("no\n")));
                c.writer().waitClosed();
            }
        });
    }

    @Test
    void startTls_refusals() throws Exception {
        run(() -> {
            try (Server server = startServer(starttlsServer(serverTls(), ""), "127.0.0.1", 0)) {
                Connection c = openConnection("127.0.0.1", server.port());
                assertThrows(NullPointerException.class, () -> c.writer().startTls(null));
                // a read in progress
                Task<byte[]> reading = createTask(() -> c.reader().readLine());
                sleep(0.01);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> c.writer().startTls(clientTls(), "localhost"));
                assertTrue(e.getMessage().contains("read"), e.getMessage());
                c.writer().write(b("STARTTLS\n"));
                assertEquals("OK\n", s(reading.await()));
                // a write while the handshake runs
                Task<Void> upgrading = createTask(() -> c.writer().startTls(clientTls(), "localhost"));
                sleep(0);
                assertThrows(IllegalStateException.class, () -> c.writer().write(b("meanwhile\n")));
                upgrading.await();
                // TLS already
                e = assertThrows(IllegalStateException.class, () -> c.writer().startTls(clientTls(), "localhost"));
                assertTrue(e.getMessage().contains("already"), e.getMessage());
                c.writer().close();
            }
        });
    }

    @Test
    void startTls_aClientWithNoHostNameToVerify_isRefused() throws Exception {
        run(() -> {
            try (Server server = startServer(starttlsServer(serverTls(), ""), "127.0.0.1", 0)) {
                SocketChannel ch = toThread(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port())));
                Connection c = openConnection(ch);
                assertThrows(IllegalArgumentException.class, () -> c.writer().startTls(clientTls()));
                c.writer().write(b("STARTTLS\n"));
                assertEquals("OK\n", s(c.reader().readLine()));
                c.writer().startTls(clientTls(), "localhost");
                c.writer().write(b("z\n"));
                assertEquals("tls:z\n", s(c.reader().readLine()));
                c.writer().close();
            }
        });
    }

    @Test
    void startTls_onAPipeOrAFedReadersWriter_isRefused() throws Exception {
        run(() -> {
            StreamWriter w = new MemoryTransport().writer(StreamOptions.defaults());
            assertThrows(IllegalStateException.class, () -> w.startTls(clientTls(), "localhost"));
        });
    }
}
