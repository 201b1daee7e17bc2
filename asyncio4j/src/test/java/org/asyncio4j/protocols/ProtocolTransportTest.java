package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.protocols.ProtocolConnectionTest.b;
import static org.asyncio4j.protocols.ProtocolConnectionTest.captureLoopErrors;
import static org.asyncio4j.protocols.ProtocolConnectionTest.loop;
import static org.asyncio4j.protocols.ProtocolConnectionTest.recording;
import static org.asyncio4j.protocols.ProtocolConnectionTest.s;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.streams.Connection;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;
import org.asyncio4j.streams.StreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport's own behaviours, ported from CPython's test_selector_events (flow control at the
 * water marks, pause/resume reading, write_eof, close versus abort, writes after close), its
 * test_buffered_proto, and the failure rules of this API: a protocol callback that throws, a
 * reset peer, connectionLost once and last. Plus the shared-engine property: the same bytes,
 * in the same order, reach a stream server and a protocol server. Real clock, loopback.
 */
@Timeout(60)
class ProtocolTransportTest {
    private static final int KIB = 1024;

    /** A client protocol connected to a stream server; the server side of the connection is {@code peer}. */
    record Pair<P extends BaseProtocol<Transport>>(Transport transport, P protocol, Connection peer, Server server) {
    }

    static <P extends BaseProtocol<Transport>> Pair<P> pair(Supplier<P> factory, StreamOptions options) throws IOException {
        Future<Connection> side = loop().createFuture();
        Server server = startServer((r, w) -> side.setResult(new Connection(r, w)), "127.0.0.1", 0);
        var tp = loop().createConnection(factory, "127.0.0.1", server.port(), options);
        return new Pair<>(tp.transport(), tp.protocol(), side.await(), server);
    }

    static Pair<Recorder> pair() throws IOException {
        return pair(Recorder::new, StreamOptions.defaults());
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            sleep(0.005);
        }
    }

    static long drainCount(StreamReader r) throws IOException {
        long n = 0;
        byte[] d;
        while ((d = r.read(1 << 20)).length > 0) {
            n += d.length;
        }
        return n;
    }

    // ---- flow control ----------------------------------------------------------------------

    @Test
    void writeBuffer_aboveHighWater_pausesWriting_andResumesAtLowWater_inOrder() {
        run(() -> {
            var p = pair(Recorder::new, StreamOptions.defaults().withWriteBufferLimits(64 * KIB, 16 * KIB));
            Transport t = p.transport();
            byte[] chunk = new byte[16 * KIB];
            long sent = 0;
            while (!p.protocol().events.contains("pause")) {
                t.write(chunk);
                sent += chunk.length;
                assertTrue(sent < 256L << 20, "the kernel never filled up");
            }
            assertTrue(t.getWriteBufferSize() > 64 * KIB, "paused only above the high-water mark");
            int atPause = p.protocol().events.size();
            t.close();                                           // flushes, then connectionLost
            assertEquals(sent, drainCount(p.peer().reader()), "every byte arrives, in order");
            assertNull(p.protocol().done.await());
            List<String> after = p.protocol().events.subList(atPause - 1, p.protocol().events.size());
            assertEquals(List.of("pause", "resume", "lost"), after, "resume once at the low-water mark, then lost");
            p.server().close();
        });
    }

    @Test
    void setWriteBufferLimits_belowWhatIsBuffered_pausesAtOnce_andBadLimitsAreRefused() {
        run(() -> {
            var p = pair();
            Transport t = p.transport();
            assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(10, 20));
            assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(10, -1));
            byte[] chunk = new byte[64 * KIB];
            while (t.getWriteBufferSize() == 0) {
                t.write(chunk);
            }
            assertFalse(p.protocol().events.contains("pause"));
            t.setWriteBufferLimits(t.getWriteBufferSize() - 1, 0);
            assertTrue(p.protocol().events.contains("pause"), "pauseWriting at once when the new mark is exceeded");
            t.abort();
            p.protocol().done.await();
            p.server().close();
        });
    }

    @Test
    void echoProtocol_pausingReadWhileWritingIsPaused_echoesEightMebibytesIntact() {
        // The classic proxy pattern: stop reading while the peer does not take our writes.
        run(() -> {
            Server server = loop().createServer(() -> new Echo() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.setWriteBufferLimits(32 * KIB, 8 * KIB);
                }

                @Override
                public void pauseWriting() {
                    transport.pauseReading();
                }

                @Override
                public void resumeWriting() {
                    transport.resumeReading();
                }
            }, "127.0.0.1", 0);
            byte[] data = new byte[8 << 20];
            new Random(13).nextBytes(data);
            Connection c = openConnection("127.0.0.1", server.port());
            Task<Void> writer = createTask(() -> {
                for (int i = 0; i < data.length; i += 100_000) {
                    c.writer().write(Arrays.copyOfRange(data, i, Math.min(data.length, i + 100_000)));
                    c.writer().drain();
                }
                c.writer().writeEof();
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] d;
            while ((d = c.reader().read(1 << 20)).length > 0) {
                got.writeBytes(d);
            }
            writer.await();
            assertArrayEquals(data, got.toByteArray());
            server.close();
            server.waitClosed();
        });
    }

    // ---- reading ---------------------------------------------------------------------------

    @Test
    void pauseReading_stopsDataReceived_untilResumeReading() {
        run(() -> {
            var p = pair();
            Transport t = p.transport();
            assertTrue(t.isReading());
            p.peer().writer().write(b("first"));
            waitUntil(() -> p.protocol().nbytes == 5);
            t.pauseReading();
            t.pauseReading();                                    // idempotent
            assertFalse(t.isReading());
            p.peer().writer().write(b("second"));
            sleep(0.1);
            assertEquals(5, p.protocol().nbytes, "no dataReceived while paused");
            t.resumeReading();
            t.resumeReading();
            assertTrue(t.isReading());
            waitUntil(() -> p.protocol().nbytes == 11);
            assertEquals("firstsecond", p.protocol().text());
            t.close();
            assertFalse(t.isReading(), "a closing transport does not read");
            p.protocol().done.await();
            p.server().close();
        });
    }

    @Test
    void pauseReading_inConnectionMade_deliversNothingUntilResumed() {
        run(() -> {
            Future<Connection> side = loop().createFuture();
            Server server = startServer((r, w) -> {
                w.write(b("early"));
                side.setResult(new Connection(r, w));
            }, "127.0.0.1", 0);
            var tp = loop().createConnection(() -> new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.pauseReading();
                }
            }, "127.0.0.1", server.port());
            side.await();
            sleep(0.1);
            assertEquals(0, tp.protocol().nbytes);
            tp.transport().resumeReading();
            waitUntil(() -> tp.protocol().nbytes == 5);
            tp.transport().close();
            tp.protocol().done.await();
            server.close();
        });
    }

    @Test
    void callbacksRunOnTheLoop_outsideAnyTask() {
        run(() -> {
            List<Object> tasks = new ArrayList<>();
            var p = pair(() -> new Recorder() {
                @Override
                public void dataReceived(ByteBuffer data) {
                    super.dataReceived(data);
                    tasks.add(String.valueOf(currentTask()));
                }
            }, StreamOptions.defaults());
            p.peer().writer().write(b("x"));
            waitUntil(() -> p.protocol().nbytes == 1);
            assertEquals(List.of("null"), tasks);
            p.transport().close();
            p.server().close();
        });
    }

    @Test
    void eofReceived_returningTrue_keepsTheWriteSideOpen() {
        run(() -> {
            var p = pair();
            p.protocol().keepOpenOnEof = true;
            p.peer().writer().write(b("last words"));
            p.peer().writer().writeEof();
            waitUntil(() -> "EOF".equals(p.protocol().state));
            assertFalse(p.transport().isClosing(), "kept open");
            assertFalse(p.transport().isReading());
            p.transport().write(b("answer"));
            p.transport().close();
            assertEquals("answer", s(p.peer().reader().read(-1)));
            assertNull(p.protocol().done.await());
            assertEquals(List.of("made", "data", "eof", "lost"), p.protocol().events);
            p.server().close();
        });
    }

    @Test
    void peerReset_connectionLostWithTheIOException() {
        run(() -> {
            var p = pair();
            p.peer().writer().abort();
            Exception e = p.protocol().done.await();
            assertInstanceOf(IOException.class, e);
            p.protocol().assertLostOnceAndLast();
            p.server().close();
        });
    }

    @Test
    void closingATransportInsideDataReceived_neverRunsAnotherProtocolInline() {
        // Closing a socket flushes the selector's cancelled keys with a selectNow, which reports
        // the other sockets' readiness re-entrantly: their protocols must run later, not nested.
        run(() -> {
            int[] depth = {0, 0};
            List<Transport> victims = new ArrayList<>();
            Supplier<Recorder> nesting = () -> new Recorder() {
                @Override
                public void dataReceived(ByteBuffer data) {
                    depth[0]++;
                    depth[1] = Math.max(depth[1], depth[0]);
                    super.dataReceived(data);
                    if (!victims.isEmpty()) {
                        victims.remove(0).close();
                    }
                    depth[0]--;
                }
            };
            List<Pair<Recorder>> pairs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                pairs.add(pair(nesting, StreamOptions.defaults()));
            }
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 3; i++) {
                    victims.add(pair().transport());
                }
                for (var p : pairs) {
                    p.peer().writer().write(b("x"));
                }
                int want = round + 1;
                waitUntil(() -> pairs.stream().allMatch(p -> p.protocol().nbytes == want));
            }
            assertEquals(1, depth[1], "a protocol callback ran inside another");
            for (var p : pairs) {
                p.transport().close();
                p.server().close();
            }
        });
    }

    // ---- writing, writeEof, close, abort ---------------------------------------------------

    @Test
    void writeEof_afterBufferedOutput_peerReadsAllThenEof_andCanStillAnswer() {
        run(() -> {
            var p = pair();
            Transport t = p.transport();
            assertTrue(t.canWriteEof());
            byte[] big = new byte[4 << 20];
            t.write(big);
            t.writeEof();
            t.writeEof();                                        // idempotent
            assertThrows(IllegalStateException.class, () -> t.write(b("more")), "write after writeEof");
            assertEquals(big.length, drainCount(p.peer().reader()), "buffered output first, then EOF");
            p.peer().writer().write(b("reply"));
            p.peer().writer().close();
            assertNull(p.protocol().done.await());
            assertTrue(p.protocol().text().endsWith("reply"));
            p.protocol().assertLostOnceAndLast();
            p.server().close();
        });
    }

    @Test
    void close_flushesWhatIsBuffered_thenConnectionLostOnce() {
        run(() -> {
            var p = pair();
            Transport t = p.transport();
            byte[] big = new byte[4 << 20];
            new Random(1).nextBytes(big);
            t.write(ByteBuffer.wrap(big));
            assertTrue(t.getWriteBufferSize() > 0);
            t.close();
            t.close();
            assertTrue(t.isClosing());
            assertThrows(IllegalStateException.class, () -> t.write(b("x")), "write after close");
            t.writeEof();                                        // after close: nothing to do
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] d;
            while ((d = p.peer().reader().read(1 << 20)).length > 0) {
                got.writeBytes(d);
            }
            assertArrayEquals(big, got.toByteArray());
            assertNull(p.protocol().done.await());
            t.abort();                                           // after the end: nothing
            sleep(0.02);
            p.protocol().assertLostOnceAndLast();
            assertEquals(0, t.getWriteBufferSize());
            p.server().close();
        });
    }

    @Test
    void abort_discardsTheBuffer_resetsThePeer_connectionLostNull() {
        run(() -> {
            var p = pair();
            Transport t = p.transport();
            t.write(new byte[8 << 20]);
            t.abort();
            assertTrue(t.isClosing());
            assertThrows(IllegalStateException.class, () -> t.write(b("x")), "write after abort");
            assertNull(p.protocol().done.await());
            long got = -1;
            try {
                got = drainCount(p.peer().reader());
            } catch (IOException reset) {
                // the reset itself
            }
            assertTrue(got < 8 << 20, "the buffered bytes were dropped: " + got);
            t.close();
            sleep(0.02);
            p.protocol().assertLostOnceAndLast();
            p.server().close();
        });
    }

    @Test
    void writeLines_andEmptyWrites() {
        run(() -> {
            var p = pair();
            p.transport().write(new byte[0]);
            p.transport().write(ByteBuffer.allocate(0));
            p.transport().writeLines(List.of(b("a\n"), b("b\n")));
            assertThrows(NullPointerException.class, () -> p.transport().write((byte[]) null));
            ByteBuffer bb = ByteBuffer.wrap(b("c\n"));
            p.transport().write(bb);
            assertFalse(bb.hasRemaining(), "write consumes the buffer");
            assertEquals("a\nb\nc\n", s(p.peer().reader().readExactly(6)));
            p.transport().close();
            p.server().close();
        });
    }

    @Test
    void writeLines_ofEmptyChunks_isRefusedAfterWriteEof_andOnAClosingTransport_asWriteIs() {
        run(() -> {
            var p = pair();
            Transport t = p.transport();
            t.writeEof();
            assertThrows(IllegalStateException.class, () -> t.write(new byte[0]), "write after writeEof");
            assertThrows(IllegalStateException.class, () -> t.writeLines(List.of(new byte[0])), "writeLines after writeEof");
            t.close();
            assertThrows(IllegalStateException.class, () -> t.writeLines(List.of(new byte[0], new byte[0])),
                    "writeLines on a closing transport");
            p.server().close();
        });
    }

    @Test
    void writeLines_largerThanTheKernelTakes_arrivesWholeAndInOrder_andANullChunkWritesNothing() {
        run(() -> {
            var p = pair();
            List<byte[]> withNull = new java.util.ArrayList<>();
            withNull.add(b("never"));
            withNull.add(null);
            assertThrows(NullPointerException.class, () -> p.transport().writeLines(withNull));
            List<byte[]> parts = new java.util.ArrayList<>();
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 24; i++) {
                byte[] part = new byte[i % 3 == 0 ? 5 : (512 << 10) + i];   // small and large: a partial gathering write
                for (int k = 0; k < part.length; k++) {
                    part[k] = (byte) (k * 31 + i);
                }
                parts.add(part);
                expected.writeBytes(part);
            }
            var reader = createTask(() -> p.peer().reader().readExactly(expected.size()));
            p.transport().writeLines(parts);
            assertTrue(p.transport().getWriteBufferSize() > 0, "the kernel took it all: the test proves nothing");
            assertArrayEquals(expected.toByteArray(), reader.await());
            p.transport().close();
            p.server().close();
        });
    }

    // ---- a protocol callback that throws ---------------------------------------------------

    @Test
    void dataReceivedThrows_reportedNamingProtocolAndTransport_transportClosed_loopGoesOn() {
        run(() -> {
            List<ExceptionContext> errors = captureLoopErrors();
            IllegalStateException boom = new IllegalStateException("boom");
            var p = pair(() -> new Recorder() {
                @Override
                public void dataReceived(ByteBuffer data) {
                    super.dataReceived(data);
                    throw boom;
                }

                @Override
                public String toString() {
                    return "ThrowingProto";
                }
            }, StreamOptions.defaults());
            p.peer().writer().write(b("x"));
            assertSame(boom, p.protocol().done.await(), "connectionLost receives the callback's exception");
            p.protocol().assertLostOnceAndLast();
            assertEquals(1, errors.size(), errors::toString);
            ExceptionContext ctx = errors.get(0);
            assertSame(boom, ctx.exception());
            assertTrue(ctx.message().contains("dataReceived") && ctx.message().contains("ThrowingProto")
                    && ctx.message().contains("ProtocolTransport"), ctx.message());
            assertEquals(0, drainCount(p.peer().reader()), "the peer sees the connection closed");
            var again = pair();                                  // the loop goes on
            again.peer().writer().write(b("fine"));
            waitUntil(() -> again.protocol().nbytes == 4);
            again.transport().close();
            p.server().close();
            again.server().close();
        });
    }

    @Test
    void connectionMadeThrows_reported_andConnectionLostFollowsWithIt() {
        run(() -> {
            List<ExceptionContext> errors = captureLoopErrors();
            RuntimeException boom = new RuntimeException("made");
            var p = pair(() -> new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    throw boom;
                }
            }, StreamOptions.defaults());
            assertTrue(p.transport().isClosing());
            assertSame(boom, p.protocol().done.await());
            assertEquals(List.of("made", "lost"), p.protocol().events);
            assertTrue(errors.get(0).message().contains("connectionMade"), errors.get(0).message());
            p.server().close();
        });
    }

    @Test
    void errorThrownByACallback_reachesConnectionLostWrapped() {
        run(() -> {
            List<ExceptionContext> errors = captureLoopErrors();
            AssertionError failed = new AssertionError("assertion in a callback");
            var p = pair(() -> new Recorder() {
                @Override
                public boolean eofReceived() {
                    super.eofReceived();
                    throw failed;
                }
            }, StreamOptions.defaults());
            p.peer().writer().close();
            Exception e = p.protocol().done.await();
            assertSame(failed, e.getCause());
            assertSame(failed, errors.get(0).exception());
            p.server().close();
        });
    }

    // ---- BufferedProtocol (test_buffered_proto) --------------------------------------------

    /** ReceiveStuffProto: reads into its own 100-byte buffer. */
    static final class ReceiveStuff implements BufferedProtocol {
        final ByteBuffer buffer = ByteBuffer.allocate(100);
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final Future<Exception> lost = loop().createFuture();
        final byte[] noise;
        Transport t;
        int calls;

        ReceiveStuff(byte[] noise) {
            this.noise = noise;
        }

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            buffer.clear();
            return buffer;
        }

        @Override
        public void bufferUpdated(int n) {
            calls++;
            assertEquals(0, buffer.position(), "the position is not advanced");
            data.write(buffer.array(), 0, n);
            if (data.size() == noise.length) {
                assertArrayEquals(noise, data.toByteArray());
                t.write(b("1"));
            }
        }

        @Override
        public void connectionLost(Exception failure) {
            lost.setResult(failure);
        }
    }

    @Test
    void bufferedProtocol_createConnection_receivesEverythingThroughItsOwnBuffer() {
        run(() -> {
            byte[] noise = b("12345678+".repeat(1024));
            try (Server server = startServer((r, w) -> {
                w.write(noise);
                r.readExactly(1);
                w.close();
                w.waitClosed();
            }, "127.0.0.1", 0)) {
                var tp = loop().createConnection(() -> new ReceiveStuff(noise), "127.0.0.1", server.port());
                assertNull(tp.protocol().lost.await());
                assertArrayEquals(noise, tp.protocol().data.toByteArray());
                assertTrue(tp.protocol().calls >= noise.length / 100, "at most 100 bytes per call");
            }
        });
    }

    @Test
    void bufferedProtocol_getBufferWithoutSpace_isAFailureOfTheCallback() {
        run(() -> {
            List<ExceptionContext> errors = captureLoopErrors();
            Future<Exception> lost = loop().createFuture();
            var p = pair(() -> new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return ByteBuffer.allocate(0);
                }

                @Override
                public void connectionLost(Exception failure) {
                    lost.setResult(failure);
                }
            }, StreamOptions.defaults());
            p.peer().writer().write(b("x"));
            assertInstanceOf(IllegalStateException.class, lost.await());
            assertTrue(errors.get(0).message().contains("getBuffer"), errors.get(0).message());
            p.server().close();
        });
    }

    // ---- one engine under streams and protocols --------------------------------------------

    @Test
    void sameBytesSentToAStreamServerAndAProtocolServer_arriveTheSame() {
        run(() -> {
            byte[] data = new byte[3 << 20];
            new Random(7).nextBytes(data);
            Future<byte[]> byStreams = loop().createFuture();
            Server streams = startServer((r, w) -> {
                byStreams.setResult(r.read(-1));
                w.close();
            }, "127.0.0.1", 0);
            Future<Recorder> proto = loop().createFuture();
            Server protocols = loop().createServer(recording(proto), "127.0.0.1", 0);
            for (Server s : List.of(streams, protocols)) {
                Connection c = openConnection("127.0.0.1", s.port());
                Random chunks = new Random(3);
                for (int i = 0; i < data.length; ) {
                    int n = Math.min(data.length - i, 1 + chunks.nextInt(70_000));
                    c.writer().write(Arrays.copyOfRange(data, i, i + n));
                    c.writer().drain();
                    i += n;
                }
                c.writer().writeEof();
                c.reader().read(-1);
                c.writer().close();
            }
            Recorder p = proto.await();
            p.done.await();
            assertArrayEquals(data, byStreams.await());
            assertArrayEquals(byStreams.await(), p.received.toByteArray());
            streams.close();
            protocols.close();
        });
    }

    @Test
    void tls_bothWays_megabytesIntact() {
        run(() -> {
            byte[] data = new byte[2 << 20];
            new Random(5).nextBytes(data);
            Server server = loop().createServer(Echo::new, "127.0.0.1", 0, StreamOptions.defaults().withSsl(TestTls.server()));
            var tp = loop().createConnection(Recorder::new, "127.0.0.1", server.port(),
                    StreamOptions.defaults().withSsl(TestTls.client()));
            tp.transport().write(data);
            waitUntil(() -> tp.protocol().nbytes == data.length);
            assertArrayEquals(data, tp.protocol().received.toByteArray());
            tp.transport().close();
            assertNull(tp.protocol().done.await());
            server.close();
            server.waitClosed();
        });
    }
}
