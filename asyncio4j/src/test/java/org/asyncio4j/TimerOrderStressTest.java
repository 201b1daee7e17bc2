package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The loop's timers end to end, at scale, under the virtual clock: tens of thousands of
 * callLater timers spread over the near heap, the wheel's buckets and the far heap, a fifth of
 * them cancelled, and timers added from inside firing timers (while the wheel's cursor has moved
 * on) and from sleeping tasks. Every surviving timer fires exactly once, at or after its
 * deadline, and in exactly (deadline, scheduling order).
 */
@Timeout(60)
class TimerOrderStressTest {

    /** One scheduled timer: when it is due (loop nanoseconds), its scheduling order, and whether it fired. */
    private static final class Planned {
        final int order;
        long due;
        TimerHandle handle;
        boolean cancelled;
        long firedAt = -1;

        Planned(int order) {
            this.order = order;
        }
    }

    private static long nanos(double seconds) {
        return Math.round(seconds * 1e9);
    }

    private static long delayNanos(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextLong(2_000_000);                     // within a couple of buckets
            case 1 -> 1_048_576L * rnd.nextInt(4);                 // exact bucket edges
            case 2, 3 -> rnd.nextLong(2_000_000_000L);             // within the wheel
            case 4 -> 4_000_000_000L + rnd.nextLong(1_000_000_000L); // around the wheel's far edge
            default -> 10_000_000_000L + rnd.nextLong(90_000_000_000L); // the far heap
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void manyTimers_someCancelled_someAddedWhileFiring_fireOnceInExactOrder(long seed) {
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            SplittableRandom rnd = new SplittableRandom(seed);
            List<Planned> all = new ArrayList<>();
            List<Planned> fired = new ArrayList<>();
            int[] order = {0};
            class Scheduler {
                void schedule(long delay) {
                    long now = nanos(loop.time());
                    Planned p = new Planned(order[0]++);
                    p.handle = loop.callLater(Duration.ofNanos(delay), () -> {
                        p.firedAt = nanos(loop.time());
                        fired.add(p);
                        if (rnd.nextInt(8) == 0 && order[0] < 30_000) {
                            schedule(delayNanos(rnd));            // a timer added from a firing one
                        }
                    });
                    p.due = nanos(p.handle.when());
                    assertTrue(p.due >= now, "deadline before the present");
                    all.add(p);
                }
            }
            Scheduler s = new Scheduler();
            for (int i = 0; i < 20_000; i++) {
                s.schedule(delayNanos(rnd));
                if (i % 1_000 == 0) {
                    sleep(rnd.nextDouble() * 0.01);                // time moves between batches
                }
            }
            for (Planned p : all) {
                if (rnd.nextInt(5) == 0 && p.firedAt < 0) {      // one that fired already cannot be cancelled
                    p.handle.cancel();
                    p.cancelled = true;
                }
            }
            sleep(200);                                           // past every first deadline (virtual time)
            long end = nanos(loop.time());                        // timers added while firing may be due later
            List<Planned> expected = new ArrayList<>();
            for (Planned p : all) {
                if (!p.cancelled && p.due <= end) {
                    expected.add(p);
                }
            }
            assertTrue(expected.size() > 15_000, "too few timers came due: " + expected.size());
            expected.sort(Comparator.<Planned>comparingLong(p -> p.due).thenComparingInt(p -> p.order));
            assertEquals(expected.size(), fired.size(), "every timer due and not cancelled fires, once; none early");
            for (int i = 0; i < expected.size(); i++) {
                Planned want = expected.get(i);
                Planned got = fired.get(i);
                assertSame(want, got, "firing order at " + i + ": due " + want.due + " #" + want.order
                        + ", got due " + got.due + " #" + got.order);
                assertTrue(got.firedAt >= got.due, "fired before its deadline");
            }
        });
    }
}
