package org.asyncio4j.lowlevel;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.asyncio4j.ContextVar;
import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of CPython's test_events add_reader/add_writer cases on {@code EventLoop.addReader}
 * and friends, over {@link java.nio.channels.Pipe}s and sockets: level-triggered calls, removal,
 * replacement, a throwing callback, the conflict with a waiting task, a closed channel.
 */
@Timeout(60)
class ReaderWriterCallbackTest {

    private static Pipe pipe() throws IOException {
        Pipe p = Pipe.open();
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        return p;
    }

    private static void close(Pipe p) throws IOException {
        p.source().close();
        p.sink().close();
    }

    /** Lets the loop run {@code n} iterations. */
    private static void iterations(int n) {
        for (int i = 0; i < n; i++) {
            sleep(0);
        }
    }

    @Test
    void addReader_readsWhatArrives_untilEof_andRemoveReaderReturnsTrueThenFalse() throws Exception {
        byte[] got = run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Future<Void> eof = loop.createFuture();
            loop.addReader(p.source(), () -> {
                ByteBuffer b = ByteBuffer.allocate(64);
                try {
                    int n = p.source().read(b);
                    if (n < 0) {
                        eof.setResult(null);
                        return;
                    }
                    bytes.write(b.array(), 0, n);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            createTask(() -> {
                p.sink().write(ByteBuffer.wrap("abc".getBytes()));
                sleep(0.01);
                p.sink().write(ByteBuffer.wrap("def".getBytes()));
                sleep(0.01);
                p.sink().write(ByteBuffer.wrap("ghi".getBytes()));
                p.sink().close();
            });
            eof.await();
            assertTrue(loop.removeReader(p.source()));
            assertFalse(loop.removeReader(p.source()), "nothing registered any more");
            p.source().close();
            return bytes.toByteArray();
        });
        assertArrayEquals("abcdefghi".getBytes(), got);
    }

    @Test
    void addReader_isLevelTriggered_calledEveryIterationWhileDataIsUnread_andNeverAfterRemoval() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            AtomicInteger calls = new AtomicInteger();
            loop.addReader(p.source(), calls::incrementAndGet);
            iterations(5);
            assertEquals(0, calls.get(), "nothing to read: not called");
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            iterations(20);
            int seen = calls.get();
            assertTrue(seen >= 5, "called again and again while the byte stays unread: " + seen);
            assertTrue(loop.removeReader(p.source()));
            int atRemoval = calls.get();
            iterations(10);
            assertEquals(atRemoval, calls.get(), "not called after removeReader");
            close(p);
        });
    }

    @Test
    void addWriter_calledWhileWritable_removeWriterReturnsTrueThenFalse() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            AtomicInteger calls = new AtomicInteger();
            assertFalse(loop.removeWriter(p.sink()), "nothing registered yet");
            loop.addWriter(p.sink(), calls::incrementAndGet);
            iterations(10);
            assertTrue(calls.get() >= 3, "an empty pipe is writable: called each iteration, " + calls.get());
            assertTrue(loop.removeWriter(p.sink()));
            assertFalse(loop.removeWriter(p.sink()));
            int atRemoval = calls.get();
            iterations(5);
            assertEquals(atRemoval, calls.get());
            close(p);
        });
    }

    @Test
    void addWriter_fillingThePipe_stopsBeingCalledUntilTheReaderDrainsIt() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            long[] written = {0};
            AtomicInteger calls = new AtomicInteger();
            loop.addWriter(p.sink(), () -> {
                calls.incrementAndGet();
                try {
                    written[0] += p.sink().write(ByteBuffer.allocate(64 * 1024));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            iterations(200);
            int full = calls.get();
            iterations(20);
            assertEquals(full, calls.get(), "a full pipe is not writable: no calls");
            ByteBuffer drain = ByteBuffer.allocate(1 << 20);
            long read = 0;
            while (read < written[0] / 2) {
                drain.clear();
                read += p.source().read(drain);
            }
            iterations(5);
            assertTrue(calls.get() > full, "writable again after the reader took some");
            assertTrue(loop.removeWriter(p.sink()));
            close(p);
        });
    }

    @Test
    void addReader_again_replacesTheCallback() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            List<String> calls = new ArrayList<>();
            loop.addReader(p.source(), () -> calls.add("first"));
            loop.addReader(p.source(), () -> calls.add("second"));
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            iterations(5);
            assertFalse(calls.isEmpty());
            assertTrue(calls.stream().allMatch("second"::equals), calls.toString());
            assertTrue(loop.removeReader(p.source()));
            assertFalse(loop.removeReader(p.source()), "one registration, removed once");
            close(p);
        });
    }

    @Test
    void aReaderThatThrows_goesToTheExceptionHandler_andStaysRegistered() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            List<ExceptionContext> reported = new ArrayList<>();
            loop.setExceptionHandler((l, ctx) -> reported.add(ctx));
            Pipe p = pipe();
            AtomicInteger calls = new AtomicInteger();
            loop.addReader(p.source(), () -> {
                calls.incrementAndGet();
                throw new IllegalStateException("boom");
            });
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            iterations(10);
            assertTrue(calls.get() >= 3, "still called after throwing: " + calls.get());
            assertEquals(calls.get(), reported.size(), "each throw reported once");
            assertEquals("boom", reported.get(0).exception().getMessage());
            assertTrue(reported.get(0).message().contains("reader callback"), reported.get(0).message());
            assertTrue(loop.removeReader(p.source()));
            loop.setExceptionHandler(null);
            close(p);
        });
    }

    @Test
    void aReaderRunsInTheContextCurrentWhenItWasAdded() throws Exception {
        ContextVar<String> who = new ContextVar<>("who", "nobody");
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            List<String> seen = new ArrayList<>();
            who.set("adder");
            loop.addReader(p.source(), () -> seen.add(who.get()));
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            iterations(3);
            assertTrue(loop.removeReader(p.source()));
            assertFalse(seen.isEmpty());
            assertEquals("adder", seen.get(0));
            close(p);
        });
    }

    @Test
    void aReaderAndAWaitingTask_excludeEachOther_inBothOrders_andRemovalFreesTheChannel() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = ServerSocketChannel.open()) {
                l.bind(new InetSocketAddress("127.0.0.1", 0));
                l.configureBlocking(false);
                SocketChannel a = SocketChannel.open();
                a.configureBlocking(false);
                Task<SocketChannel> accepted = createTask(() -> loop.sockAccept(l));
                loop.sockConnect(a, l.getLocalAddress());
                SocketChannel b = accepted.await();
                Task<byte[]> recv = createTask(() -> loop.sockRecv(b, 10));
                sleep(0.02);
                IllegalStateException e1 = assertThrows(IllegalStateException.class, () -> loop.addReader(b, () -> { }));
                assertTrue(e1.getMessage().contains("sockRecv"), e1.getMessage());
                loop.sockSendall(a, new byte[] {1});
                assertArrayEquals(new byte[] {1}, recv.await());

                loop.addReader(b, () -> { });
                IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> loop.sockRecv(b, 10));
                assertTrue(e2.getMessage().contains("addReader"), e2.getMessage());
                assertTrue(loop.removeReader(b));
                Task<byte[]> again = createTask(() -> loop.sockRecv(b, 10));
                sleep(0.02);                   // waiting in the poller's slot the reader had
                loop.sockSendall(a, new byte[] {2});
                assertArrayEquals(new byte[] {2}, again.await(), "usable by tasks again after removeReader");
                a.close();
                b.close();
            }
        });
    }

    @Test
    void closingAChannelWithAReader_endsTheCalls_removeReaderStillReturnsTrue_andTheLoopGoesOn() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            AtomicInteger calls = new AtomicInteger();
            loop.addReader(p.source(), calls::incrementAndGet);
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            iterations(3);
            assertTrue(calls.get() > 0);
            p.source().close();
            iterations(3);
            int atClose = calls.get();
            iterations(10);
            assertTrue(calls.get() <= atClose + 1, "at most one call already queued runs after the close");
            assertTrue(loop.removeReader(p.source()));
            assertFalse(loop.removeReader(p.source()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.addReader(p.source(), () -> { }));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            sleep(0.01);
            p.sink().close();
        });
    }

    @Test
    void addReader_onAListeningChannel_isCalledWhenAConnectionWaits() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            try (ServerSocketChannel l = ServerSocketChannel.open(); SocketChannel c = SocketChannel.open()) {
                l.bind(new InetSocketAddress("127.0.0.1", 0));
                l.configureBlocking(false);
                c.configureBlocking(false);
                Future<SocketChannel> got = loop.createFuture();
                loop.addReader(l, () -> {
                    try {
                        SocketChannel s = l.accept();
                        if (s != null && !got.isDone()) {
                            got.setResult(s);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                loop.sockConnect(c, l.getLocalAddress());
                got.await().close();
                assertTrue(loop.removeReader(l));
            }
        });
    }

    @Test
    void badInput_isNamed() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            Pipe p = pipe();
            assertThrows(NullPointerException.class, () -> loop.addReader(null, () -> { }));
            assertThrows(NullPointerException.class, () -> loop.addReader(p.source(), null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.addWriter(p.source(), () -> { }));
            assertTrue(e.getMessage().contains("cannot be written"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loop.addReader(p.sink(), () -> { }));
            Throwable[] fromOther = new Throwable[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    loop.addReader(p.source(), () -> { });
                } catch (Throwable t) {
                    fromOther[0] = t;
                }
            });
            other.join();
            assertTrue(fromOther[0] instanceof IllegalStateException, String.valueOf(fromOther[0]));
            close(p);
        });
    }
}
