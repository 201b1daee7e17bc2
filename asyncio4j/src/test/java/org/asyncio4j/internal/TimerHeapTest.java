package org.asyncio4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomAddsPollsAndRemovals_leaveInDeadlineThenSequenceOrder(long seed) {
        Random rnd = new Random(seed);
        TimerHeap heap = new TimerHeap();
        TreeSet<TimerHandleImpl> ref = new TreeSet<>(ORDER);
        List<TimerHandleImpl> live = new ArrayList<>();
        long seq = 0;
        for (int step = 0; step < 200_000; step++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                TimerHandleImpl t = timer(rnd.nextInt(1000), seq++);   // many equal deadlines
                heap.add(t);
                ref.add(t);
                live.add(t);
            } else if (op < 8) {
                TimerHandleImpl expected = ref.pollFirst();
                TimerHandleImpl got = heap.poll();
                assertSame(expected, got, "poll order at step " + step);
                if (got != null) {
                    live.remove(got);
                    assertEquals(-1, got.heapIndex);
                }
            } else if (!live.isEmpty()) {
                TimerHandleImpl t = live.remove(rnd.nextInt(live.size()));
                heap.remove(t);
                ref.remove(t);
                assertEquals(-1, t.heapIndex);
            }
            assertEquals(ref.size(), heap.size());
            assertSame(ref.isEmpty() ? null : ref.first(), heap.peek());
        }
        while (!ref.isEmpty()) {
            assertSame(ref.pollFirst(), heap.poll());
        }
        assertNull(heap.poll());
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
}
