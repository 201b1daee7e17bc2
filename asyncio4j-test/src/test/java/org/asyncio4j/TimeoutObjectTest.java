package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.timeout;
import static org.asyncio4j.Asyncio.timeoutAt;
import static org.asyncio4j.Asyncio.toThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.test.AsyncioTest;

/**
 * Behaviours of CPython's {@code asyncio.Timeout} object (Lib/asyncio/timeouts.py, tested in
 * Lib/test/test_asyncio/test_timeouts.py), through the {@code timeout}/{@code timeoutAt} forms
 * whose body is given the {@link Timeout}; and the overloads that take seconds as a double. The
 * region's other behaviours (nesting, outside cancels, task groups) are {@link TimeoutTest}'s.
 */
class TimeoutObjectTest {

    private static double now() {
        return getRunningLoop().time();
    }

    /** The Timeout of a region that ran a body sleeping {@code seconds}, after the region ended. */
    private static Timeout heldAfter(Duration limit, double seconds) {
        Timeout[] held = new Timeout[1];
        try {
            timeout(limit, t -> {
                held[0] = t;
                sleep(seconds);
                return null;
            });
        } catch (AsyncTimeoutException expected) {
            // the region that expired
        }
        return held[0];
    }

    // ------------------------------------------------------------------ when()

    @AsyncioTest
    void timeoutAt_when_isTheDeadlineExactlyAsGiven() {
        double deadline = now() + 10.123456789;
        double seen = timeoutAt(deadline, (Timeout t) -> t.when());
        assertEquals(deadline, seen, 0.0);
    }

    @AsyncioTest
    void timeout_when_isNowPlusTheDelay_andTheRegionDoesNotExpireEarly() {
        double t0 = now();
        List<Object> out = timeout(Duration.ofSeconds(10), t -> {
            sleep(0.01);
            return List.of(t.when(), t.expired());
        });
        assertEquals(t0 + 10, (double) out.get(0), 1e-6);
        assertEquals(false, out.get(1));
    }

    @AsyncioTest
    void timeout_withoutDeadline_whenIsInfinity_andTheBodyRunsToTheEnd() {
        double t0 = now();
        Timeout[] held = new Timeout[1];
        String r = timeout(t -> {
            held[0] = t;
            assertEquals(Double.POSITIVE_INFINITY, t.when());
            sleep(100);
            return "done";
        });
        assertEquals("done", r);
        assertEquals(100, now() - t0, 0.01);
        assertFalse(held[0].expired());
    }

    @AsyncioTest
    void timeoutAt_infinity_isNoDeadline() {
        String r = timeoutAt(Double.POSITIVE_INFINITY, t -> {
            sleep(1e6);
            return t.when() == Double.POSITIVE_INFINITY ? "none" : "some";
        });
        assertEquals("none", r);
    }

    // ------------------------------------------------------------------ reschedule()

    @AsyncioTest
    void reschedule_earlier_firesAtTheNewTime() {
        double t0 = now();
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ofSeconds(10), t -> {
            t.reschedule(now() + 1);
            sleep(5);
            return null;
        }));
        assertEquals(1.0, now() - t0, 0.01);
    }

    @AsyncioTest
    void reschedule_later_extendsTheRegion() {
        double t0 = now();
        String r = timeout(Duration.ofSeconds(1), t -> {
            t.reschedule(now() + 5);
            sleep(3);
            return "in time";
        });
        assertEquals("in time", r);
        assertEquals(3.0, now() - t0, 0.01);
    }

    @AsyncioTest
    void reschedule_toThePast_firesAtTheNextSuspensionPoint_notBefore() {
        double t0 = now();
        List<Object> seen = new ArrayList<>();
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ofSeconds(10), t -> {
            t.reschedule(now() - 1);
            seen.add(t.expired());        // nothing happened yet: the body still runs
            sleep(0);
            return seen.add("not reached");
        }));
        assertEquals(List.of(false), seen);
        assertEquals(0.0, now() - t0, 0.0);
    }

    @AsyncioTest
    void reschedule_duration_isADelayFromNow() {
        double t0 = now();
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ofSeconds(1), t -> {
            sleep(0.5);
            t.reschedule(Duration.ofSeconds(2));
            assertEquals(t0 + 2.5, t.when(), 1e-6);
            sleep(10);
            return null;
        }));
        assertEquals(2.5, now() - t0, 0.01);
    }

    @AsyncioTest
    void reschedule_null_removesTheDeadline() {
        String r = timeout(Duration.ofSeconds(1), t -> {
            t.reschedule((Duration) null);
            assertEquals(Double.POSITIVE_INFINITY, t.when());
            sleep(10);
            return "no deadline";
        });
        assertEquals("no deadline", r);
    }

    @AsyncioTest
    void reschedule_infinity_removesTheDeadline_andADeadlineCanBeSetAgain() {
        double t0 = now();
        assertThrows(AsyncTimeoutException.class, () -> timeout(t -> {
            t.reschedule(Double.POSITIVE_INFINITY);
            sleep(5);
            t.reschedule(now() + 1);
            sleep(10);
            return null;
        }));
        assertEquals(6.0, now() - t0, 0.01);
    }

    /** test_timeouts.py's test_reschedule: another task holds the Timeout and moves it. */
    @AsyncioTest
    void reschedule_fromAnotherTask_movesTheDeadline_andAnOutsideCancelIsNoExpiry() {
        Future<Timeout> handed = getRunningLoop().createFuture();
        double deadline1 = now() + 10;
        double deadline2 = deadline1 + 20;
        Task<Object> task = createTask(() -> timeoutAt(deadline1, t -> {
            handed.setResult(t);
            sleep(50);
            return null;
        }));
        Timeout cm = handed.await();
        assertEquals(deadline1, cm.when(), 0.0);
        cm.reschedule(deadline2);
        assertEquals(deadline2, cm.when(), 0.0);
        cm.reschedule((Duration) null);
        assertEquals(Double.POSITIVE_INFINITY, cm.when());
        task.cancel();
        assertThrows(CancelledException.class, task::await);
        assertFalse(cm.expired());
        assertEquals("Timeout[finished]", cm.toString());
    }

    @AsyncioTest
    void reschedule_nan_throwsIllegalArgumentException() {
        timeout(Duration.ofSeconds(1), t -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reschedule(Double.NaN));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            return null;
        });
    }

    @AsyncioTest
    void reschedule_whileExpiring_throwsIllegalStateException() {
        AtomicReference<Throwable> inCleanup = new AtomicReference<>();
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ofSeconds(1), t -> {
            try {
                sleep(10);
            } finally {
                inCleanup.set(assertThrows(IllegalStateException.class, () -> t.reschedule(now() + 100)));
            }
            return null;
        }));
        assertEquals("Cannot change state of expiring Timeout", inCleanup.get().getMessage());
    }

    @AsyncioTest
    void reschedule_afterTheRegionEnded_throwsIllegalStateException() {
        Timeout expired = heldAfter(Duration.ofSeconds(1), 10);
        Timeout finished = heldAfter(Duration.ofSeconds(10), 1);
        assertEquals("Cannot change state of expired Timeout",
                assertThrows(IllegalStateException.class, () -> expired.reschedule(now() + 1)).getMessage());
        assertEquals("Cannot change state of finished Timeout",
                assertThrows(IllegalStateException.class, () -> finished.reschedule(Duration.ofSeconds(1))).getMessage());
        assertThrows(IllegalStateException.class, () -> finished.reschedule((Duration) null));
    }

    @AsyncioTest
    void reschedule_fromAnotherThread_throwsIllegalStateException() {
        timeout(Duration.ofSeconds(10), t -> {
            Throwable e = toThread(() -> {
                try {
                    t.reschedule(1.0);
                    return null;
                } catch (IllegalStateException expected) {
                    return expected;
                }
            });
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("Timeout.reschedule"), e.getMessage());
            return null;
        });
    }

    // ------------------------------------------------------------------ expired()

    @AsyncioTest
    void expired_isTrueInTheBodysCleanup_andAfterTheRegion() {
        Timeout[] held = new Timeout[1];
        List<Boolean> seen = new ArrayList<>();
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ofSeconds(1), t -> {
            held[0] = t;
            seen.add(t.expired());
            try {
                sleep(10);
            } catch (CancelledException e) {
                seen.add(t.expired());
                throw e;
            }
            return null;
        }));
        seen.add(held[0].expired());
        assertEquals(List.of(false, true, true), seen);
    }

    @AsyncioTest
    void expired_isFalse_whenAForeignExceptionLeavesInTime() {
        Timeout[] held = new Timeout[1];
        assertThrows(ArithmeticException.class, () -> timeout(Duration.ofSeconds(1), t -> {
            held[0] = t;
            sleep(0.1);
            return 1 / 0;
        }));
        assertFalse(held[0].expired());
    }

    @AsyncioTest
    void timeout_zero_expiresAtTheFirstSuspension_andExpiredSaysSo() {
        Timeout[] held = new Timeout[1];
        assertThrows(AsyncTimeoutException.class, () -> timeout(0.0, t -> {
            held[0] = t;
            sleep(0);
            return null;
        }));
        assertTrue(held[0].expired());
    }

    // ------------------------------------------------------------------ toString()

    @AsyncioTest
    void toString_showsTheStateAndTheDeadlineWhileActive() {
        Timeout[] held = new Timeout[2];
        String active = timeout(Duration.ofSeconds(10), t -> {
            held[0] = t;
            return t.toString();
        });
        assertTrue(active.matches("Timeout\\[active when=\\d+\\.\\d{3}]"), active);
        assertEquals("Timeout[finished]", held[0].toString());

        assertEquals("Timeout[active when=none]", timeout((Timeout t) -> t.toString()));

        assertThrows(AsyncTimeoutException.class, () -> timeout(0.5, t -> {
            held[1] = t;
            try {
                sleep(1);
            } finally {
                assertEquals("Timeout[expiring]", t.toString());
            }
            return null;
        }));
        assertEquals("Timeout[expired]", held[1].toString());
    }

    // ------------------------------------------------------------------ seconds as double

    @AsyncioTest
    void timeout_seconds_expiresAtTheDeadline() {
        double t0 = now();
        assertThrows(AsyncTimeoutException.class, () -> timeout(0.5, () -> sleep(10)));
        assertEquals(0.5, now() - t0, 0.01);
        assertEquals(7, (int) timeout(1, () -> { sleep(0.5); return 7; }));
    }

    @AsyncioTest
    void timeout_seconds_nanIsRefused_infinityIsNoDeadline_negativeExpiresAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> timeout(Double.NaN, () -> 1));
        assertTrue(e.getMessage().contains("seconds is NaN"), e.getMessage());
        assertEquals("late", timeout(Double.POSITIVE_INFINITY, () -> { sleep(1e6); return "late"; }));
        assertThrows(AsyncTimeoutException.class, () -> timeout(-1.0, () -> sleep(0)));
    }

    // ------------------------------------------------------------------ overload resolution

    private static int work() {
        sleep(0.1);
        return 5;
    }

    private static int workWith(Timeout t) {
        return t.when() == Double.POSITIVE_INFINITY ? -1 : 6;
    }

    private static void chore() {
        sleep(0.1);
    }

    private static Object choreWith(Timeout t) {
        t.reschedule(Double.POSITIVE_INFINITY);
        return null;
    }

    /**
     * Compiles only if each form resolves without ambiguity; the results show which overload
     * ran: value lambdas and method references return their value, void ones return nothing,
     * one-argument ones get the Timeout. A one-argument body whose lambda is a bare expression
     * needs no cast when the expression is not a statement ({@code t -> 2}); a method call works
     * too, as the value form is the only one.
     */
    @AsyncioTest
    void timeoutForms_resolveToTheRightOverload() {
        Duration d = Duration.ofSeconds(5);
        int a = timeout(d, () -> 1);
        timeout(d, () -> { sleep(0.1); });
        timeout(d, () -> sleep(0.1));
        int b = timeout(d, t -> 2);
        double w = timeout(d, t -> t.when());
        timeout(d, t -> { t.reschedule(now() + 10); return null; });
        int c = timeout(d, TimeoutObjectTest::work);
        int e = timeout(d, TimeoutObjectTest::workWith);
        timeout(d, TimeoutObjectTest::chore);
        timeout(d, TimeoutObjectTest::choreWith);
        int f = timeout(2, () -> 3);
        int g = timeout(2.5, t -> 4);
        timeout(2, () -> { sleep(0.1); });
        int h = timeoutAt(now() + 1, t -> 8);
        int i = timeout(t -> 9);
        Object none = timeout(t -> null);
        assertEquals(List.of(1, 2, 5, 6, 3, 4, 8, 9), List.of(a, b, c, e, f, g, h, i));
        assertTrue(w > now());
        assertNull(none);
    }
}
