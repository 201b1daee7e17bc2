package org.asyncio4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timer heap against a reference ordering: (deadline, sequence), with removals anywhere. */
@Timeout(30)
class TimerHeapTest {
    private static final Comparator<TimerHandleImpl> ORDER =
            Comparator.<TimerHandleImpl>comparingLong(t -> t.deadline).thenComparingLong(t -> t.seq);

    private static TimerHandleImpl timer(long deadline, long seq) {
        return new TimerHandleImpl(null, () -> { }, deadline, seq);
    }

    /** The heap beside a reference ordering of the same timers. */
    private static final class Model {
        final TimerHeap heap = new TimerHeap();
        final TreeSet<TimerHandleImpl> ref = new TreeSet<>(ORDER);
        final List<TimerHandleImpl> live = new ArrayList<>();

        void added(TimerHandleImpl t) {
            ref.add(t);
            live.add(t);
        }

        void pollAndCheck(int step) {
            TimerHandleImpl expected = ref.pollFirst();
            TimerHandleImpl got = heap.poll();
            assertSame(expected, got, "poll order at step " + step);
            if (got != null) {
                live.remove(got);
                assertEquals(-1, got.heapIndex);
            }
        }

        void removeOne(Random rnd) {
            if (!live.isEmpty()) {
                TimerHandleImpl t = live.remove(rnd.nextInt(live.size()));
                heap.remove(t);
                ref.remove(t);
                assertEquals(-1, t.heapIndex);
                heap.remove(t);                                         // twice: a no-op
            }
        }

        void drainAndCheck() {
            while (!ref.isEmpty()) {
                assertSame(ref.pollFirst(), heap.poll());
            }
            assertNull(heap.poll());
            assertEquals(0, heap.size());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomAddsPollsAndRemovals_leaveInDeadlineThenSequenceOrder(long seed) {
        Random rnd = new Random(seed);
        Model m = new Model();
        long seq = 0;
        for (int step = 0; step < 200_000; step++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                TimerHandleImpl t = timer(rnd.nextInt(1000), seq++);   // many equal deadlines
                m.heap.add(t);
                m.added(t);
            } else if (op < 8) {
                m.pollAndCheck(step);
            } else {
                m.removeOne(rnd);
            }
            assertEquals(m.ref.size(), m.heap.size());
            assertSame(m.ref.isEmpty() ? null : m.ref.first(), m.heap.peek());
        }
        m.drainAndCheck();
    }

    @Test
    void equalDeadlines_leaveInTheOrderScheduled() {
        TimerHeap heap = new TimerHeap();
        List<TimerHandleImpl> ts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            TimerHandleImpl t = timer(42, i);
            ts.add(t);
            heap.add(t);
        }
        for (TimerHandleImpl t : ts) {
            assertSame(t, heap.poll());
        }
    }

    /**
     * Deadlines across the near heap, the wheel's buckets and the far heap (past, this
     * millisecond, the next second, minutes, never), added with and without the clock's reading,
     * with the clock moving forward meanwhile: the order is still exactly (deadline, sequence).
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void wheelAndFarTimers_leaveInExactOrder_asTheClockMoves(long seed) {
        Random rnd = new Random(seed);
        Model m = new Model();
        long seq = 0;
        long now = rnd.nextInt(3) == 0 ? -5_000_000_000L : 1_000_000L;   // the loop clock may start anywhere
        long bucket = 1L << TimerHeap.BUCKET_SHIFT;
        for (int step = 0; step < 200_000; step++) {
            int op = rnd.nextInt(20);
            if (op < 10) {
                long delay = switch (rnd.nextInt(8)) {
                    case 0 -> -rnd.nextInt(50_000_000);                     // already due
                    case 1 -> rnd.nextInt((int) bucket);                    // this millisecond
                    case 2 -> bucket * rnd.nextInt(3);                      // bucket edges
                    case 3, 4 -> rnd.nextInt(1_000_000_000);                // within the wheel
                    case 5 -> bucket * TimerHeap.WHEEL - 2 + rnd.nextInt(4); // the wheel's edge
                    case 6 -> 1_000_000_000L + (long) rnd.nextInt(1_000_000) * 100_000L; // up to 100 s: far
                    default -> rnd.nextInt(100) == 0 ? Long.MAX_VALUE - now : rnd.nextInt(3_000_000); // never, or soon
                };
                TimerHandleImpl t = timer(now + delay, seq++);
                if (rnd.nextBoolean()) {
                    m.heap.add(t, now);
                } else {
                    m.heap.add(t);
                }
                m.added(t);
            } else if (op < 15) {
                m.pollAndCheck(step);
            } else if (op < 17) {
                now += rnd.nextInt(4) == 0 ? rnd.nextLong(10_000_000_000L) : rnd.nextInt(3_000_000);
            } else {
                m.removeOne(rnd);
            }
            assertEquals(m.ref.size(), m.heap.size(), "size at step " + step);
            if (rnd.nextInt(4) == 0) {
                TimerHandleImpl seen = rnd.nextBoolean() ? m.heap.peek() : m.heap.peek(now);
                assertSame(m.ref.isEmpty() ? null : m.ref.first(), seen, "peek at step " + step);
            }
        }
        m.drainAndCheck();
    }

    @Test
    void clear_emptiesEveryPart_andMarksEachTimerOut() {
        TimerHeap heap = new TimerHeap();
        List<TimerHandleImpl> ts = new ArrayList<>();
        long[] deadlines = {-1, 0, 5, 1L << 25, 900_000_000L, 60_000_000_000L, Long.MAX_VALUE};
        for (int i = 0; i < deadlines.length; i++) {
            TimerHandleImpl t = timer(deadlines[i], i);
            ts.add(t);
            heap.add(t, 0);
        }
        heap.poll();                                                        // the near heap is in use too
        heap.clear();
        assertEquals(0, heap.size());
        assertNull(heap.peek());
        for (TimerHandleImpl t : ts) {
            assertEquals(-1, t.heapIndex);
        }
        TimerHandleImpl again = timer(3, 99);
        heap.add(again, 1_000_000_000_000L);                                // recentres far away from the old cursor
        assertSame(again, heap.poll());
    }

    /**
     * A loop idle until a timer seconds away (its peek with the clock's reading) keeps the
     * cursor at the present: a burst of shorter sleeps added meanwhile goes to the wheel, not
     * all to the near heap (where each would cost a full heap's sift), and still leaves in order.
     */
    @Test
    void idlePeekForALaterTimer_leavesTheCursor_soABurstGoesToTheWheel() {
        TimerHeap heap = new TimerHeap();
        TreeSet<TimerHandleImpl> ref = new TreeSet<>(ORDER);
        long now = 0, seq = 0;
        TimerHandleImpl timeout = timer(now + 4_000_000_000L, seq++);   // one 4 s timeout pending
        heap.add(timeout, now);
        ref.add(timeout);
        assertSame(timeout, heap.peek(now));                            // the loop, idle: how long to wait
        assertSame(timeout, heap.peek(now));
        now += 1_000_000;
        Random rnd = new Random(1);
        for (int i = 0; i < 100_000; i++) {                             // then 100,000 tasks sleep 0..2 s
            TimerHandleImpl t = timer(now + rnd.nextInt(2_000_000_000), seq++);
            heap.add(t, now);
            ref.add(t);
            if (i % 10_000 == 0) {
                assertSame(ref.first(), heap.peek(now), "the earliest, seen while idle");
            }
        }
        assertTrue(heap.nearSize() < 1_000, "near heap holds " + heap.nearSize() + " timers");
        while (!ref.isEmpty()) {
            TimerHandleImpl want = ref.pollFirst();
            now = Math.max(now, want.deadline);
            assertSame(want, heap.peek(now));
            assertSame(want, heap.poll());
            assertTrue(heap.nearSize() < 2_000, "near heap holds " + heap.nearSize() + " timers");
        }
        assertNull(heap.peek(now));
    }

    @Test
    void aBurstsBucketArrays_areLetGo_whenTheirTimersLeaveOrAreCancelled() {
        long bucket = 1L << TimerHeap.BUCKET_SHIFT;
        for (boolean cancel : new boolean[] {false, true}) {
            TimerHeap heap = new TimerHeap();
            List<TimerHandleImpl> all = new ArrayList<>();
            long seq = 0;
            for (int b = 1; b < TimerHeap.WHEEL; b += 3) {
                for (int i = 0; i < 3_000; i++) {
                    TimerHandleImpl t = timer(b * bucket + i, seq++);
                    heap.add(t, 0);
                    all.add(t);
                }
            }
            assertTrue(heap.bucketSlots() > 3_000_000, "the burst is in the wheel");
            if (cancel) {
                for (TimerHandleImpl t : all) {
                    heap.remove(t);
                }
            } else {
                while (heap.poll() != null) {
                    // every timer leaves through the near heap
                }
            }
            assertEquals(0, heap.size());
            assertTrue(heap.bucketSlots() < 100_000, heap.bucketSlots() + " bucket slots kept after the burst"
                    + (cancel ? " was cancelled" : " left"));
        }
    }
}
