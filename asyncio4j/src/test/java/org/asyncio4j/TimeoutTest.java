package org.asyncio4j;

import static org.asyncio4j.TestLoops.VC;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviours of CPython's Lib/test/test_asyncio/test_timeouts.py, adapted to {@link Asyncio#timeout}. */
@Timeout(10)
class TimeoutTest {

    private static Duration secs(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static double now() {
        return getRunningLoop().time();
    }

    // ------------------------------------------------------------------ basics

    @Test
    void timeout_expiring_throwsAsyncTimeoutException_causedByCancelledException() {
        List<Object> out = run(() -> {
            double t0 = now();
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                    () -> timeout(secs(1), () -> { sleep(10); return "late"; }));
            return List.of(e, now() - t0);
        }, VC);
        AsyncTimeoutException e = (AsyncTimeoutException) out.get(0);
        assertInstanceOf(CancelledException.class, e.getCause());
        assertEquals(1.0, (double) out.get(1), 0.05, "expired at the deadline, not at the end of the sleep");
    }

    @Test
    void timeout_expiring_letsTheBodySeeCancelledException() {
        AtomicReference<Throwable> bodySaw = new AtomicReference<>();
        run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(0.5), () -> {
                try {
                    sleep(10);
                } catch (Throwable t) {
                    bodySaw.set(t);
                    throw t;
                }
            }));
        }, VC);
        assertInstanceOf(CancelledException.class, bodySaw.get());
    }

    @Test
    void timeout_bodyFinishingInTime_returnsItsValue() {
        List<Object> out = run(() -> {
            double t0 = now();
            String v = timeout(secs(10), () -> { sleep(1); return "done"; });
            sleep(20);   // the expired deadline must not fire later
            return List.of(v, now() - t0, currentTask().cancelling());
        }, VC);
        assertEquals("done", out.get(0));
        assertEquals(21.0, (double) out.get(1), 0.05);
        assertEquals(0, out.get(2));
    }

    @Test
    void timeout_aroundAnInfiniteSleep_expires() {
        List<Object> out = run(() -> {
            double t0 = now();
            Throwable e = null;
            try {
                timeout(secs(1), () -> sleep(Double.POSITIVE_INFINITY));
            } catch (Throwable t) {
                e = t;
            }
            return java.util.Arrays.asList(e, now() - t0);
        }, VC);
        assertInstanceOf(AsyncTimeoutException.class, out.get(0), "sleep(+inf) must end with the cancellation");
        assertEquals(1.0, (double) out.get(1), 0.05);
    }

    @Test
    void infiniteSleep_cancelledByAnotherTask_throwsCancelledException() {
        List<Object> out = run(() -> {
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
            return List.of(sleeper.isCancelled(), returnedNormally.get());
        }, VC);
        assertEquals(List.of(true, false), out, "[isCancelled, body continued after sleep(+inf)]");
    }

    @Test
    void timeout_zero_withSleepZero_expires() {
        run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ZERO, () -> sleep(0)));
        }, VC);
    }

    @Test
    void timeout_negative_withSleepZero_expires() {
        run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(-11), () -> sleep(0)));
        }, VC);
    }

    @Test
    void timeout_foreignException_passesThrough() {
        Throwable t = run(() -> {
            return assertThrows(IllegalArgumentException.class,
                    () -> timeout(secs(1), () -> { throw new IllegalArgumentException("key"); }));
        }, VC);
        assertEquals("key", t.getMessage());
    }

    @Test
    void timeout_bodyRaisingAnotherExceptionInCleanupAfterExpiry_passesThatException() {
        Throwable t = run(() -> {
            Throwable e = assertThrows(ArithmeticException.class, () -> timeout(secs(0.5), () -> {
                try {
                    sleep(10);
                } finally {
                    throw new ArithmeticException("1/0");
                }
            }));
            assertEquals(0, currentTask().cancelling(), "the expired timeout withdrew its cancel request");
            return e;
        }, VC);
        assertEquals("1/0", t.getMessage());
    }

    @Test
    void timeout_checkedExceptionFromBody_arrivesWrappedInCompletionException() {
        IOException io = new IOException("disk");
        CompletionException ce = run(() -> {
            return assertThrows(CompletionException.class, () -> timeout(secs(1), () -> { throw io; }));
        }, VC);
        assertSame(io, ce.getCause());
    }

    @Test
    void timeout_uncheckedExceptionFromBody_arrivesAsItself() {
        var ise = new IllegalStateException("as itself");
        Throwable t = run(() -> {
            return assertThrows(IllegalStateException.class, () -> timeout(secs(1), () -> { sleep(0); throw ise; }));
        }, VC);
        assertSame(ise, t);
    }

    // ------------------------------------------------------------------ ThrowingRunnable overloads

    @Test
    void timeout_throwingRunnable_runsTheBodyOrTimesOut() {
        List<String> log = run(() -> {
            List<String> l = new ArrayList<>();
            timeout(secs(5), () -> { sleep(1); l.add("ran"); });
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> { sleep(5); l.add("never"); }));
            timeoutAt(now() + 5, () -> { sleep(1); l.add("ranAt"); });
            assertThrows(AsyncTimeoutException.class, () -> timeoutAt(now() + 1, () -> { sleep(5); l.add("neverAt"); }));
            return l;
        }, VC);
        assertEquals(List.of("ran", "ranAt"), log);
    }

    @Test
    void timeout_throwingRunnable_checkedException_arrivesWrapped() {
        IOException io = new IOException("x");
        CompletionException ce = run(() -> {
            ThrowingRunnable body = () -> { throw io; };
            return assertThrows(CompletionException.class, () -> timeout(secs(1), body));
        }, VC);
        assertSame(io, ce.getCause());
    }

    // ------------------------------------------------------------------ timeoutAt

    @Test
    void timeoutAt_expiring_throwsAtTheDeadline() {
        double elapsed = run(() -> {
            double t0 = now();
            double deadline = t0 + 2;
            assertThrows(AsyncTimeoutException.class, () -> timeoutAt(deadline, () -> { sleep(10); return 1; }));
            return now() - t0;
        }, VC);
        assertEquals(2.0, elapsed, 0.05);
    }

    @Test
    void timeoutAt_pastDeadline_cancelsAtTheFirstSuspensionPoint() {
        List<String> log = run(() -> {
            List<String> l = new ArrayList<>();
            assertThrows(AsyncTimeoutException.class, () -> timeoutAt(now() - 5, () -> {
                l.add("before");
                sleep(10);
                l.add("after");
            }));
            return l;
        }, VC);
        assertEquals(List.of("before"), log);
    }

    @Test
    void timeoutAt_pastDeadline_withSleepZero_expires() {
        List<String> log = run(() -> {
            List<String> l = new ArrayList<>();
            assertThrows(AsyncTimeoutException.class, () -> timeoutAt(now() - 5, () -> {
                l.add("before");
                sleep(0);
                l.add("after");
            }));
            return l;
        }, VC);
        assertEquals(List.of("before"), log);
    }

    @Test
    void timeoutAt_nan_throwsIllegalArgumentException() {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> timeoutAt(Double.NaN, () -> 1));
            assertThrows(IllegalArgumentException.class, () -> timeoutAt(Double.NaN, () -> sleep(0)));
        }, VC);
    }

    // ------------------------------------------------------------------ nesting

    @Test
    void nestedTimeouts_innerExpires_onlyInnerConverts() {
        List<Object> out = run(() -> {
            double t0 = now();
            String r = timeout(secs(10), () -> {
                assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> { sleep(5); return 0; }));
                sleep(1);   // the outer timeout is still armed, not triggered
                return "outer body ended";
            });
            return List.of(r, now() - t0, currentTask().cancelling());
        }, VC);
        assertEquals("outer body ended", out.get(0));
        assertEquals(2.0, (double) out.get(1), 0.05);
        assertEquals(0, out.get(2));
    }

    @Test
    void nestedTimeouts_outerExpires_innerPassesCancelledException_outerConverts() {
        AtomicReference<Throwable> innerLeftWith = new AtomicReference<>();
        double elapsed = run(() -> {
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
            return now() - t0;
        }, VC);
        assertInstanceOf(CancelledException.class, innerLeftWith.get());
        assertEquals(1.0, elapsed, 0.05);
    }

    @Test
    void nestedTimeouts_bothExpiringAtOnce_outerWins() {
        AtomicReference<Throwable> innerLeftWith = new AtomicReference<>();
        int cancelling = run(() -> {
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
            return currentTask().cancelling();
        }, VC);
        assertInstanceOf(CancelledException.class, innerLeftWith.get(), "only the outermost converts");
        assertEquals(0, cancelling);
    }

    @Test
    void nestedTimeout_inFinallyOfExpiredTimeout_expiresOnItsOwn() {
        AtomicReference<Throwable> innerResult = new AtomicReference<>();
        run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> {
                try {
                    sleep(10);
                } finally {
                    innerResult.set(assertThrows(AsyncTimeoutException.class,
                            () -> timeout(secs(1), () -> sleep(10))));
                }
            }));
        }, VC);
        assertInstanceOf(AsyncTimeoutException.class, innerResult.get());
    }

    // ------------------------------------------------------------------ cancellation from outside

    @Test
    void outsideCancel_duringTimeout_passesThroughAsCancelledException() {
        AtomicReference<Throwable> leftTimeoutWith = new AtomicReference<>();
        boolean cancelled = run(() -> {
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
            return t.isCancelled();
        }, VC);
        assertTrue(cancelled);
        assertInstanceOf(CancelledException.class, leftTimeoutWith.get());
        assertFalse(leftTimeoutWith.get() instanceof AsyncTimeoutException);
    }

    @Test
    void selfCancel_insideTimeoutNotExpired_passesThroughAsCancelledException() {
        run(() -> {
            assertThrows(CancelledException.class, () -> timeout(secs(10), () -> {
                currentTask().cancel();
                sleep(10);
            }));
            assertEquals(1, currentTask().cancelling());
            currentTask().uncancel();
        }, VC);
    }

    @Test
    void timeout_afterTheTaskSwallowedACancellation_stillExpires() {
        run(() -> {
            try {
                currentTask().cancel();
                sleep(1);
            } catch (CancelledException e) {
                // swallowed without uncancel(): cancelling() stays 1
            }
            assertThrows(AsyncTimeoutException.class, () -> timeout(Duration.ZERO, () -> sleep(1)));
            assertEquals(1, currentTask().cancelling());
        }, VC);
    }

    @Test
    void cancelInsideTimeout_afterTheTaskSwallowedACancellation_passesThrough() {
        run(() -> {
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
        }, VC);
    }

    @Test
    void taskThatCatchesItsTimeout_endsNormally_notCancelled() {
        List<Object> out = run(() -> {
            Task<String> t = createTask(() -> {
                try {
                    timeout(secs(0.001), () -> sleep(10));
                    return "no timeout";
                } catch (AsyncTimeoutException e) {
                    return "timed out";
                }
            });
            String r = t.await();
            return List.of(r, t.isCancelled(), t.isDone());
        }, VC);
        assertEquals(List.of("timed out", false, true), out);
    }

    // ------------------------------------------------------------------ cancelling() bookkeeping

    @Test
    void cancellingCount_isRestored_afterATimeoutExpired_andLaterSleepsWork() {
        List<Object> out = run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> sleep(10)));
            int c = currentTask().cancelling();
            double t0 = now();
            sleep(3);
            return List.of(c, now() - t0);
        }, VC);
        assertEquals(0, out.get(0));
        assertEquals(3.0, (double) out.get(1), 0.05, "no stray cancellation left over");
    }

    @Test
    void timeout_withBodyThatSwallowsTheCancellation_returnsNormally() {
        List<Object> out = run(() -> {
            double t0 = now();
            String r = timeout(secs(1), () -> {
                try {
                    sleep(10);
                    return "slept";
                } catch (CancelledException e) {
                    return "swallowed";
                }
            });
            return List.of(r, now() - t0, currentTask().cancelling());
        }, VC);
        assertEquals("swallowed", out.get(0));
        assertEquals(1.0, (double) out.get(1), 0.05);
        assertEquals(0, out.get(2));
    }

    // ------------------------------------------------------------------ inside a TaskGroup

    @Test
    void timeoutInsideATaskGroupChild_isHandledByTheChild_andTheGroupEndsNormally() {
        List<Object> out = run(() -> {
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
            return List.of(a.resultNow(), b.resultNow());
        }, VC);
        assertEquals(List.of("timed out", "sibling"), out);
    }

    @Test
    void timeoutEscapingATaskGroupChild_isAFailureInTheExceptionGroup() {
        ExceptionGroup eg = assertThrows(ExceptionGroup.class, () -> run(() -> {
            try (var tg = new TaskGroup()) {
                tg.createTask(() -> timeout(secs(1), () -> sleep(10)));
                tg.createTask(() -> sleep(10));
            }
        }, VC));
        assertEquals(1, eg.exceptions().size());
        assertInstanceOf(AsyncTimeoutException.class, eg.exceptions().get(0));
    }

    @Test
    void timeoutAroundATaskGroup_cancelsTheGroupAndConverts() {
        List<Object> out = run(() -> {
            List<Task<?>> kids = new ArrayList<>();
            double t0 = now();
            assertThrows(AsyncTimeoutException.class, () -> timeout(secs(1), () -> {
                try (var tg = new TaskGroup()) {
                    kids.add(tg.createTask(() -> sleep(10)));
                    kids.add(tg.createTask(() -> sleep(20)));
                }
            }));
            return List.of(kids.get(0).isCancelled(), kids.get(1).isCancelled(), now() - t0, currentTask().cancelling());
        }, VC);
        assertEquals(true, out.get(0));
        assertEquals(true, out.get(1));
        assertEquals(1.0, (double) out.get(2), 0.05);
        assertEquals(0, out.get(3));
    }

    @Test
    void timeoutExpiringInAJdkCall_insideATryFormGroup_cancelsTheGroupsChildren() {
        List<Object> out = run(() -> {
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
            return List.of(left == null ? "nothing" : left.getClass().getSimpleName(), kid.get().isCancelled(), now() < 5);
        }, VC);
        assertEquals(List.of("AsyncTimeoutException", true, true), out,
                "[what left, the child cancelled by the group, before the child's own end]");
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void timeout_nullDuration_throwsNullPointerException() {
        run(() -> {
            assertThrows(NullPointerException.class, () -> timeout((Duration) null, () -> 1));
            assertThrows(NullPointerException.class, () -> timeout((Duration) null, () -> sleep(0)));
        }, VC);
    }

    @Test
    void timeout_nullBody_throwsNullPointerException() {
        run(() -> {
            assertThrows(NullPointerException.class, () -> timeout(secs(1), (Callable<Object>) null));
            assertThrows(NullPointerException.class, () -> timeout(secs(1), (ThrowingRunnable) null));
            assertThrows(NullPointerException.class, () -> timeoutAt(1.0, (Callable<Object>) null));
        }, VC);
    }

    @Test
    void timeout_outsideATask_throwsIllegalStateException() {
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(IllegalStateException.class, () -> timeout(secs(1), () -> { ran.set(true); return 1; }));
        assertThrows(IllegalStateException.class, () -> timeoutAt(1.0, () -> { ran.set(true); return 1; }));
        assertFalse(ran.get(), "the body did not run");
    }
}
