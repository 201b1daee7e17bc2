package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.CancellationHarness.named;
import static org.asyncio4j.streams.StreamReaderTest.b;
import static org.asyncio4j.streams.StreamReaderTest.s;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;

import org.asyncio4j.CancellationHarness;
import org.asyncio4j.CancellationHarness.Run;
import org.asyncio4j.Task;
import org.asyncio4j.TaskGroup;
import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The streams under {@link CancellationHarness}: a stop injected at every suspension point of
 * a reading task, or of a task in {@code serveForever}, either as a plain cancellation or as a
 * try-form TaskGroup's interruption (a sibling fails exactly there), keeps the invariants of
 * api.md's "Structured concurrency: what holds on every path", rule 3: a read stopped loses no
 * bytes (the next read on the same reader gets exactly the bytes not yet returned, in order),
 * and a stopped serveForever closes the server.
 */
@Timeout(120)
class StreamsCancellationTest {

    /** One kind of read, as the reading task repeats it until the stream ends. */
    @FunctionalInterface
    interface Read {
        byte[] from(StreamReader r) throws IOException;
    }

    private static final String DATA = "ab\ncd<>efg\nhijk<>lm\nnopqrs<>t\nuvw";
    private static final String[] CHUNKS = {"ab", "\nc", "d<", ">efg\nh", "ijk<", ">", "lm\nnopq", "rs<>t\nu", "vw"};

    /**
     * The reading task reads with {@code read} until EOF while the main task feeds the chunks
     * one by one; the harness stops the reader at each of its suspension points. Whatever the
     * reader returned, then one {@code read(-1)} on the same reader, must be the data, in order.
     */
    private static void readerLosesNoBytes(Read read, boolean groupInterruption) {
        int points = CancellationHarness.everySuspensionPoint(named("reader"), run -> {
            MemoryTransport t = new MemoryTransport();
            StreamReader r = t.reader(1024);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Event failSibling = new Event();
            IllegalStateException boom = new IllegalStateException("sibling failed");
            if (groupInterruption) {
                run.onInject(task -> failSibling.set());
            }
            Task<Void> reader = createTask(() -> {
                if (!groupInterruption) {
                    readToEof(r, read, got);
                    return;
                }
                try (TaskGroup tg = new TaskGroup()) {
                    Task<Void> sibling = tg.createTask(() -> {
                        failSibling.await();
                        throw boom;
                    }, "sibling");
                    readToEof(r, read, got);
                    sibling.cancel();
                }
            }, "reader");
            for (String c : CHUNKS) {
                sleep(0.01);
                t.feed(b(c));
            }
            sleep(0.01);
            t.feedEof();
            try {
                reader.await();
            } catch (RuntimeException stopped) {
                assertTrue(run.injected(), "only a stop ends the reader early: " + stopped);
            }
            got.writeBytes(r.read(-1));
            assertEquals(DATA, s(got.toByteArray()), "the bytes returned, then the rest, are the data in order");
            assertTrue(r.atEof());
        });
        assertTrue(points >= CHUNKS.length, "the reader waited for each chunk: " + points);
    }

    /** Reads until EOF; an incomplete read at the end contributes its partial bytes. */
    private static void readToEof(StreamReader r, Read read, ByteArrayOutputStream got) throws IOException {
        try {
            byte[] b;
            while ((b = read.from(r)).length > 0) {
                got.writeBytes(b);
            }
        } catch (IncompleteReadException end) {
            got.writeBytes(end.partial());
        }
    }

    private static final Read READ_3 = r -> r.read(3);
    private static final Read READ_LINE = StreamReader::readLine;
    private static final Read READ_EXACTLY_5 = r -> r.readExactly(5);
    private static final Read READ_UNTIL = r -> r.readUntil(b("<>"));

    @Test
    void read_cancelledAtEverySuspensionPoint_losesNoBytes() {
        readerLosesNoBytes(READ_3, false);
    }

    @Test
    void readLine_cancelledAtEverySuspensionPoint_losesNoBytes() {
        readerLosesNoBytes(READ_LINE, false);
    }

    @Test
    void readExactly_cancelledAtEverySuspensionPoint_losesNoBytes() {
        readerLosesNoBytes(READ_EXACTLY_5, false);
    }

    @Test
    void readUntil_cancelledAtEverySuspensionPoint_losesNoBytes() {
        readerLosesNoBytes(READ_UNTIL, false);
    }

    @Test
    void reads_interruptedByTheirTaskGroupAtEverySuspensionPoint_loseNoBytes() {
        for (Read read : new Read[] {READ_3, READ_LINE, READ_EXACTLY_5, READ_UNTIL}) {
            readerLosesNoBytes(read, true);
        }
    }

    /**
     * A task serves forever while a client is connected; the harness stops it at each of its
     * suspension points. A stop closes the server (no new connection is accepted, its accept
     * task is done) and serveForever then waits, as waitClosed does, for the connected client;
     * without a stop, the main task closes the server.
     */
    private static void serveForeverClosesTheServer(boolean groupInterruption) {
        CancellationHarness.everySuspensionPoint(named("serve"), run -> {
            Server server = startServer(ServerTest.ECHO, "127.0.0.1", 0);
            int port = server.port();
            Connection client = openConnection("127.0.0.1", port);
            Event failSibling = new Event();
            if (groupInterruption) {
                run.onInject(task -> failSibling.set());
            }
            Task<Void> serve = createTask(() -> {
                if (!groupInterruption) {
                    server.serveForever();
                    return;
                }
                try (TaskGroup tg = new TaskGroup()) {
                    Task<Void> sibling = tg.createTask(() -> {
                        failSibling.await();
                        throw new IllegalStateException("sibling failed");
                    }, "sibling");
                    server.serveForever();
                    sibling.cancel();
                }
            }, "serve");
            sleep(0.05);
            boolean stopped = !server.isServing();
            assertEquals(stopped, run.injected() && run.point() == 0, "only a stop in serveForever closes the server");
            if (stopped) {
                assertFalse(serve.isDone(), "serveForever waits for the connected client, as waitClosed does");
                assertTrue(server.acceptors.stream().allMatch(Task::isDone), "the accept task has ended");
                IOException e = assertThrows(IOException.class, () -> openConnection("127.0.0.1", port));
                assertInstanceOf(ConnectException.class, e);
                ServerTest.echoRoundTripOn(client, "the accepted connection still works");
            } else {
                ServerTest.echoRoundTripOn(client, "served");
                server.close();
            }
            client.writer().close();
            try {
                serve.await();
            } catch (RuntimeException e) {
                assertTrue(run.injected(), "only a stop ends serveForever with an exception: " + e);
            }
            server.waitClosed();
            assertFalse(server.isServing());
            assertEquals(0, server.clientCount());
        });
    }

    @Test
    void serveForever_cancelledAtEverySuspensionPoint_closesTheServer() {
        serveForeverClosesTheServer(false);
    }

    @Test
    void serveForever_interruptedByItsTaskGroupAtEverySuspensionPoint_closesTheServer() {
        serveForeverClosesTheServer(true);
    }
}
