package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.streams.StreamReaderTest.b;
import static org.asyncio4j.streams.StreamReaderTest.pair;
import static org.asyncio4j.streams.StreamReaderTest.run;
import static org.asyncio4j.streams.StreamReaderTest.s;
import static org.asyncio4j.streams.StreamReaderTest.settle;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.Task;
import org.asyncio4j.streams.StreamReaderTest.Pair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * StreamWriter behaviours ported from CPython's Lib/test/test_asyncio/test_streams.py (and the
 * flow-control behaviour of the selector transports in test_selector_events.py), over real
 * loopback connections: write/writelines/drain/write_eof/close/wait_closed/is_closing,
 * the peer's addresses, backpressure against a peer that does not read, custom water marks,
 * writes after close, and a peer that resets the connection.
 *
 * <p>Skipped (Python-only or not applicable): get_extra_info keys other than the two addresses
 * (sockname/peername are localAddress/remoteAddress), the transport/protocol objects, __del__
 * warnings for unclosed writers, start_tls on an open writer (not in the API).
 */
@Timeout(30)
class StreamWriterTest {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    /** Reads exactly {@code total} bytes (or to EOF) from {@code r} and returns how many came. */
    private static long readCount(StreamReader r, long total) throws IOException {
        long got = 0;
        while (got < total) {
            byte[] d = r.read(MIB);
            if (d.length == 0) {
                break;
            }
            got += d.length;
        }
        return got;
    }

    /** Writes 64 KiB chunks without draining until the kernel is full and more than {@code over} bytes are buffered. */
    private static long fillUntilBuffered(StreamWriter w, long over) throws IOException {
        byte[] chunk = new byte[64 * KIB];
        long sent = 0;
        while (w.bufferSize() <= over) {
            w.write(chunk);
            sent += chunk.length;
            assertTrue(sent < 256L * MIB, "the kernel never filled up");
        }
        return sent;
    }

    @Test
    void write_thenDrain_deliversBytesInOrder() throws Exception {
        run(() -> {
            Pair p = pair();
            p.writer().write(b("hello "));
            p.writer().write(new byte[0]);
            p.writer().write(b("world\n"));
            p.writer().drain();
            assertEquals("hello world\n", s(p.peerReader().readLine()));
            p.close();
        });
    }

    @Test
    void write_null_throwsNullPointerException() throws Exception {
        run(() -> {
            Pair p = pair();
            assertThrows(NullPointerException.class, () -> p.writer().write(null));
            p.close();
        });
    }

    @Test
    void writeLines_writesEveryArrayInOrder() throws Exception {
        run(() -> {
            Pair p = pair();
            p.writer().writeLines(List.of(b("line1\n"), b("li"), b("ne2\n"), b("line3\n")));
            p.writer().drain();
            assertEquals("line1\n", s(p.peerReader().readLine()));
            assertEquals("line2\n", s(p.peerReader().readLine()));
            assertEquals("line3\n", s(p.peerReader().readLine()));
            p.close();
        });
    }

    @Test
    void writeLines_nullArgumentOrElement_throwsNullPointerException() throws Exception {
        run(() -> {
            Pair p = pair();
            assertThrows(NullPointerException.class, () -> p.writer().writeLines(null));
            List<byte[]> withNull = new ArrayList<>();
            withNull.add(b("ok\n"));
            withNull.add(null);
            assertThrows(NullPointerException.class, () -> p.writer().writeLines(withNull));
            p.close();
        });
    }

    /** Bytes 0..n-1 of a recognisable pattern, so a reordered or lost piece shows. */
    private static byte[] pattern(int n, int seed) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 31 + seed);
        }
        return d;
    }

    @Test
    void writeLines_largerThanTheKernelTakes_arrivesWholeAndInOrder() throws Exception {
        run(() -> {
            Pair p = pair();
            List<byte[]> parts = new ArrayList<>();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 24; i++) {
                byte[] part = pattern(i % 3 == 0 ? 7 : 512 * KIB + i, i);   // small and large pieces: a partial gathering write
                parts.add(part);
                expected.write(part);
            }
            Task<byte[]> reader = createTask(() -> p.peerReader().readExactly(expected.size()));
            p.writer().writeLines(parts);
            assertTrue(p.writer().bufferSize() > 0, "the kernel took it all: the test proves nothing");
            p.writer().drain();
            assertArrayEquals(expected.toByteArray(), reader.await());
            p.close();
        });
    }

    @Test
    void writeLines_aGatheringWriteTheKernelTakesOnlyPartOf_sendsTheRestInOrder() throws Exception {
        run(() -> {
            List<byte[]> parts = new ArrayList<>();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 12; i++) {                  // gatherable: 16 pieces at most, 256 KiB in all
                byte[] part = pattern(i % 2 == 0 ? 3 : 40 * KIB + i, i);
                parts.add(part);
                expected.write(part);
            }
            try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()) {
                listener.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);   // small kernel buffers on both ends
                listener.bind(new InetSocketAddress("127.0.0.1", 0));
                org.asyncio4j.Future<byte[]> received = getRunningLoop().createFuture();
                try (org.asyncio4j.streams.Server server = startServer((r, w) -> {
                    received.setResult(r.readExactly(expected.size()));
                    w.close();
                }, listener)) {
                    java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open();
                    ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4096);
                    ch.connect(listener.getLocalAddress());
                    Connection c = openConnection(ch);
                    c.writer().writeLines(parts);
                    assertTrue(c.writer().bufferSize() > 0, "the kernel took it all: the partial path did not run");
                    c.writer().drain();
                    assertArrayEquals(expected.toByteArray(), received.await());
                    c.writer().close();
                }
            }
        });
    }

    @Test
    void writeLines_behindBufferedBytes_keepsTheOrder() throws Exception {
        run(() -> {
            Pair p = pair();
            long first = fillUntilBuffered(p.writer(), 64 * KIB);   // the kernel is full, bytes wait
            p.writer().writeLines(List.of(b("after"), b("-"), b("all\n")));
            Task<byte[]> skipped = createTask(() -> p.peerReader().readExactly((int) first));
            p.writer().drain();
            assertEquals(first, skipped.await().length);
            assertEquals("after-all\n", s(p.peerReader().readLine()));
            p.close();
        });
    }

    @Test
    void writeLines_withANullElement_writesNothing() throws Exception {
        run(() -> {
            Pair p = pair();
            List<byte[]> withNull = new ArrayList<>();
            withNull.add(b("never\n"));
            withNull.add(null);
            NullPointerException e = assertThrows(NullPointerException.class, () -> p.writer().writeLines(withNull));
            assertEquals("lines contains null", e.getMessage());
            p.writer().writeLines(List.of(b("first"), new byte[0], b(" line\n")));
            p.writer().drain();
            assertEquals("first line\n", s(p.peerReader().readLine()));
            p.close();
        });
    }

    @Test
    void drain_withLittleBuffered_returnsAtOnce() throws Exception {
        run(() -> {
            Pair p = pair();
            p.writer().write(b("small"));
            Task<Void> t = createTask(() -> p.writer().drain());
            sleep(0);
            assertTrue(t.isDone(), "drain must not suspend below the high-water mark");
            t.await();
            p.close();
        });
    }

    @Test
    void writeEof_givesPeerEof_whilePeerCanStillAnswer() throws Exception {
        run(() -> {
            Pair p = pair();
            assertTrue(p.writer().canWriteEof());
            p.writer().write(b("ping"));
            p.writer().writeEof();
            assertEquals("ping", s(p.peerReader().read(-1)), "the peer reads the data, then EOF");
            assertTrue(p.peerReader().atEof());
            p.peer().write(b("pong\n"));
            p.peer().drain();
            assertEquals("pong\n", s(p.reader().readLine()), "the half-closed side still reads");
            IOException e = assertThrows(IOException.class, () -> p.writer().write(b("more")));
            assertTrue(e.getMessage().contains("writeEof"), e.getMessage());
            p.close();
        });
    }

    @Test
    void writeEof_withBufferedData_sendsEofAfterTheData() throws Exception {
        run(() -> {
            Pair p = pair();
            long sent = fillUntilBuffered(p.writer(), 0);
            p.writer().writeEof();
            Task<Long> reader = createTask(() -> readCount(p.peerReader(), Long.MAX_VALUE));
            assertEquals(sent, reader.await(), "all the data, then EOF");
            p.close();
        });
    }

    @Test
    void close_flushesThenCloses_andWaitClosedReturns() throws Exception {
        run(() -> {
            Pair p = pair();
            assertFalse(p.writer().isClosing());
            p.writer().write(b("bye"));
            p.writer().close();
            assertTrue(p.writer().isClosing());
            p.writer().waitClosed();
            assertEquals("bye", s(p.peerReader().read(-1)));
            p.writer().close();                // twice: nothing
            p.writer().waitClosed();
            p.close();
        });
    }

    @Test
    void close_withLargeBuffer_flushesEverythingBeforeClosing() throws Exception {
        run(() -> {
            Pair p = pair();
            long sent = fillUntilBuffered(p.writer(), MIB);
            p.writer().close();
            assertTrue(p.writer().isClosing());
            Task<Void> closed = createTask(() -> p.writer().waitClosed());
            settle();
            assertFalse(closed.isDone(), "waitClosed waits for the buffered bytes to go out");
            assertEquals(sent, readCount(p.peerReader(), Long.MAX_VALUE));
            closed.await();
            p.close();
        });
    }

    /** What a readLine ended with: "eof", "line:...", "io:<IOException class>" or "other:<class>". */
    private static String outcome(StreamReader r) {
        try {
            byte[] line = r.readLine();
            return line.length == 0 ? "eof" : "line:" + s(line);
        } catch (IOException e) {
            return "io:" + e.getClass().getSimpleName();
        } catch (RuntimeException e) {
            return "other:" + e.getClass().getSimpleName() + "(" + e.getCause() + ")";
        }
    }

    @Test
    void close_whileOwnReaderWaits_readerSeesEof() throws Exception {
        // Python: closing the transport calls connection_lost, which feeds EOF to the reader, so
        // a readline pending on the same connection returns b''.
        run(() -> {
            Pair p = pair();
            Task<String> read = createTask(() -> outcome(p.reader()));
            settle();
            p.writer().close();
            p.writer().waitClosed();
            assertEquals("eof", read.await());
            p.close();
        });
    }

    @Test
    void abort_whileOwnReaderWaits_readerSeesEofOrIOException() throws Exception {
        // Python feeds EOF on abort too; an IOException from readLine is acceptable in Java, an
        // unchecked wrapper is not.
        run(() -> {
            Pair p = pair();
            Task<String> read = createTask(() -> outcome(p.reader()));
            settle();
            p.writer().abort();
            String o = read.await();
            assertTrue(o.equals("eof") || o.startsWith("io:"), o);
            p.close();
        });
    }

    @Test
    void write_afterClose_throwsIOException() throws Exception {
        run(() -> {
            Pair p = pair();
            p.writer().close();
            IOException e = assertThrows(IOException.class, () -> p.writer().write(b("late")));
            assertTrue(e.getMessage().contains("closing"), e.getMessage());
            assertThrows(IOException.class, () -> p.writer().writeLines(List.of(b("late"))));
            assertThrows(IOException.class, () -> p.writer().writeEof());
            p.close();
        });
    }

    @Test
    void addresses_matchThePeersView() throws Exception {
        run(() -> {
            Pair p = pair();
            InetSocketAddress local = assertInstanceOf(InetSocketAddress.class, p.writer().localAddress());
            InetSocketAddress remote = assertInstanceOf(InetSocketAddress.class, p.writer().remoteAddress());
            assertEquals(p.server().port(), remote.getPort());
            assertEquals("127.0.0.1", remote.getAddress().getHostAddress());
            assertEquals(local, p.peer().remoteAddress());
            assertEquals(remote, p.peer().localAddress());
            assertSame(getRunningLoop(), p.writer().getLoop());
            p.close();
        });
    }

    @Test
    void drain_peerNeverReads_suspendsWithBoundedBuffer_thenAllArrivesWhenPeerReads() throws Exception {
        run(() -> {
            Pair p = pair();
            long total = 32L * MIB;
            byte[] chunk = new byte[64 * KIB];
            long[] written = {0};
            long[] maxBuffered = {0};
            Task<Void> writer = createTask(() -> {
                while (written[0] < total) {
                    p.writer().write(chunk);
                    written[0] += chunk.length;
                    maxBuffered[0] = Math.max(maxBuffered[0], p.writer().bufferSize());
                    p.writer().drain();
                }
            });
            sleep(0.3);
            assertFalse(writer.isDone(), "the writer must be held back by drain");
            long stalledAt = written[0];
            assertTrue(p.writer().bufferSize() > StreamOptions.DEFAULT_HIGH_WATER,
                    "drain suspends only above the high-water mark: " + p.writer().bufferSize());
            sleep(0.2);
            assertEquals(stalledAt, written[0], "no progress while the peer is stalled");
            assertTrue(maxBuffered[0] < MIB, "buffer stays bounded: " + maxBuffered[0]);
            assertTrue(stalledAt < total, "stalled at " + stalledAt);
            assertEquals(total, readCount(p.peerReader(), total), "everything arrives once the peer reads");
            writer.await();
            assertEquals(total, written[0]);
            p.close();
        });
    }

    @Test
    void drain_returnsOnlyOnceBufferIsAtLowWaterMark() throws Exception {
        int high = 256 * KIB, low = 32 * KIB;
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withWriteBufferLimits(high, low));
            long sent = fillUntilBuffered(p.writer(), high);
            Task<Long> drain = createTask(() -> {
                p.writer().drain();
                return p.writer().bufferSize();
            });
            settle();
            assertFalse(drain.isDone(), "above the custom high-water mark drain suspends");
            Task<Long> reader = createTask(() -> readCount(p.peerReader(), sent));
            long atWake = drain.await();
            assertTrue(atWake <= low, "drain returned with " + atWake + " bytes buffered, low-water mark " + low);
            assertEquals(sent, reader.await());
            p.close();
        });
    }

    @Test
    void drain_belowCustomHighWaterMark_doesNotSuspend_evenWithBytesBuffered() throws Exception {
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withWriteBufferLimits(64 * MIB, 0));
            fillUntilBuffered(p.writer(), 0);
            long before = p.writer().bufferSize();
            assertTrue(before > 0);
            p.writer().drain();
            assertEquals(before, p.writer().bufferSize(), "drain returned without letting the loop flush");
            p.writer().abort();
            p.close();
        });
    }

    // ---- one waiter per caller: cancelling one caller never wakes or cancels another -------

    @Test
    void drain_twoWriters_oneCancelled_otherStillWaits() throws Exception {
        runVc(() -> {
            MemoryTransport t = new MemoryTransport().blockWrites();
            StreamWriter w = t.writer(StreamOptions.defaults().withWriteBufferLimits(4, 0));
            w.write(b("0123456789"));
            Task<Void> cancelled = createTask(w::drain);
            Task<Void> other = createTask(w::drain);
            sleep(0.01);
            assertFalse(cancelled.isDone() || other.isDone(), "both wait above the high-water mark");
            cancelled.cancel();
            sleep(0.01);
            assertTrue(cancelled.isCancelled());
            assertFalse(other.isDone(), "the other drain still waits for the buffer to drain");
            t.acceptWrites();
            other.await();
            assertEquals("0123456789", s(t.written()));
            assertEquals(0, w.bufferSize());
        });
    }

    @Test
    void waitClosed_twoWaiters_oneCancelled_otherWaitsUntilClosed() throws Exception {
        runVc(() -> {
            MemoryTransport t = new MemoryTransport().blockWrites();
            StreamWriter w = t.writer(StreamOptions.defaults());
            w.write(b("pending"));
            w.close();
            Task<Void> cancelled = createTask(w::waitClosed);
            Task<Void> other = createTask(w::waitClosed);
            sleep(0.01);
            cancelled.cancel();
            sleep(0.01);
            assertTrue(cancelled.isCancelled());
            assertFalse(other.isDone(), "the connection is still flushing");
            assertFalse(t.isClosed());
            t.acceptWrites();
            other.await();
            assertTrue(t.isClosed());
            assertEquals("pending", s(t.written()));
            w.waitClosed();                    // closed now: at once
        });
    }

    @Test
    void withWriteBufferLimits_badMarks_throwIllegalArgumentException() {
        assertThrows(IllegalArgumentException.class, () -> StreamOptions.defaults().withWriteBufferLimits(10, 20));
        assertThrows(IllegalArgumentException.class, () -> StreamOptions.defaults().withWriteBufferLimits(10, -1));
        StreamOptions o = StreamOptions.defaults().withWriteBufferLimits(100, 100);
        assertEquals(100, o.highWater());
        assertEquals(100, o.lowWater());
        assertEquals(StreamOptions.DEFAULT_HIGH_WATER, StreamOptions.defaults().highWater());
        assertEquals(StreamOptions.DEFAULT_LOW_WATER, StreamOptions.defaults().lowWater());
    }

    @Test
    void peerReset_makesWriteOrDrainThrowIOException() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().abort();                       // SO_LINGER 0: the peer sends RST
            settle();
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 200; i++) {
                    p.writer().write(new byte[16 * KIB]);
                    p.writer().drain();
                    sleep(0.005);
                }
            });
            assertNotNull(e.getMessage());
            assertTrue(p.writer().isClosing(), "a failed connection counts as closing");
            p.writer().waitClosed();
            assertThrows(IOException.class, () -> p.writer().write(b("x")));
            p.close();
        });
    }

    @Test
    void peerReset_readerSeesEofOrIOException() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> read = createTask(() -> p.reader().readLine());
            settle();
            p.peer().abort();
            try {
                assertArrayEquals(new byte[0], read.await(), "EOF");
            } catch (java.util.concurrent.CompletionException e) {
                assertInstanceOf(IOException.class, e.getCause());
            }
            p.close();
        });
    }

    @Test
    void abort_dropsBufferedBytes_andClosesAtOnce() throws Exception {
        run(() -> {
            Pair p = pair();
            fillUntilBuffered(p.writer(), 0);
            p.writer().abort();
            assertTrue(p.writer().isClosing());
            assertEquals(0, p.writer().bufferSize());
            p.writer().waitClosed();
            // the peer sees the reset (IOException) or an early EOF, never hangs
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                byte[] d;
                while ((d = p.peerReader().read(MIB)).length > 0) {
                    got.write(d);
                }
            } catch (IOException expected) {
                // reset
            }
            p.close();
        });
    }
}
