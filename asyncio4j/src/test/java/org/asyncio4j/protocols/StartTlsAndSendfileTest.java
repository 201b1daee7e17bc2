package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.protocols.ProtocolConnectionTest.b;
import static org.asyncio4j.protocols.ProtocolConnectionTest.captureLoopErrors;
import static org.asyncio4j.protocols.ProtocolConnectionTest.loop;
import static org.asyncio4j.protocols.ProtocolConnectionTest.s;
import static org.asyncio4j.protocols.ProtocolTransportTest.pair;
import static org.asyncio4j.protocols.ProtocolTransportTest.waitUntil;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code EventLoop.startTls} (CPython test_sslproto's start_tls_client_reg_proto_1 and
 * start_tls_server_1, with both ends protocols on one loop, and test_start_tls_wrong_args) and
 * {@code EventLoop.sendfile} (test_sendfile's protocol cases: plain, part of a file, through
 * TLS, after buffered writes, writes during it, bad arguments).
 */
@Timeout(60)
class StartTlsAndSendfileTest {
    private static final byte[] HELLO = b("1".repeat(64 * 1024));

    @TempDir
    Path tmp;

    /** Counts connectionMade calls and collects the data, from whichever transport delivers it. */
    static class Upgrading extends Recorder {
        int made;

        @Override
        public void connectionMade(Transport t) {
            made++;
            super.connectionMade(t);
        }
    }

    /**
     * A server protocol speaking a STARTTLS line protocol: "STARTTLS\n" gets "OK\n", then the
     * server upgrades (reading paused at once, so the client's handshake waits in the socket),
     * then answers HELLO, received over TLS, with its length.
     */
    static final class StartTlsServer extends Upgrading {
        Transport tls;
        final int filler;                        // bytes written in clear before OK (buffered, if many)

        StartTlsServer(int filler) {
            this.filler = filler;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            super.dataReceived(data);
            if (tls == null && text().equals("STARTTLS\n")) {
                transport.pauseReading();
                transport.write(new byte[filler]);
                transport.write(b("OK\n"));
                Transport plain = transport;
                loop().createTask(() -> {
                    // Data may reach the protocol before startTls returns (as in Python): answer from here.
                    tls = loop().startTls(plain, this, TestTls.server(), true, null);
                    waitUntil(() -> nbytes == 9 + HELLO.length);
                    tls.write(b("got " + (nbytes - 9)));
                });
            }
        }
    }

    static Server startTlsServer(Future<StartTlsServer> proto, int filler) throws IOException {
        return loop().createServer(() -> {
            StartTlsServer p = new StartTlsServer(filler);
            proto.setResult(p);
            return p;
        }, "127.0.0.1", 0);
    }

    /** Sends STARTTLS on the plain transport and waits for the server's OK. */
    static void askForTls(Transport plain, Recorder client) {
        plain.write(b("STARTTLS\n"));
        waitUntil(() -> client.text().endsWith("OK\n"));
    }

    @Test
    void startTls_bothSidesUpgradeAnOpenConnection_connectionMadeOnce_dataFlowsOverTls() {
        run(() -> {
            Future<StartTlsServer> serverProto = loop().createFuture();
            Server server = startTlsServer(serverProto, 0);
            var tp = loop().createConnection(Upgrading::new, "127.0.0.1", server.port());
            Upgrading client = tp.protocol();
            Transport plain = tp.transport();
            askForTls(plain, client);
            Transport tls = loop().startTls(plain, client, TestTls.client(), false, "localhost");
            assertNotSame(plain, tls);
            assertTrue(plain.isClosing(), "the old transport is detached");
            assertThrows(IllegalStateException.class, () -> plain.write(b("x")));
            assertInstanceOf(SSLEngine.class, tls.getExtraInfo("ssl_object"));
            assertSame(plain.getExtraInfo("socket"), tls.getExtraInfo("socket"), "the same socket under TLS");
            tls.write(HELLO);
            waitUntil(() -> client.text().endsWith("got " + HELLO.length));
            StartTlsServer sp = serverProto.await();
            assertEquals(1, sp.made);
            assertEquals(1, client.made, "connectionMade only once");
            assertNull(sp.transport.getExtraInfo("ssl_object"), "the server's first transport was plain");
            assertNotNull(sp.tls.getExtraInfo("ssl_object"));
            tls.close();
            assertNull(client.done.await());
            assertNull(sp.done.await(), "the upgraded server connection ends once, with the client's close");
            client.assertLostOnceAndLast();
            assertEquals(1, sp.events.stream().filter("lost"::equals).count());
            server.close();
            server.waitClosed();                     // the server counted the upgraded connection
        });
    }

    @Test
    void startTls_bufferedPlainOutputGoesFirst_inClear() {
        run(() -> {
            Future<StartTlsServer> serverProto = loop().createFuture();
            int filler = 16 << 20;
            Server server = startTlsServer(serverProto, filler);
            var tp = loop().createConnection(Upgrading::new, "127.0.0.1", server.port());
            Transport plain = tp.transport();
            plain.pauseReading();                    // the server's clear bytes pile up in its buffer
            plain.write(b("STARTTLS\n"));
            sleep(0.2);
            assertTrue(serverProto.await().transport.getWriteBufferSize() > 0, "the server buffered clear output");
            assertNull(serverProto.await().tls, "and waits for it to go before its handshake");
            plain.resumeReading();
            waitUntil(() -> tp.protocol().text().endsWith("OK\n"));
            assertEquals(filler + 3, tp.protocol().nbytes, "every clear byte came before the handshake");
            Transport tls = loop().startTls(plain, tp.protocol(), TestTls.client(), false, "localhost");
            tls.write(HELLO);
            waitUntil(() -> tp.protocol().text().endsWith("got " + HELLO.length));
            tls.close();
            tp.protocol().done.await();
            server.close();
        });
    }

    @Test
    void startTls_handshakeFails_throws_andTheProtocolLosesTheConnection() {
        run(() -> {
            captureLoopErrors();
            Future<StartTlsServer> serverProto = loop().createFuture();
            Server server = startTlsServer(serverProto, 0);
            var tp = loop().createConnection(Upgrading::new, "127.0.0.1", server.port());
            askForTls(tp.transport(), tp.protocol());
            assertThrows(SSLException.class,
                    () -> loop().startTls(tp.transport(), tp.protocol(), SSLContext.getDefault(), false, "localhost"));
            assertInstanceOf(SSLException.class, tp.protocol().done.await());
            tp.protocol().assertLostOnceAndLast();
            server.close();
        });
    }

    @Test
    void startTls_wrongArguments_failClearly() {
        run(() -> {
            var p = pair();
            assertThrows(NullPointerException.class, () -> loop().startTls(p.transport(), p.protocol(), null, false, null));
            assertThrows(NullPointerException.class, () -> loop().startTls(null, p.protocol(), TestTls.client(), false, null));
            Transport foreign = new Transport() {
                public void write(ByteBuffer data) { }
                public void write(byte[] data) { }
                public void writeLines(Iterable<byte[]> data) { }
                public void writeEof() { }
                public boolean canWriteEof() { return false; }
                public void pauseReading() { }
                public void resumeReading() { }
                public boolean isReading() { return false; }
                public void setWriteBufferLimits(int high, int low) { }
                public int getWriteBufferSize() { return 0; }
                public void close() { }
                public void abort() { }
                public boolean isClosing() { return false; }
                public Object getExtraInfo(String key) { return null; }
            };
            assertThrows(IllegalArgumentException.class, () -> loop().startTls(foreign, p.protocol(), TestTls.client(), false, null));
            p.transport().close();
            assertThrows(IllegalStateException.class,
                    () -> loop().startTls(p.transport(), p.protocol(), TestTls.client(), false, null), "a closing transport");
            p.server().close();
        });
    }

    // ---- sendfile --------------------------------------------------------------------------

    private Path file(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path f = tmp.resolve("f" + size);
        Files.write(f, data);
        return f;
    }

    @Test
    void sendfile_afterBufferedWrites_sendsTheFileInOrder_andLeavesItsPosition() {
        run(() -> {
            Path f = file(3 << 20);
            byte[] content = Files.readAllBytes(f);
            var p = pair();
            byte[] header = new byte[1 << 20];
            p.transport().write(header);                         // buffered: must go before the file
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ch.position(17);
                Task<Long> sending = createTask(() -> loop().sendfile(p.transport(), ch, 0, 0));
                byte[] got = p.peer().reader().readExactly(header.length + content.length);
                assertEquals(content.length, sending.await());
                assertArrayEquals(header, Arrays.copyOfRange(got, 0, header.length));
                assertArrayEquals(content, Arrays.copyOfRange(got, header.length, got.length));
                assertEquals(17, ch.position(), "the file's position is left alone");
                assertEquals(1000, loop().sendfile(p.transport(), ch, 100, 1000), "part of the file");
                assertArrayEquals(Arrays.copyOfRange(content, 100, 1100), p.peer().reader().readExactly(1000));
                assertEquals(0, loop().sendfile(p.transport(), ch, content.length, 10), "past the end: nothing");
            }
            p.transport().write(b("after"));
            assertEquals("after", s(p.peer().reader().readExactly(5)), "writing works again afterwards");
            assertTrue(p.transport().isReading(), "reading resumed");
            p.transport().close();
            p.server().close();
        });
    }

    @Test
    void sendfile_writeDuringIt_throwsIllegalState_andBadArgumentsAreRefused() {
        run(() -> {
            Path f = file(8 << 20);
            var p = pair();
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                assertThrows(IllegalArgumentException.class, () -> loop().sendfile(p.transport(), ch, -1, 0));
                assertThrows(IllegalArgumentException.class, () -> loop().sendfile(p.transport(), ch, 0, -1));
                assertThrows(NullPointerException.class, () -> loop().sendfile(p.transport(), null, 0, 0));
                Task<Long> sending = createTask(() -> loop().sendfile(p.transport(), ch, 0, 0));
                sleep(0.02);
                assertFalse(sending.isDone(), "the peer does not read: the file waits");
                assertThrows(IllegalStateException.class, () -> p.transport().write(b("x")), "write during sendfile");
                assertThrows(IllegalStateException.class, () -> loop().sendfile(p.transport(), ch, 0, 0), "a second sendfile");
                assertEquals(8 << 20, p.peer().reader().readExactly(8 << 20).length);
                assertEquals(8 << 20, sending.await());
            }
            p.transport().close();
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                assertThrows(IllegalStateException.class, () -> loop().sendfile(p.transport(), ch, 0, 0), "a closing transport");
            }
            p.server().close();
        });
    }

    @Test
    void sendfile_throughTls_readsAndWrites() {
        run(() -> {
            Path f = file(1 << 20);
            byte[] content = Files.readAllBytes(f);
            Future<Recorder> proto = loop().createFuture();
            Server server = loop().createServer(ProtocolConnectionTest.recording(proto), "127.0.0.1", 0,
                    StreamOptions.defaults().withSsl(TestTls.server()));
            var tp = loop().createConnection(Recorder::new, "127.0.0.1", server.port(),
                    StreamOptions.defaults().withSsl(TestTls.client()));
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                assertEquals(content.length, loop().sendfile(tp.transport(), ch, 0, 0));
            }
            tp.transport().close();
            Recorder sp = proto.await();
            sp.done.await();
            ByteArrayOutputStream got = sp.received;
            assertArrayEquals(content, got.toByteArray());
            server.close();
        });
    }
}
