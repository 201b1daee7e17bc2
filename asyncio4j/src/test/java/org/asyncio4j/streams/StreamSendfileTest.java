package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.streams.StreamReaderTest.b;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code StreamWriter.sendfile}, after CPython's test_sendfile on streams' transports: a file
 * larger than the socket buffers arrives byte-exact over plain TCP (the zero-copy path) and
 * over TLS (read and write through the session), after what was written before it and before
 * what is written after; offset and count are respected, the file's position is left alone,
 * writes meanwhile are refused, bad arguments are refused.
 */
@Timeout(60)
class StreamSendfileTest {
    @TempDir
    static Path tmp;

    static Path file;
    static byte[] content;

    @BeforeAll
    static void makeFile() throws IOException {
        content = new byte[12 * 1024 * 1024 + 123];
        new Random(42).nextBytes(content);
        file = tmp.resolve("big.bin");
        Files.write(file, content);
    }

    /** A server that reads everything until EOF into {@code got}, after an optional pause. */
    static Server sink(Future<byte[]> got, double pause, StreamOptions o) throws IOException {
        return sink(got, pause, o, -1);
    }

    /**
     * A server that reads {@code expected} bytes (-1: until EOF) into {@code got}, after an
     * optional pause, then answers "done" and closes. Over TLS the client reads that answer
     * before it closes: a socket closed with unread input (TLS 1.3's session tickets) is reset,
     * which would cost the server the bytes still in flight.
     */
    static Server sink(Future<byte[]> got, double pause, StreamOptions o, int expected) throws IOException {
        return startServer((r, w) -> {
            sleep(pause);
            got.setResult(expected < 0 ? r.read(-1) : r.readExactly(expected));
            w.write(b("done\n"));
            w.close();
        }, "127.0.0.1", 0, o);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Sends {@code count} bytes of the file (0: all of it) between a 3 MiB write and a trailer. */
    void sendFile(StreamOptions server, StreamOptions client, int count) throws Exception {
        int n = count == 0 ? content.length : count;
        run(() -> {
            Future<byte[]> got = getRunningLoop().createFuture();
            byte[] head = new byte[3 * 1024 * 1024];
            try (Server s = sink(got, 0.2, server, head.length + n + 7); FileChannel fc = FileChannel.open(file)) {
                Connection c = openConnection("127.0.0.1", s.port(), client);
                Arrays.fill(head, (byte) 'h');
                c.writer().write(head);                     // still buffered: the peer pauses
                fc.position(17);
                assertEquals(n, c.writer().sendfile(fc, 0, count));
                assertEquals(17, fc.position(), "the file's position is left alone");
                c.writer().write(b("trailer"));
                assertEquals("done\n", StreamReaderTest.s(c.reader().readLine()));
                c.writer().close();
                byte[] all = got.await();
                assertEquals(head.length + n + 7, all.length);
                assertArrayEquals(concat(head, Arrays.copyOf(content, n), b("trailer")), all, "byte-exact, in order");
            }
        });
    }

    @Test
    void sendfile_plainTcp_aBigFileArrivesByteExact_afterEarlierWrites() throws Exception {
        sendFile(StreamOptions.defaults(), StreamOptions.defaults(), 0);
    }

    @Test
    void sendfile_overTls_aBigFileArrivesByteExact() throws Exception {
        // 6 MiB: more than the loopback buffers, and light enough for TLS on a loaded machine
        sendFile(StreamOptions.defaults().withSsl(TlsFixtures.SERVER.serverContext()),
                StreamOptions.defaults().withSsl(TlsFixtures.SERVER.clientContextTrusting()), 6 * 1024 * 1024);
    }

    @Test
    void sendfile_offsetAndCount_areRespected() throws Exception {
        run(() -> {
            Future<byte[]> got = getRunningLoop().createFuture();
            try (Server s = sink(got, 0, StreamOptions.defaults()); FileChannel fc = FileChannel.open(file)) {
                Connection c = openConnection("127.0.0.1", s.port());
                assertEquals(5000, c.writer().sendfile(fc, 1000, 5000));
                assertEquals(100, c.writer().sendfile(fc, content.length - 100, 5000), "past the end: what there is");
                assertEquals(0, c.writer().sendfile(fc, content.length + 10, 10), "beyond the end: nothing");
                c.writer().close();
                assertArrayEquals(concat(Arrays.copyOfRange(content, 1000, 6000),
                        Arrays.copyOfRange(content, content.length - 100, content.length)), got.await());
            }
        });
    }

    @Test
    void sendfile_writesMeanwhile_areRefused() throws Exception {
        run(() -> {
            Future<byte[]> got = getRunningLoop().createFuture();
            try (Server s = sink(got, 0.3, StreamOptions.defaults()); FileChannel fc = FileChannel.open(file)) {
                Connection c = openConnection("127.0.0.1", s.port());
                Task<Long> sending = createTask(() -> c.writer().sendfile(fc, 0, 0));
                sleep(0.05);
                assertFalse(sending.isDone(), "the peer is not reading yet");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.writer().write(b("x")));
                assertTrue(e.getMessage().contains("sendfile"), e.getMessage());
                assertThrows(IllegalStateException.class, () -> c.writer().sendfile(fc, 0, 1));
                assertEquals(content.length, sending.await());
                c.writer().write(b("after"));
                c.writer().close();
                assertArrayEquals(concat(content, b("after")), got.await());
            }
        });
    }

    @Test
    void sendfile_badArguments_andAClosedWriter() throws Exception {
        run(() -> {
            Future<byte[]> got = getRunningLoop().createFuture();
            try (Server s = sink(got, 0, StreamOptions.defaults()); FileChannel fc = FileChannel.open(file)) {
                Connection c = openConnection("127.0.0.1", s.port());
                assertThrows(NullPointerException.class, () -> c.writer().sendfile(null, 0, 0));
                assertThrows(IllegalArgumentException.class, () -> c.writer().sendfile(fc, -1, 0));
                assertThrows(IllegalArgumentException.class, () -> c.writer().sendfile(fc, 0, -1));
                c.writer().close();
                assertThrows(IOException.class, () -> c.writer().sendfile(fc, 0, 0));
                assertEquals(0, got.await().length);
            }
            Path wo = tmp.resolve("write-only.bin");
            try (Server s = sink(getRunningLoop().createFuture(), 0, StreamOptions.defaults());
                    FileChannel fc = FileChannel.open(wo, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                fc.write(java.nio.ByteBuffer.wrap(b("abc")));
                Connection c = openConnection("127.0.0.1", s.port());
                assertThrows(java.nio.channels.NonReadableChannelException.class, () -> c.writer().sendfile(fc, 0, 0));
                c.writer().close();
            }
        });
    }
}
