package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.streams.StreamReaderTest.b;
import static org.asyncio4j.streams.StreamReaderTest.s;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A StreamReader made with its public constructor and fed by hand: the feed_data, feed_eof and
 * set_exception cases of CPython's Lib/test/test_asyncio/test_streams.py (read, readline,
 * readuntil, readexactly, read(-1), the limit, EOF and a failure in each), plus the Java rules:
 * feeding after feedEof, feeding a transport's reader, feeding from another thread.
 */
@Timeout(30)
class FedStreamReaderTest {
    static final byte[] DATA = b("DATA");

    /** Feeds {@code chunks} one at a time from another task, each after the reader had a chance to wait. */
    static Task<Void> feedLater(StreamReader r, boolean eof, String... chunks) {
        return createTask(() -> {
            for (String c : chunks) {
                sleep(0);
                r.feedData(b(c));
            }
            if (eof) {
                sleep(0);
                r.feedEof();
            }
        });
    }

    /** The bytes buffered and not yet read, read out without waiting. */
    static String buffered(StreamReader r) throws IOException {
        r.feedEof();
        return s(r.read(-1));
    }

    @Test
    void feedEmptyData_buffersNothing() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(new byte[0]);
            r.feedData(ByteBuffer.allocate(0));
            assertEquals("", buffered(r));
        });
    }

    @Test
    void feedData_byteBuffer_takesItsRemainingBytes() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            ByteBuffer bb = ByteBuffer.wrap(b("xxDATAyy"));
            bb.position(2).limit(6);
            r.feedData(bb);
            assertEquals(6, bb.position(), "the buffer's bytes are consumed");
            assertEquals("DATA", buffered(r));
        });
    }

    @Test
    void read_zero_returnsEmptyWithoutWaiting() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(DATA);
            assertEquals(0, r.read(0).length);
            assertEquals("DATA", buffered(r));
        });
    }

    @Test
    void read_suspendsUntilFed() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> t = createTask(() -> r.read(30));
            sleep(0);
            assertFalse(t.isDone(), "nothing fed yet");
            r.feedData(DATA);
            assertEquals("DATA", s(t.await()));
            assertEquals("", buffered(r));
        });
    }

    @Test
    void read_returnsOneArrival_leavesTheRest() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("line1"));
            r.feedData(b("line2"));
            assertEquals("line1", s(r.read(5)));
            assertEquals("line2", buffered(r));
        });
    }

    @Test
    void read_atEof_returnsEmpty() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> t = createTask(() -> r.read(1024));
            sleep(0);
            r.feedEof();
            assertEquals(0, t.await().length);
        });
    }

    @Test
    void readAll_readsEveryChunkUntilEof() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            feedLater(r, true, "chunk1\n", "chunk2");
            assertEquals("chunk1\nchunk2", s(r.read(-1)));
            assertTrue(r.atEof());
        });
    }

    @Test
    void read_afterSetException_throwsIt_evenWithBytesBuffered() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("line\n"));
            assertEquals("li", s(r.read(2)));
            IOException boom = new IOException("boom");
            r.setException(boom);
            assertSame(boom, r.exception());
            assertSame(boom, assertThrows(IOException.class, () -> r.read(2)));
            assertSame(boom, assertThrows(IOException.class, () -> r.readLine()));
            assertSame(boom, assertThrows(IOException.class, () -> r.readExactly(2)));
            assertSame(boom, assertThrows(IOException.class, () -> r.readUntil(b("\n"))));
        });
    }

    @Test
    void setException_wakesTheWaitingRead() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> t = createTask(() -> r.readLine());
            sleep(0);
            IOException boom = new IOException("boom");
            r.setException(boom);
            java.util.concurrent.CompletionException e = assertThrows(java.util.concurrent.CompletionException.class, t::await);
            assertSame(boom, e.getCause());
        });
    }

    @Test
    void cancelledRead_leavesNoWaiter_nextReadGetsTheBytes() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> t = createTask(() -> r.read(10));
            sleep(0);
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            r.feedData(DATA);
            assertEquals("DATA", s(r.read(10)));
        });
    }

    @Test
    void readLine_joinsChunksUntilTheNewline() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("chunk1 "));
            feedLater(r, false, "chunk2 ", "chunk3 ", "\n chunk4");
            assertEquals("chunk1 chunk2 chunk3 \n", s(r.readLine()));
            assertEquals(" chunk4", buffered(r));
        });
    }

    @Test
    void readLine_limitWithExistingData_dropsTheLongLine() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader(3);
            r.feedData(b("li"));
            r.feedData(b("ne1\nline2\n"));
            assertThrows(LimitOverrunException.class, r::readLine);
            assertEquals("line2\n", buffered(r), "the long line is dropped up to its newline");

            StreamReader r2 = new StreamReader(3);
            r2.feedData(b("li"));
            r2.feedData(b("ne1"));
            r2.feedData(b("li"));
            assertThrows(LimitOverrunException.class, r2::readLine);
            assertEquals("", buffered(r2), "no newline: the buffer is dropped");
        });
    }

    @Test
    void readLine_limit_asCPython() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader(7);
            feedLater(r, true, "chunk1", "chunk2", "chunk3\n");
            assertThrows(LimitOverrunException.class, r::readLine);

            StreamReader r2 = new StreamReader(7);
            feedLater(r2, true, "chunk1", "chunk2\n", "chunk3\n");
            assertThrows(LimitOverrunException.class, r2::readLine);
            assertEquals("chunk3\n", s(r2.read(-1)));

            StreamReader r3 = new StreamReader(7);
            r3.feedData(b("1234567\n"));
            assertEquals("1234567\n", s(r3.readLine()), "a line of exactly the limit fits");
            r3.feedData(b("12345678\n"));
            assertThrows(LimitOverrunException.class, r3::readLine);
            r3.feedData(b("12345678"));
            assertThrows(LimitOverrunException.class, r3::readLine);
            assertEquals("", buffered(r3));
        });
    }

    @Test
    void readLine_noWait_andByteCounts() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("line1\nline2\nline3\n"));
            assertEquals("line1\n", s(r.readLine()));
            assertEquals("line2\nl", s(r.read(7)));
            assertEquals("ine3\n", buffered(r));
        });
    }

    @Test
    void readLine_atEof_partialLineThenEmpty() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("some data"));
            r.feedEof();
            assertEquals("some data", s(r.readLine()));
            assertEquals("", s(r.readLine()));
            StreamReader empty = new StreamReader();
            empty.feedEof();
            assertEquals(0, empty.readLine().length);
        });
    }

    @Test
    void atEof_onlyAfterFeedEofAndEveryByteRead() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            assertFalse(r.atEof());
            r.feedData(b("some data\n"));
            assertFalse(r.atEof());
            r.readLine();
            assertFalse(r.atEof());
            r.feedData(b("some data\n"));
            r.feedEof();
            r.readLine();
            assertTrue(r.atEof());
        });
    }

    @Test
    void readUntil_multiChunks_asCPython() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(r.readUntil(b("AAA"))));
            r.feedData(b("lineAAAxxx"));
            assertEquals("lineAAA", s(r.readUntil(b("AAA"))));
            assertEquals("xxx", s(r.read(3)));

            StreamReader r2 = new StreamReader();
            feedLater(r2, false, "QWEaa", "XYaa", "a");
            assertEquals("QWEaaXYaaa", s(r2.readUntil(b("aaa"))));
            feedLater(r2, false, "QWEaa", "XYa", "aa");
            assertEquals("QWEaaXYaaa", s(r2.readUntil(b("aaa"))));
            feedLater(r2, false, "aaa");
            assertEquals("aaa", s(r2.readUntil(b("aaa"))));
            feedLater(r2, false, "Xaaa");
            assertEquals("Xaaa", s(r2.readUntil(b("aaa"))));
            feedLater(r2, false, "XXX", "a", "a", "a");
            assertEquals("XXXaaa", s(r2.readUntil(b("aaa"))));
            assertEquals("", buffered(r2));
        });
    }

    @Test
    void readUntil_atEof_isIncompleteWithThePartialBytes() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(b("some dataAA"));
            r.feedEof();
            IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> r.readUntil(b("AAA")));
            assertEquals("some dataAA", s(e.partial()));
            assertEquals("", buffered(r));
        });
    }

    @Test
    void readUntil_limit_foundOrNot_keepsTheData() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader(3);
            r.feedData(b("some dataAA"));
            LimitOverrunException notFound = assertThrows(LimitOverrunException.class, () -> r.readUntil(b("AAA")));
            assertTrue(notFound.getMessage().contains("not found"), notFound.getMessage());
            r.feedData(b("A"));
            LimitOverrunException found = assertThrows(LimitOverrunException.class, () -> r.readUntil(b("AAA")));
            assertTrue(found.getMessage().contains("found, but"), found.getMessage());
            assertEquals("some dataAAA", buffered(r));
        });
    }

    @Test
    void readUntil_emptySeparator_isIllegal() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            assertThrows(IllegalArgumentException.class, () -> r.readUntil(new byte[0]));
        });
    }

    @Test
    void readExactly_zeroOrLess() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(DATA);
            assertEquals(0, r.readExactly(0).length);
            assertThrows(IllegalArgumentException.class, () -> r.readExactly(-1));
            assertEquals("DATA", buffered(r));
        });
    }

    @Test
    void readExactly_acrossChunks_leavesTheRest() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            Task<Void> feeder = feedLater(r, false, "DATA", "DATA", "DATA");
            assertEquals("DATADATA", s(r.readExactly(8)));
            feeder.await();
            assertEquals("DATA", buffered(r));
        });
    }

    @Test
    void readExactly_isNotBoundByTheLimit() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader(3);
            feedLater(r, false, "chunk");
            assertEquals("chunk", s(r.readExactly(5)));
        });
    }

    @Test
    void readExactly_atEof_isIncompleteWithThePartialBytes() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            feedLater(r, true, "DATA");
            IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> r.readExactly(8));
            assertEquals("DATA", s(e.partial()));
            assertEquals(8, e.expected());
            assertEquals("", s(r.read(-1)));
        });
    }

    @Test
    void bigFeeds_growTheBuffer_byteExact() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            byte[] big = new byte[100_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            r.feedData(java.util.Arrays.copyOfRange(big, 0, 5000));
            assertEquals(1000, r.read(1000).length);
            r.feedData(java.util.Arrays.copyOfRange(big, 5000, big.length));
            r.feedEof();
            assertArrayEquals(java.util.Arrays.copyOfRange(big, 1000, big.length), r.read(-1));
        });
    }

    @Test
    void feedAfterFeedEof_isIllegal() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedEof();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.feedData(DATA));
            assertTrue(e.getMessage().contains("feedEof"), e.getMessage());
            r.feedEof();                          // a second EOF changes nothing
        });
    }

    @Test
    void aTransportsReader_cannotBeFed() throws Exception {
        run(() -> {
            StreamReader r = new MemoryTransport().reader(100);
            assertThrows(IllegalStateException.class, () -> r.feedData(DATA));
            assertThrows(IllegalStateException.class, r::feedEof);
            assertThrows(IllegalStateException.class, () -> r.setException(new IOException()));
            assertNull(r.exception());
        });
    }

    @Test
    void feedingBeforeAnyLoop_thenReadingInOne_works() throws Exception {
        StreamReader r = new StreamReader();
        r.feedData(b("early\n"));
        assertEquals("early\n", Asyncio.run(() -> s(r.readLine())));
    }

    @Test
    void feedingFromAnotherThread_onceBound_isIllegal() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            r.feedData(DATA);                      // binds the reader to this loop
            AtomicReference<Throwable> seen = new AtomicReference<>();
            toThread(() -> {
                try {
                    r.feedData(DATA);
                } catch (Throwable e) {
                    seen.set(e);
                }
                return null;
            });
            assertInstanceOf(IllegalStateException.class, seen.get());
            assertEquals("DATA", buffered(r), "the refused feed added nothing");
            // the thread-safe way
            StreamReader r2 = new StreamReader();
            Task<byte[]> t = createTask(() -> r2.readExactly(4));
            sleep(0);
            var loop = getRunningLoop();
            toThread(() -> loop.callSoonThreadsafe(() -> r2.feedData(DATA)));
            assertEquals("DATA", s(t.await()));
        });
    }

    @Test
    void readOutsideATask_whenItMustWait_isIllegal() {
        StreamReader r = new StreamReader();
        assertThrows(IllegalStateException.class, () -> r.read(1));
    }

    @Test
    void badLimit_isIllegal() {
        assertThrows(IllegalArgumentException.class, () -> new StreamReader(0));
    }

    @Test
    void concurrentReads_secondIsIllegal() throws Exception {
        run(() -> {
            StreamReader r = new StreamReader();
            Task<byte[]> t = createTask(() -> r.read(1));
            sleep(0);
            assertThrows(IllegalStateException.class, () -> r.read(1));
            r.feedData(DATA);
            assertEquals("D", s(t.await()));
        });
    }
}
