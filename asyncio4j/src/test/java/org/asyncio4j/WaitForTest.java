package org.asyncio4j;

import static org.asyncio4j.TestLoops.VC;
import static org.asyncio4j.Asyncio.completed;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.failed;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.shield;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.waitFor;
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

/** Behaviours of CPython's Lib/test/test_asyncio/test_waitfor.py, adapted to {@link Asyncio#waitFor}. */
@Timeout(10)
class WaitForTest {

    private static Duration secs(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static double now() {
        return getRunningLoop().time();
    }

    // ------------------------------------------------------------------ in time

    @Test
    void waitFor_futureDoneInTime_returnsItsResult() {
        List<Object> out = run(() -> {
            double t0 = now();
            Task<String> t = createTask(() -> { sleep(1); return "done"; });
            String r = waitFor(t, secs(10));
            sleep(20);   // the deadline must not fire later
            return List.of(r, now() - t0, currentTask().cancelling(), t.isCancelled());
        }, VC);
        assertEquals("done", out.get(0));
        assertEquals(21.0, (double) out.get(1), 0.05);
        assertEquals(0, out.get(2));
        assertEquals(false, out.get(3));
    }

    @Test
    void waitFor_callable_returnsItsResult() {
        int r = run(() -> waitFor(() -> { sleep(1); return 42; }, secs(2)), VC);
        assertEquals(42, r);
    }

    @Test
    void waitFor_loopFutureResolvedByCallback_returnsItsResult() {
        String r = run(() -> {
            Future<String> f = getRunningLoop().createFuture();
            getRunningLoop().callLater(0.5, () -> f.setResult("ok"));
            return waitFor(f, secs(1));
        }, VC);
        assertEquals("ok", r);
    }

    @Test
    void waitFor_futureResolvedSoon_withShortTimeout_returnsItsResult() {
        String r = run(() -> {
            Future<String> f = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> f.setResult("ok"));
            return waitFor(f, secs(0.2));
        }, VC);
        assertEquals("ok", r);
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void waitFor_expiry_cancelsTheInnerAndAwaitsItsCleanup_beforeThrowing() {
        List<String> log = new ArrayList<>();
        List<Object> out = run(() -> {
            double t0 = now();
            Task<String> inner = createTask(() -> {
                try {
                    sleep(10);
                    return "late";
                } catch (CancelledException e) {
                    sleep(0.5);          // cleanup that suspends
                    throw e;
                } finally {
                    log.add("inner finally");
                }
            });
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class, () -> waitFor(inner, secs(1)));
            log.add("timeout");
            return List.of(e, inner.isDone(), inner.isCancelled(), now() - t0);
        }, VC);
        assertEquals(List.of("inner finally", "timeout"), log, "the inner finished its cleanup first");
        assertInstanceOf(CancelledException.class, ((Throwable) out.get(0)).getCause());
        assertEquals(true, out.get(1));
        assertEquals(true, out.get(2));
        assertEquals(1.5, (double) out.get(3), 0.05);
    }

    @Test
    void waitFor_callable_expiry_cancelsTheTaskItCreated() {
        AtomicBoolean finallyRan = new AtomicBoolean();
        AtomicReference<Task<?>> created = new AtomicReference<>();
        run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> waitFor(() -> {
                created.set(currentTask());
                try {
                    sleep(10);
                    return 1;
                } finally {
                    finallyRan.set(true);
                }
            }, secs(1)));
            assertTrue(created.get().isDone(), "awaited before the timeout was thrown");
        }, VC);
        assertTrue(finallyRan.get());
        assertTrue(created.get().isCancelled());
    }

    @Test
    void waitFor_expiry_withAPendingLoopFuture_cancelsIt() {
        boolean cancelled = run(() -> {
            Future<String> f = getRunningLoop().createFuture();
            assertThrows(AsyncTimeoutException.class, () -> waitFor(f, secs(1)));
            return f.isCancelled();
        }, VC);
        assertTrue(cancelled);
    }

    @Test
    void waitFor_innerSwallowingTheCancellation_returnsItsValue() {
        int r = run(() -> {
            Task<Integer> inner = createTask(() -> {
                try {
                    sleep(10);
                    return 1;
                } catch (CancelledException e) {
                    return 42;
                }
            });
            return waitFor(inner, secs(1));
        }, VC);
        assertEquals(42, r);
    }

    @Test
    void waitFor_innerRaisingAnotherExceptionDuringCancellation_propagatesThatException() {
        Throwable t = run(() -> {
            Task<Integer> inner = createTask(() -> {
                try {
                    sleep(10);
                    return 1;
                } catch (CancelledException e) {
                    throw new ArithmeticException("during cancellation");
                }
            });
            return assertThrows(ArithmeticException.class, () -> waitFor(inner, secs(1)));
        }, VC);
        assertEquals("during cancellation", t.getMessage());
    }

    @Test
    void waitFor_expiry_restoresTheCallersCancellingCount() {
        int c = run(() -> {
            assertThrows(AsyncTimeoutException.class, () -> waitFor(() -> { sleep(10); return 1; }, secs(1)));
            sleep(1);
            return currentTask().cancelling();
        }, VC);
        assertEquals(0, c);
    }

    // ------------------------------------------------------------------ zero and negative timeouts

    @Test
    void waitFor_zeroOrNegativeTimeout_withADoneFuture_returnsItsResult() {
        List<Object> out = run(() -> {
            Task<String> t = createTask(() -> "task result");
            sleep(0.1);
            return List.of(
                    waitFor(completed("a"), Duration.ZERO),
                    waitFor(completed("b"), secs(-1)),
                    waitFor(t, Duration.ZERO),
                    waitFor(t, secs(-1)));
        }, VC);
        assertEquals(List.of("a", "b", "task result", "task result"), out);
    }

    @Test
    void waitFor_zeroTimeout_withAFailedDoneFuture_throwsItsException() {
        var ise = new IllegalStateException("failed");
        Throwable t = run(() -> assertThrows(IllegalStateException.class, () -> waitFor(failed(ise), Duration.ZERO)), VC);
        assertSame(ise, t);
    }

    @Test
    void waitFor_zeroOrNegativeTimeout_withAPendingFuture_timesOutAndCancelsIt() {
        List<Object> out = run(() -> {
            Future<String> f1 = getRunningLoop().createFuture();
            Future<String> f2 = getRunningLoop().createFuture();
            AtomicBoolean started = new AtomicBoolean();
            Task<Integer> t = createTask(() -> { started.set(true); sleep(1); return 1; });
            assertThrows(AsyncTimeoutException.class, () -> waitFor(f1, Duration.ZERO));
            assertThrows(AsyncTimeoutException.class, () -> waitFor(f2, secs(-1)));
            assertThrows(AsyncTimeoutException.class, () -> waitFor(t, Duration.ZERO));
            return List.of(f1.isCancelled(), f2.isCancelled(), t.isCancelled(), t.isDone());
        }, VC);
        assertEquals(List.of(true, true, true, true), out);
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancellingTheCaller_cancelsTheInner() {
        List<Object> out = run(() -> {
            Task<Integer> inner = createTask(() -> { sleep(10); return 1; });
            Task<Integer> caller = createTask(() -> waitFor(inner, secs(100)));
            sleep(1);
            caller.cancel();
            assertThrows(CancelledException.class, caller::await);
            return List.of(caller.isCancelled(), inner.isCancelled(), now());
        }, VC);
        assertEquals(true, out.get(0));
        assertEquals(true, out.get(1));
        assertTrue((double) out.get(2) < 5);
    }

    @Test
    void waitFor_onAShield_leavesTheInnerRunningAfterExpiry() {
        List<Object> out = run(() -> {
            Task<String> inner = createTask(() -> { sleep(3); return "kept"; });
            assertThrows(AsyncTimeoutException.class, () -> waitFor(shield(inner), secs(1)));
            boolean runningAfterTimeout = !inner.isDone();
            String r = inner.await();
            return List.of(runningAfterTimeout, r, inner.isCancelled(), now());
        }, VC);
        assertEquals(true, out.get(0));
        assertEquals("kept", out.get(1));
        assertEquals(false, out.get(2));
        assertEquals(3.0, (double) out.get(3), 0.1);
    }

    @Test
    void cancellingTheCaller_ofWaitForOnAShield_leavesTheInnerRunning() {
        List<Object> out = run(() -> {
            Task<String> inner = createTask(() -> { sleep(3); return "kept"; });
            Task<String> caller = createTask(() -> waitFor(shield(inner), secs(100)));
            sleep(1);
            caller.cancel();
            assertThrows(CancelledException.class, caller::await);
            return List.of(caller.isCancelled(), inner.await());
        }, VC);
        assertEquals(List.of(true, "kept"), out);
    }

    // ------------------------------------------------------------------ failures

    @Test
    void waitFor_innerRaisingUnchecked_propagatesItAsItself() {
        var boom = new IllegalArgumentException("boom");
        Throwable t = run(() -> {
            Task<Integer> inner = createTask(() -> { sleep(1); throw boom; });
            return assertThrows(IllegalArgumentException.class, () -> waitFor(inner, secs(5)));
        }, VC);
        assertSame(boom, t);
    }

    @Test
    void waitFor_innerRaisingChecked_propagatesItWrappedInCompletionException() {
        var io = new IOException("io");
        CompletionException ce = run(() -> {
            return assertThrows(CompletionException.class,
                    () -> waitFor(() -> { sleep(1); throw io; }, secs(5)));
        }, VC);
        assertSame(io, ce.getCause());
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void waitFor_nullArguments_throwNullPointerException() {
        run(() -> {
            Future<Integer> f = completed(1);
            assertThrows(NullPointerException.class, () -> waitFor((Future<Integer>) null, secs(1)));
            assertThrows(NullPointerException.class, () -> waitFor(f, null));
            assertThrows(NullPointerException.class, () -> waitFor((Callable<Integer>) null, secs(1)));
            assertThrows(NullPointerException.class, () -> waitFor(() -> 1, null));
        }, VC);
    }

    @Test
    void waitFor_outsideATask_throwsIllegalStateException() {
        Future<Integer> f = completed(1);
        assertThrows(IllegalStateException.class, () -> waitFor(f, secs(1)));
        assertFalse(f.isCancelled());
    }

    // ------------------------------------------------------------------ seconds as double, no deadline

    @Test
    void waitFor_seconds_expiresAtTheDeadline_andCancelsTheInner() {
        List<Object> out = run(() -> {
            double t0 = now();
            Task<String> t = createTask(() -> { sleep(10); return "late"; });
            assertThrows(AsyncTimeoutException.class, () -> waitFor(t, 0.5));
            return List.of(now() - t0, t.isCancelled(), (int) waitFor(() -> { sleep(0.1); return 4; }, 1));
        }, VC);
        assertEquals(0.5, (double) out.get(0), 0.01);
        assertEquals(true, out.get(1));
        assertEquals(4, out.get(2));
    }

    @Test
    void waitFor_seconds_zeroOnADoneFuture_returnsItsResult_nanIsRefused() {
        String r = run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> waitFor(completed("x"), Double.NaN));
            assertTrue(e.getMessage().contains("seconds is NaN"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> waitFor(() -> "never run", Double.NaN));
            return waitFor(completed("done"), 0);
        }, VC);
        assertEquals("done", r);
    }

    /** Python's wait_for(aw, None): it just awaits, however long, and a cancel reaches the inner. */
    @Test
    void waitFor_withoutDeadline_justAwaits_andTheCallersCancellationCancelsTheInner() {
        List<Object> out = run(() -> {
            double t0 = now();
            String a = waitFor(createTask(() -> { sleep(1000); return "a"; }));
            String b = waitFor(() -> { sleep(1000); return "b"; }, Double.POSITIVE_INFINITY);
            String c = waitFor(() -> "c");
            Task<String> inner = createTask(() -> { sleep(10); return "never"; });
            Task<String> outer = createTask(() -> waitFor(inner));
            sleep(1);
            outer.cancel();
            assertThrows(CancelledException.class, outer::await);
            return List.of(a, b, c, now() - t0 - 1, inner.isCancelled());
        }, VC);
        assertEquals(List.of("a", "b", "c"), out.subList(0, 3));
        assertEquals(2000.0, (double) out.get(3), 0.01);
        assertEquals(true, out.get(4));
    }
}
