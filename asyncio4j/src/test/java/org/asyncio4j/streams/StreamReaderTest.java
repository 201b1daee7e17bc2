package org.asyncio4j.streams;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Asyncio;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.ThrowingRunnable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * StreamReader behaviours ported from CPython's Lib/test/test_asyncio/test_streams.py, driven
 * over a real loopback connection: the test task holds the server side's writer (the "peer")
 * and feeds the client's reader controlled bytes, with short real pauses where a read must
 * see the data arrive in pieces.
 *
 * <p>Skipped (Python-only or not applicable): feed_data/feed_eof/set_exception on a bare reader
 * (the Java reader is always bound to a transport), __repr__, the deprecated loop argument,
 * async iteration of the reader, the StreamReaderProtocol internals and the "multiple
 * exceptions" tests that poke private state.
 */
@Timeout(30)
class StreamReaderTest {

    /** The client's reader and writer plus the server side ("peer") of one loopback connection. */
    record Pair(StreamReader reader, StreamWriter writer, StreamReader peerReader, StreamWriter peer, Server server) {
        void close() {
            writer.close();
            peer.close();
            server.close();
        }
    }

    static Pair pair(StreamOptions clientOptions) throws IOException {
        Future<Connection> side = getRunningLoop().createFuture();
        Server server = startServer((r, w) -> side.setResult(new Connection(r, w)), "127.0.0.1", 0);
        Connection c = openConnection("127.0.0.1", server.port(), clientOptions);
        Connection p = side.await();
        return new Pair(c.reader(), c.writer(), p.reader(), p.writer(), server);
    }

    static Pair pair() throws IOException {
        return pair(StreamOptions.defaults());
    }

    static void run(ThrowingRunnable main) {
        Asyncio.run(main);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A short real pause: long enough for loopback bytes to arrive and a reader to consume them. */
    static void settle() {
        sleep(0.05);
    }

    // ---- buffer compaction (regression: a scan position must survive fill() moving the bytes) -

    @Test
    void readLine_afterTheBufferIsCompacted_stillFindsEachNewline() throws Exception {
        run(() -> {
            Pair p = pair();
            // 8,192 bytes fill the reader's first buffer exactly; the second line starts at its
            // end, so reading on compacts the buffer while a newline search is under way.
            p.peer().write(b("A".repeat(7999) + "\n" + "B".repeat(192)));
            assertEquals(8000, p.reader().readLine().length);
            Task<byte[]> second = createTask(() -> p.reader().readLine());
            settle();
            p.peer().write(b("C\nD\n"));
            assertEquals("B".repeat(192) + "C\n", s(second.await()));
            assertEquals("D\n", s(p.reader().readLine()));
            p.close();
        });
    }

    @Test
    void readUntil_afterTheBufferIsCompacted_stillFindsTheSeparator() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("A".repeat(7990) + "<END>" + "B".repeat(197)));
            assertEquals(7995, p.reader().readUntil(b("<END>")).length);
            Task<byte[]> second = createTask(() -> p.reader().readUntil(b("<END>")));
            settle();
            p.peer().write(b("C<EN"));
            settle();
            p.peer().write(b("D>D<END>"));
            assertEquals("B".repeat(197) + "C<END>", s(second.await()));
            assertEquals("D<END>", s(p.reader().readUntil(b("<END>"))));
            p.close();
        });
    }

    // ---- read(n) -------------------------------------------------------------------------

    @Test
    void read_returnsWhatIsAvailableUpToN() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("hello"));
            assertEquals("hel", s(p.reader().read(3)));
            assertEquals("lo", s(p.reader().read(100)), "the rest, without waiting for more");
            p.close();
        });
    }

    @Test
    void read_suspendsUntilDataArrives_thenReturnsOnlyThatData() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().read(1024));
            settle();
            assertFalse(t.isDone(), "read with nothing buffered must wait");
            p.peer().write(b("chunk"));
            assertEquals("chunk", s(t.await()));
            p.close();
        });
    }

    @Test
    void read_zero_returnsEmptyArrayAtOnce() throws Exception {
        run(() -> {
            Pair p = pair();
            assertArrayEquals(new byte[0], p.reader().read(0));
            p.close();
        });
    }

    @Test
    void read_minusOne_readsEverythingUntilEof() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().read(-1));
            p.peer().write(b("chunk1\n"));
            settle();
            p.peer().write(b("chunk2"));
            settle();
            assertFalse(t.isDone(), "read(-1) waits for EOF");
            p.peer().write(b("chunk3\n"));
            p.peer().close();
            assertEquals("chunk1\nchunk2chunk3\n", s(t.await()));
            assertTrue(p.reader().atEof());
            p.close();
        });
    }

    @Test
    void read_minusOne_largeData_growsBufferAndReturnsAll() throws Exception {
        run(() -> {
            Pair p = pair();
            byte[] data = new byte[300_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            Task<byte[]> t = createTask(() -> p.reader().read(-1));
            p.peer().write(data);
            p.peer().drain();
            p.peer().close();
            assertArrayEquals(data, t.await());
            p.close();
        });
    }

    @Test
    void read_atEof_returnsEmptyArray_repeatedly() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("x"));
            p.peer().close();
            assertEquals("x", s(p.reader().read(10)));
            assertArrayEquals(new byte[0], p.reader().read(10));
            assertArrayEquals(new byte[0], p.reader().read(10));
            assertArrayEquals(new byte[0], p.reader().read(-1));
            p.close();
        });
    }

    @Test
    void read_badArgument_throwsIllegalArgumentException() throws Exception {
        run(() -> {
            Pair p = pair();
            assertThrows(IllegalArgumentException.class, () -> p.reader().read(-2));
            p.peer().write(b("ok"));
            assertEquals("ok", s(p.reader().read(2)), "a rejected call leaves the reader usable");
            p.close();
        });
    }

    // ---- readLine --------------------------------------------------------------------------

    @Test
    void readLine_keepsNewline_andSplitsBufferedLines() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("line1\nline2\nline3"));
            p.peer().close();
            assertEquals("line1\n", s(p.reader().readLine()));
            assertEquals("line2\n", s(p.reader().readLine()));
            assertEquals("line3", s(p.reader().readLine()), "the partial last line at EOF");
            assertArrayEquals(new byte[0], p.reader().readLine());
            assertArrayEquals(new byte[0], p.reader().readLine());
            assertTrue(p.reader().atEof());
            p.close();
        });
    }

    @Test
    void readLine_lineArrivingInPieces_returnsWholeLine() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().readLine());
            p.peer().write(b("chunk1 "));
            settle();
            p.peer().write(b("chunk2 "));
            settle();
            assertFalse(t.isDone());
            p.peer().write(b("chunk3 \n chunk4"));
            assertEquals("chunk1 chunk2 chunk3 \n", s(t.await()));
            assertEquals(" chunk4", s(p.reader().read(100)), "the bytes after the newline stay buffered");
            p.close();
        });
    }

    @Test
    void readLine_emptyStream_returnsEmptyArrayAtEof() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().close();
            assertArrayEquals(new byte[0], p.reader().readLine());
            assertTrue(p.reader().atEof());
            p.close();
        });
    }

    @Test
    void readLine_longLineWithinLimit_isReturnedWhole() throws Exception {
        run(() -> {
            Pair p = pair();
            byte[] line = new byte[50_000];
            Arrays.fill(line, (byte) 'a');
            line[line.length - 1] = '\n';
            Task<byte[]> t = createTask(() -> p.reader().readLine());
            for (int off = 0; off < line.length; off += 7_000) {
                p.peer().write(Arrays.copyOfRange(line, off, Math.min(line.length, off + 7_000)));
                sleep(0.005);
            }
            assertArrayEquals(line, t.await());
            p.close();
        });
    }

    @Test
    void readLine_overLimitWithoutNewlineYet_throwsLimitOverrun_andDropsTheBufferedLine() throws Exception {
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withLimit(8));
            assertEquals(8, p.reader().limit());
            p.peer().write(b("0123456789abcdef"));
            settle();
            assertThrows(LimitOverrunException.class, () -> p.reader().readLine());
            p.peer().write(b("next\n"));
            assertEquals("next\n", s(p.reader().readLine()), "the over-long line was dropped");
            p.close();
        });
    }

    @Test
    void readLine_overLimitWithNewlineAlreadyBuffered_throwsLimitOverrun_andNextLineFollows() throws Exception {
        // CPython test_readline_limit_with_existing_data / test_readline_limit: the separator is
        // found, but past the limit: LimitOverrunError (ValueError from readline), the line is
        // dropped up to and including its newline.
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withLimit(7));
            p.peer().write(b("chunk1chunk2\nchunk3\n"));
            settle();
            assertThrows(LimitOverrunException.class, () -> p.reader().readLine());
            assertEquals("chunk3\n", s(p.reader().readLine()));
            p.close();
        });
    }

    @Test
    void readLine_lineOfExactlyLimitBytes_isAccepted() throws Exception {
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withLimit(7));
            p.peer().write(b("1234567\nnext\n"));
            settle();
            assertEquals("1234567\n", s(p.reader().readLine()));
            assertEquals("next\n", s(p.reader().readLine()));
            p.close();
        });
    }

    // ---- readUntil -------------------------------------------------------------------------

    @Test
    void readUntil_multiByteSeparator_returnsDataIncludingSeparator() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("lineAAA\r\nline2\r\nrest"));
            assertEquals("lineAAA\r\n", s(p.reader().readUntil(b("\r\n"))));
            assertEquals("line2\r\n", s(p.reader().readUntil(b("\r\n"))));
            assertEquals("rest", s(p.reader().read(10)));
            p.close();
        });
    }

    @Test
    void readUntil_separatorSplitAcrossPackets_isFound() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().readUntil(b("<EOM>")));
            p.peer().write(b("payload<E"));
            settle();
            p.peer().write(b("O"));
            settle();
            assertFalse(t.isDone(), "a prefix of the separator is not the separator");
            p.peer().write(b("M>tail"));
            assertEquals("payload<EOM>", s(t.await()));
            assertEquals("tail", s(p.reader().read(10)));
            p.close();
        });
    }

    @Test
    void readUntil_falsePrefixBeforeRealSeparator_isSkipped() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().readUntil(b("aab")));
            p.peer().write(b("xa"));
            settle();
            p.peer().write(b("aab!"));
            assertEquals("xaaab", s(t.await()));
            p.close();
        });
    }

    @Test
    void readUntil_eofBeforeSeparator_throwsIncompleteRead_withPartialAndExpectedMinusOne() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("some data\r"));
            p.peer().close();
            IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> p.reader().readUntil(b("\r\n")));
            assertEquals("some data\r", s(e.partial()));
            assertEquals(-1, e.expected());
            assertTrue(p.reader().atEof(), "the partial bytes were consumed");
            p.close();
        });
    }

    @Test
    void readUntil_overLimitWithoutSeparator_throwsLimitOverrun_andKeepsData() throws Exception {
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withLimit(8));
            p.peer().write(b("0123456789ab"));
            settle();
            LimitOverrunException e = assertThrows(LimitOverrunException.class, () -> p.reader().readUntil(b("\n")));
            assertTrue(e.consumed() > 8, "consumed=" + e.consumed());
            assertEquals("0123456789ab", s(p.reader().read(100)), "readUntil keeps the data buffered");
            p.close();
        });
    }

    @Test
    void readUntil_separatorFoundPastLimit_throwsLimitOverrun_andKeepsData() throws Exception {
        // CPython readuntil: "Separator is found, but chunk is longer than limit".
        run(() -> {
            Pair p = pair(StreamOptions.defaults().withLimit(5));
            p.peer().write(b("0123456789!rest"));
            settle();
            assertThrows(LimitOverrunException.class, () -> p.reader().readUntil(b("!")));
            assertEquals("0123456789!rest", s(p.reader().read(100)));
            p.close();
        });
    }

    // ---- readUntil decides by where a separator could still start, not by how TCP split it ----

    /** A reader over a memory transport fed these chunks, then EOF if {@code eof}. */
    static StreamReader fed(int limit, boolean eof, String... chunks) {
        MemoryTransport t = new MemoryTransport();
        for (String c : chunks) {
            t.feed(b(c));
        }
        if (eof) {
            t.feedEof();
        }
        return t.reader(limit);
    }

    @Test
    void readUntil_separatorWithinLimit_returnsTheChunk_howeverTheSeparatorIsSplit() throws Exception {
        // CPython: with limit 1, "x\r\n" is a chunk of 1 byte before its separator, so it is
        // returned whether the bytes come in one piece or as "x\r" then "\n".
        runVc(() -> {
            assertEquals("x\r\n", s(fed(1, false, "x\r\n").readUntil(b("\r\n"))));
            assertEquals("x\r\n", s(fed(1, false, "x\r", "\n").readUntil(b("\r\n"))));
            assertEquals("x\r\n", s(fed(1, false, "x", "\r", "\n").readUntil(b("\r\n"))));
            assertEquals("ab<>", s(fed(2, false, "a", "b<", ">").readUntil(b("<>"))));
        });
    }

    @Test
    void readUntil_eofWithPartialThatCouldStillHoldASeparatorWithinLimit_throwsIncompleteRead() throws Exception {
        // CPython: "abc" then EOF, separator "\r\n", limit 2: a separator could still have
        // begun at offset 2 (within the limit), so the end of the stream is what failed.
        runVc(() -> {
            IncompleteReadException e = assertThrows(IncompleteReadException.class,
                    () -> fed(2, true, "abc").readUntil(b("\r\n")));
            assertEquals("abc", s(e.partial()));
            e = assertThrows(IncompleteReadException.class, () -> fed(2, true, "ab", "c").readUntil(b("\r\n")));
            assertEquals("abc", s(e.partial()));
            assertThrows(LimitOverrunException.class, () -> fed(1, true, "abc").readUntil(b("\r\n")),
                    "offset 2 is past a limit of 1");
        });
    }

    @Test
    void readUntil_overrun_reportsTheOffsetWhereASeparatorCouldStillBegin() throws Exception {
        runVc(() -> {
            LimitOverrunException e = assertThrows(LimitOverrunException.class,
                    () -> fed(3, false, "abcdef").readUntil(b("<!>")));
            assertEquals(4, e.consumed(), "6 bytes, no separator: one could start at 4 at the earliest");
        });
    }

    @Test
    void readUntil_badSeparator_throws() throws Exception {
        run(() -> {
            Pair p = pair();
            assertThrows(IllegalArgumentException.class, () -> p.reader().readUntil(new byte[0]));
            NullPointerException npe = assertThrows(NullPointerException.class, () -> p.reader().readUntil(null));
            assertTrue(String.valueOf(npe.getMessage()).contains("separator"), npe.getMessage());
            p.close();
        });
    }

    // ---- readExactly -----------------------------------------------------------------------

    @Test
    void readExactly_waitsForAllBytesAcrossPackets() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().readExactly(10));
            p.peer().write(b("01234"));
            settle();
            assertFalse(t.isDone());
            p.peer().write(b("56789xyz"));
            assertEquals("0123456789", s(t.await()));
            assertEquals("xyz", s(p.reader().read(10)));
            p.close();
        });
    }

    @Test
    void readExactly_zero_returnsEmptyArray() throws Exception {
        run(() -> {
            Pair p = pair();
            assertArrayEquals(new byte[0], p.reader().readExactly(0));
            p.close();
        });
    }

    @Test
    void readExactly_eofFirst_throwsIncompleteRead_withPartialAndExpected() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("abc"));
            p.peer().close();
            IncompleteReadException e = assertThrows(IncompleteReadException.class, () -> p.reader().readExactly(5));
            assertEquals("abc", s(e.partial()));
            assertEquals(5, e.expected());
            assertInstanceOf(java.io.EOFException.class, e);
            assertTrue(e.getMessage().contains("3") && e.getMessage().contains("5"), e.getMessage());
            p.close();
        });
    }

    @Test
    void readExactly_negative_throwsIllegalArgumentException() throws Exception {
        run(() -> {
            Pair p = pair();
            assertThrows(IllegalArgumentException.class, () -> p.reader().readExactly(-1));
            p.close();
        });
    }

    // ---- atEof -----------------------------------------------------------------------------

    @Test
    void atEof_falseUntilEofSeenAndBufferEmpty() throws Exception {
        run(() -> {
            Pair p = pair();
            assertFalse(p.reader().atEof());
            p.peer().write(b("data\n"));
            p.peer().close();
            settle();
            assertFalse(p.reader().atEof(), "EOF not seen yet");
            assertEquals("data\n", s(p.reader().readLine()));
            assertFalse(p.reader().atEof(), "EOF not observed by a read yet (or bytes still buffered)");
            assertArrayEquals(new byte[0], p.reader().readLine());
            assertTrue(p.reader().atEof());
            p.close();
        });
    }

    // ---- cancellation and concurrency --------------------------------------------------------

    @Test
    void readLine_cancelledByWaitFor_consumesNothing_andConnectionStaysUsable() throws Exception {
        run(() -> {
            Pair p = pair();
            p.peer().write(b("par"));
            settle();
            assertThrows(AsyncTimeoutException.class,
                    () -> Asyncio.waitFor(() -> p.reader().readLine(), Duration.ofMillis(50)));
            p.peer().write(b("tial\n"));
            assertEquals("partial\n", s(p.reader().readLine()));
            p.close();
        });
    }

    @Test
    void readExactly_cancelled_keepsPartialBytesForNextRead() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> t = createTask(() -> p.reader().readExactly(6));
            p.peer().write(b("abc"));
            settle();
            t.cancel();
            assertThrows(org.asyncio4j.CancelledException.class, t::await);
            p.peer().write(b("def"));
            assertEquals("abcdef", s(p.reader().readExactly(6)));
            p.close();
        });
    }

    @Test
    void read_twoTasksConcurrently_secondThrowsIllegalState() throws Exception {
        run(() -> {
            Pair p = pair();
            Task<byte[]> first = createTask(() -> p.reader().readLine());
            settle();
            assertFalse(first.isDone());
            assertThrows(IllegalStateException.class, () -> p.reader().readLine());
            assertThrows(IllegalStateException.class, () -> p.reader().read(1));
            assertThrows(IllegalStateException.class, () -> p.reader().readExactly(1));
            assertThrows(IllegalStateException.class, () -> p.reader().readUntil(b("x")));
            p.peer().write(b("for the first\n"));
            assertEquals("for the first\n", s(first.await()));
            p.close();
        });
    }
}
