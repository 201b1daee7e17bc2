package org.asyncio4j.streams;

import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * readUntil / readLine / readExactly against a reference model, over random data split at
 * random points: what a read returns or throws must not depend on how the bytes were split
 * (CPython's readuntil decides by the offset where a separator could still begin, so its
 * outcome depends only on the bytes), for several limits and separators of one to three bytes.
 *
 * <p>The model sees the whole stream at once. One case is split-dependent in CPython too, and
 * the sequence of reads stops there: after readLine's overrun, the bytes it drops depend on
 * whether the newline had arrived yet.
 */
@Timeout(60)
class StreamReaderFuzzTest {

    private static final byte[] ALPHABET = {'a', 'b', '\r', '\n'};
    private static final int[] LIMITS = {1, 2, 3, 5, 8, 64};
    private static final int SEQUENCES_PER_SEED = 400;

    /** What a read did: its bytes, or the kind of exception (and the partial bytes of IncompleteRead). */
    record Outcome(String kind, String bytes) {
        static Outcome returned(byte[] b) {
            return new Outcome("bytes", str(b));
        }

        static Outcome incomplete(byte[] partial) {
            return new Outcome("incomplete", str(partial));
        }

        static final Outcome OVERRUN = new Outcome("overrun", null);
    }

    sealed interface Op {
    }

    record ReadUntil(byte[] sep) implements Op {
        @Override
        public String toString() {
            return "readUntil(" + str(sep) + ")";
        }
    }

    record ReadLine() implements Op {
    }

    record ReadExactly(int n) implements Op {
    }

    static String str(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
    }

    static int indexOf(byte[] data, int from, byte[] sep) {
        outer:
        for (int i = from; i + sep.length <= data.length; i++) {
            for (int j = 0; j < sep.length; j++) {
                if (data[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * The reference: a reader over the whole stream (EOF after the last byte), with CPython's
     * rules written the simple way.
     */
    static final class Model {
        final byte[] data;
        final int limit;
        int pos;

        Model(byte[] data, int limit) {
            this.data = data;
            this.limit = limit;
        }

        Outcome apply(Op op) {
            int rest = data.length - pos;
            switch (op) {
                case ReadUntil(byte[] sep) -> {
                    int at = indexOf(data, pos, sep);
                    if (at >= 0) {
                        return at - pos > limit ? Outcome.OVERRUN : Outcome.returned(take(at + sep.length - pos));
                    }
                    // EOF without a separator: an incomplete read, unless the earliest place a
                    // separator could still have begun is already past the limit.
                    return Math.max(0, rest + 1 - sep.length) > limit ? Outcome.OVERRUN : Outcome.incomplete(take(rest));
                }
                case ReadLine() -> {
                    int at = indexOf(data, pos, new byte[] {'\n'});
                    if (at >= 0) {
                        return at - pos > limit ? Outcome.OVERRUN : Outcome.returned(take(at + 1 - pos));
                    }
                    return rest > limit ? Outcome.OVERRUN : Outcome.returned(take(rest));   // EOF: the partial line
                }
                case ReadExactly(int n) -> {
                    return rest < n ? Outcome.incomplete(take(rest)) : Outcome.returned(take(n));
                }
            }
        }

        private byte[] take(int n) {
            byte[] out = Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return out;
        }
    }

    static Outcome run(StreamReader r, Op op) throws Exception {
        try {
            return Outcome.returned(switch (op) {
                case ReadUntil(byte[] sep) -> r.readUntil(sep);
                case ReadLine() -> r.readLine();
                case ReadExactly(int n) -> r.readExactly(n);
            });
        } catch (LimitOverrunException e) {
            return Outcome.OVERRUN;
        } catch (IncompleteReadException e) {
            return Outcome.incomplete(e.partial());
        }
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = ALPHABET[rnd.nextInt(rnd.nextInt(4) == 0 ? 2 : ALPHABET.length)];
        }
        return b;
    }

    static List<byte[]> split(Random rnd, byte[] data) {
        List<byte[]> chunks = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 12);
            n = Math.min(n, data.length - i);
            chunks.add(Arrays.copyOfRange(data, i, i + n));
            i += n;
        }
        return chunks;
    }

    static Op randomOp(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0, 1 -> new ReadUntil(randomBytes(rnd, 1 + rnd.nextInt(3)));
            case 2 -> new ReadUntil(new byte[] {'\r', '\n'});
            case 3 -> new ReadLine();
            default -> new ReadExactly(rnd.nextInt(6));
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261231})
    void reads_overRandomSplits_matchTheModel(long seed) {
        runVc(() -> {
            Random rnd = new Random(seed);
            for (int seq = 0; seq < SEQUENCES_PER_SEED; seq++) {
                byte[] data = randomBytes(rnd, rnd.nextInt(40));
                int limit = LIMITS[rnd.nextInt(LIMITS.length)];
                List<byte[]> chunks = split(rnd, data);
                MemoryTransport t = new MemoryTransport();
                for (byte[] c : chunks) {
                    t.feed(c);
                }
                t.feedEof();
                StreamReader reader = t.reader(limit);
                Model model = new Model(data, limit);
                StringBuilder trace = new StringBuilder();
                for (int k = 0; k < 12; k++) {
                    Op op = randomOp(rnd);
                    Outcome want = model.apply(op);
                    Outcome got = run(reader, op);
                    trace.append(' ').append(op).append(" -> ").append(want);
                    assertEquals(want, got, () -> "seed " + seed + ", data \"" + str(data) + "\" split as "
                            + chunks.stream().map(StreamReaderFuzzTest::str).toList() + ", limit " + limit + ":" + trace);
                    if (want == Outcome.OVERRUN && op instanceof ReadLine) {
                        break;           // what readLine drops now depends on the split (in CPython too)
                    }
                }
            }
        });
    }
}
