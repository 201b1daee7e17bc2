package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.timeout;
import static org.asyncio4j.Asyncio.timeoutAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.test.AsyncioTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Behaviours of CPython's Lib/test/test_asyncio/test_timeouts.py, adapted to {@link Asyncio#timeout}.
 * Each test that needs a loop is an {@link AsyncioTest}: its body is the loop's main task, on the
 * virtual clock.
 */
class TimeoutTest {

    private static Duration secs(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static double now() {
        return getRunningLoop().time();
    }

    // ------------------------------------------------------------------ basics

    @AsyncioTest
    void timeout_expiring_throwsAsyncTimeoutException_causedByCancelledException() {
        double t0 = now();
        AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                () -> timeout(secs(1), () -> { sleep(10); return "late"; }));
        assertInstanceOf(CancelledException.class, e.getCause());
        assertEquals(1.0, now() - t0, 0.05, "expired at the deadline, not at the end of the sleep");
    }

    @AsyncioTest
    void timeout_expiring_letsTheBodySeeCancelledException() {
        AtomicReference<Throwable> bodySaw = new AtomicReference<>();
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(0.5), () -> {
            try {
                sleep(10);
            } catch (Throwable t) {
                bodySaw.set(t);
                throw t;
            }
        }));
        assertInstanceOf(CancelledException.class, bodySaw.get());
    }

    @AsyncioTest
    void timeout_bodyFinishingInTime_returnsItsValue() {
        double t0 = now();
        String v = timeout(secs(10), () -> { sleep(1); return "done"; });
        sleep(20);   // the expired deadline must not fire later
        assertEquals("done", v);
        assertEquals(21.0, now() - t0, 0.05);
        assertEquals(0, currentTask().cancelling());
    }

    @AsyncioTest
    void timeout_aroundAnInfiniteSleep_expires() {
        double t0 = now();
        Throwable e = null;
        try {
            timeout(secs(1), () -> sleep(Double.POSITIVE_INFINITY));
        } catch (Throwable t) {
            e = t;
        }
        assertInstanceOf(AsyncTimeoutException.class, e, "sleep(+inf) must end with the cancellation");
        assertEquals(1.0, now() - t0, 0.05);
    }

    @AsyncioTest
    void infiniteSleep_cancelledByAnotherTask_throwsCancelledException() {
        AtomicBoolean returnedNormally = new AtomicBoolean();
        Task<Void> sleeper = createTask(() -> {
            sleep(Double.POSITIVE_INFINITY);
            returnedNormally.set(true);
        });
        sleep(1);
        sleeper.cancel();
        try {
            sleeper.await();
        } catch (CancelledException e) {
            // expected
        }
        List<Boolean> out = List.of(sleeper.isCancelled(), returnedNormally.get());
        assertEquals(List.of(true, false), out, "[isCancelled, body continued after sleep(+inf)]");
    }

    @AsyncioTest
    void timeout_zero_withSleepZero_expires() {
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ZERO, () -> sleep(0)));
    }

    @AsyncioTest
    void timeout_negative_withSleepZero_expires() {
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(-11), () -> sleep(0)));
    }

    @AsyncioTest
    void timeout_foreignException_passesThrough() {
        Throwable t = assertThrows(IllegalArgumentException.class,
                () -> timeout(secs(1), () -> { throw new IllegalArgumentException("key"); }));
        assertEquals("key", t.getMessage());
    }

    @AsyncioTest
    void timeout_bodyRaisingAnotherExceptionInCleanupAfterExpiry_passesThatException() {
        Throwable e = assertThrows(ArithmeticException.class, () -> timeout(secs(0.5), () -> {
            try {
                sleep(10);
            } finally {
                throw new ArithmeticException("1/0");
            }
        }));
        assertEquals(0, currentTask().cancelling(), "the expired timeout withdrew its cancel request");
        assertEquals("1/0", e.getMessage());
    }

    @AsyncioTest
    void timeout_checkedExceptionFromBody_arrivesWrappedInCompletionException() {
        IOException io = new IOException("disk");
        CompletionException ce = assertThrows(CompletionException.class, () -> timeout(secs(1), () -> { throw io; }));
        assertSame(io, ce.getCause());
    }

    @AsyncioTest
    void timeout_uncheckedExceptionFromBody_arrivesAsItself() {
        var ise = new IllegalStateException("as itself");
        Throwable t = assertThrows(IllegalStateException.class, () -> timeout(secs(1), () -> { sleep(0); throw ise; }));
        assertSame(ise, t);
    }

    // ------------------------------------------------------------------ ThrowingRunnable overloads

    @AsyncioTest
    void timeout_throwingRunnable_runsTheBodyOrTimesOut() {
        List<String> l = new ArrayList<>();
        timeout(secs(5), () -> { sleep(1); l.add("ran"); });
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> { sleep(5); l.add("never"); }));
        timeoutAt(now() + 5, () -> { sleep(1); l.add("ranAt"); });
        assertThrows(AsyncTimeoutException.class, () -> timeoutAt(now() + 1, () -> { sleep(5); l.add("neverAt"); }));
        assertEquals(List.of("ran", "ranAt"), l);
    }

    @AsyncioTest
    void timeout_throwingRunnable_checkedException_arrivesWrapped() {
        IOException io = new IOException("x");
        ThrowingRunnable body = () -> { throw io; };
        CompletionException ce = assertThrows(CompletionException.class, () -> timeout(secs(1), body));
        assertSame(io, ce.getCause());
    }

    // ------------------------------------------------------------------ timeoutAt

    @AsyncioTest
    void timeoutAt_expiring_throwsAtTheDeadline() {
        double t0 = now();
        double deadline = t0 + 2;
        assertThrows(AsyncTimeoutException.class, () -> timeoutAt(deadline, () -> { sleep(10); return 1; }));
        double elapsed = now() - t0;
        assertEquals(2.0, elapsed, 0.05);
    }

    @AsyncioTest
    void timeoutAt_pastDeadline_cancelsAtTheFirstSuspensionPoint() {
        List<String> l = new ArrayList<>();
        assertThrows(AsyncTimeoutException.class, () -> timeoutAt(now() - 5, () -> {
            l.add("before");
            sleep(10);
            l.add("after");
        }));
        assertEquals(List.of("before"), l);
    }

    @AsyncioTest
    void timeoutAt_pastDeadline_withSleepZero_expires() {
        List<String> l = new ArrayList<>();
        assertThrows(AsyncTimeoutException.class, () -> timeoutAt(now() - 5, () -> {
            l.add("before");
            sleep(0);
            l.add("after");
        }));
        assertEquals(List.of("before"), l);
    }

    @AsyncioTest
    void timeoutAt_nan_throwsIllegalArgumentException() {
        assertThrows(IllegalArgumentException.class, () -> timeoutAt(Double.NaN, () -> 1));
        assertThrows(IllegalArgumentException.class, () -> timeoutAt(Double.NaN, () -> sleep(0)));
    }

    // ------------------------------------------------------------------ nesting

    @AsyncioTest
    void nestedTimeouts_innerExpires_onlyInnerConverts() {
        double t0 = now();
        String r = timeout(secs(10), () -> {
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> { sleep(5); return 0; }));
            sleep(1);   // the outer timeout is still armed, not triggered
            return "outer body ended";
        });
        assertEquals("outer body ended", r);
        assertEquals(2.0, now() - t0, 0.05);
        assertEquals(0, currentTask().cancelling());
    }

    @AsyncioTest
    void nestedTimeouts_outerExpires_innerPassesCancelledException_outerConverts() {
        AtomicReference<Throwable> innerLeftWith = new AtomicReference<>();
        double t0 = now();
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> {
            try {
                timeout(secs(10), () -> { sleep(5); return 0; });
            } catch (Throwable t) {
                innerLeftWith.set(t);
                throw t;
            }
            return 1;
        }));
        double elapsed = now() - t0;
        assertInstanceOf(CancelledException.class, innerLeftWith.get());
        assertEquals(1.0, elapsed, 0.05);
    }

    @AsyncioTest
    void nestedTimeouts_bothExpiringAtOnce_outerWins() {
        AtomicReference<Throwable> innerLeftWith = new AtomicReference<>();
        double deadline = now() + 1;
        assertThrows(AsyncTimeoutException.class, () -> timeoutAt(deadline, () -> {
            try {
                timeoutAt(deadline, () -> { sleep(10); return 0; });
            } catch (Throwable t) {
                innerLeftWith.set(t);
                throw t;
            }
            return 1;
        }));
        int cancelling = currentTask().cancelling();
        assertInstanceOf(CancelledException.class, innerLeftWith.get(), "only the outermost converts");
        assertEquals(0, cancelling);
    }

    @AsyncioTest
    void nestedTimeout_inFinallyOfExpiredTimeout_expiresOnItsOwn() {
        AtomicReference<Throwable> innerResult = new AtomicReference<>();
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> {
            try {
                sleep(10);
            } finally {
                innerResult.set(assertThrows(AsyncTimeoutException.class,
                        () -> timeout(secs(1), () -> sleep(10))));
            }
        }));
        assertInstanceOf(AsyncTimeoutException.class, innerResult.get());
    }

    // ------------------------------------------------------------------ cancellation from outside

    @AsyncioTest
    void outsideCancel_duringTimeout_passesThroughAsCancelledException() {
        AtomicReference<Throwable> leftTimeoutWith = new AtomicReference<>();
        Task<Void> t = createTask(() -> {
            try {
                timeout(secs(10), () -> sleep(100));
            } catch (Throwable e) {
                leftTimeoutWith.set(e);
                throw e;
            }
        });
        sleep(1);
        t.cancel();
        assertThrows(CancelledException.class, t::await);
        assertTrue(t.isCancelled());
        assertInstanceOf(CancelledException.class, leftTimeoutWith.get());
        assertFalse(leftTimeoutWith.get() instanceof AsyncTimeoutException);
    }

    @AsyncioTest
    void selfCancel_insideTimeoutNotExpired_passesThroughAsCancelledException() {
        assertThrows(CancelledException.class, () -> timeout(secs(10), () -> {
            currentTask().cancel();
            sleep(10);
        }));
        assertEquals(1, currentTask().cancelling());
        currentTask().uncancel();
    }

    @AsyncioTest
    void timeout_afterTheTaskSwallowedACancellation_stillExpires() {
        try {
            currentTask().cancel();
            sleep(1);
        } catch (CancelledException e) {
            // swallowed without uncancel(): cancelling() stays 1
        }
        assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ZERO, () -> sleep(1)));
        assertEquals(1, currentTask().cancelling());
    }

    @AsyncioTest
    void cancelInsideTimeout_afterTheTaskSwallowedACancellation_passesThrough() {
        try {
            currentTask().cancel();
            sleep(1);
        } catch (CancelledException e) {
            // swallowed
        }
        assertThrows(CancelledException.class, () -> timeout(secs(1), () -> {
            currentTask().cancel();
            sleep(2);
        }));
    }

    @AsyncioTest
    void taskThatCatchesItsTimeout_endsNormally_notCancelled() {
        Task<String> t = createTask(() -> {
            try {
                timeout(secs(0.001), () -> sleep(10));
                return "no timeout";
            } catch (AsyncTimeoutException e) {
                return "timed out";
            }
        });
        String r = t.await();
        assertEquals("timed out", r);
        assertFalse(t.isCancelled());
        assertTrue(t.isDone());
    }

    // ------------------------------------------------------------------ cancelling() bookkeeping

    @AsyncioTest
    void cancellingCount_isRestored_afterATimeoutExpired_andLaterSleepsWork() {
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> sleep(10)));
        int c = currentTask().cancelling();
        double t0 = now();
        sleep(3);
        assertEquals(0, c);
        assertEquals(3.0, now() - t0, 0.05, "no stray cancellation left over");
    }

    @AsyncioTest
    void timeout_withBodyThatSwallowsTheCancellation_returnsNormally() {
        double t0 = now();
        String r = timeout(secs(1), () -> {
            try {
                sleep(10);
                return "slept";
            } catch (CancelledException e) {
                return "swallowed";
            }
        });
        assertEquals("swallowed", r);
        assertEquals(1.0, now() - t0, 0.05);
        assertEquals(0, currentTask().cancelling());
    }

    // ------------------------------------------------------------------ inside a TaskGroup

    @AsyncioTest
    void timeoutInsideATaskGroupChild_isHandledByTheChild_andTheGroupEndsNormally() {
        Task<String> a, b;
        try (var tg = new TaskGroup()) {
            a = tg.createTask(() -> {
                try {
                    return timeout(secs(1), () -> { sleep(10); return "late"; });
                } catch (AsyncTimeoutException e) {
                    return "timed out";
                }
            });
            b = tg.createTask(() -> { sleep(2); return "sibling"; });
        }
        assertEquals(List.of("timed out", "sibling"), List.of(a.resultNow(), b.resultNow()));
    }

    @AsyncioTest
    void timeoutEscapingATaskGroupChild_isAFailureInTheExceptionGroup() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> timeout(secs(1), () -> sleep(10)));
                tg.createTask(() -> sleep(10));
            }
        });
        assertEquals(1, eg.exceptions().size());
        assertInstanceOf(AsyncTimeoutException.class, eg.exceptions().get(0));
    }

    @AsyncioTest
    void timeoutAroundATaskGroup_cancelsTheGroupAndConverts() {
        List<Task<?>> kids = new ArrayList<>();
        double t0 = now();
        assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> {
            try (var tg = new TaskGroup()) {
                kids.add(tg.createTask(() -> sleep(10)));
                kids.add(tg.createTask(() -> sleep(20)));
            }
        }));
        assertTrue(kids.get(0).isCancelled());
        assertTrue(kids.get(1).isCancelled());
        assertEquals(1.0, now() - t0, 0.05);
        assertEquals(0, currentTask().cancelling());
    }

    @AsyncioTest
    @Tag("fast-only")   // a timeout expiring in a JDK call
    void timeoutExpiringInAJdkCall_insideATryFormGroup_cancelsTheGroupsChildren() {
        AtomicReference<Task<Void>> kid = new AtomicReference<>();
        Throwable left = null;
        try (var tg = new TaskGroup()) {
            kid.set(tg.createTask(() -> sleep(10)));
            sleep(0);
            // the expiry reaches the JDK call as an interrupt: InterruptedException, converted
            timeout(secs(0.05), () -> Thread.sleep(5_000));
        } catch (AsyncTimeoutException e) {
            left = e;
        }
        List<Object> out = List.of(left == null ? "nothing" : left.getClass().getSimpleName(), kid.get().isCancelled(), now() < 5);
        assertEquals(List.of("AsyncTimeoutException", true, true), out,
                "[what left, the child cancelled by the group, before the child's own end]");
    }

    // ------------------------------------------------------------------ misuse

    @AsyncioTest
    void timeout_nullDuration_throwsNullPointerException() {
        assertThrows(NullPointerException.class, () -> timeout((Duration) null, () -> 1));
        assertThrows(NullPointerException.class, () -> timeout((Duration) null, () -> sleep(0)));
    }

    @AsyncioTest
    void timeout_nullBody_throwsNullPointerException() {
        assertThrows(NullPointerException.class, () -> timeout(secs(1), (Callable<Object>) null));
        assertThrows(NullPointerException.class, () -> timeout(secs(1), (ThrowingRunnable) null));
        assertThrows(NullPointerException.class, () -> timeoutAt(1.0, (Callable<Object>) null));
    }

    @Test
    void timeout_outsideATask_throwsIllegalStateException() {
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(IllegalStateException.class, () -> timeout(secs(1), () -> { ran.set(true); return 1; }));
        assertThrows(IllegalStateException.class, () -> timeoutAt(1.0, () -> { ran.set(true); return 1; }));
        assertFalse(ran.get(), "the body did not run");
    }
}
