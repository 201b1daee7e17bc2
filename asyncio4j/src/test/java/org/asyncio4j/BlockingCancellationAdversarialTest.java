package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.BlockingCancellationTest.Conn;
import org.asyncio4j.BlockingCancellationTest.DriverException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adversarial cases for "Cancelling blocking code" (api.md): repeated and withdrawn
 * cancellations around {@code cancellable} regions, hooks that run late or never return,
 * regions under timeouts and TaskGroups, the interrupt-cause rule after a cancellation was
 * handled, and the caller frames of {@code run} from a virtual thread. The driver is
 * {@link ToyBackend}, whose cancel stops whatever its connection runs, as PostgreSQL's does.
 */
@Timeout(60)
@Tag("fast-only")   // cooperative blocking: JDK blocking calls inside tasks park only the task
class BlockingCancellationAdversarialTest {

    @AutoClose
    final ToyBackend server;

    BlockingCancellationAdversarialTest() throws java.io.IOException {
        server = new ToyBackend();
    }

    /** The region's hook: counts, then cancels what {@code c} runs, as Statement.cancel(). */
    private static ThrowingRunnable countingCancel(AtomicInteger hooks, Conn c) {
        String key = ToyBackend.keyOf(c);
        return () -> {
            hooks.incrementAndGet();
            c.cancel(key);
        };
    }

    /** The region's hook: cancels what {@code c} runs. */
    private static ThrowingRunnable cancelOf(Conn c) {
        return countingCancel(new AtomicInteger(), c);
    }

    // ------------------------------------------------------------------ repeated cancellations

    @Test
    void cancellable_cancelTwice_stillOnlyTheHook_connectionSurvives() {
        AtomicInteger hooks = new AtomicInteger();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                ThrowingRunnable hook = countingCancel(hooks, c);
                Task<String> t = ToyBackend.blockedTask(() -> Asyncio.cancellable(hook, () -> c.query("sleep 0")));
                assertTrue(t.cancel());
                assertTrue(t.cancel());                   // e.g. a timeout and a TaskGroup at once
                assertThrows(CancelledException.class, t::await);
                assertTrue(t.isCancelled());
                assertFalse(c.socket.isClosed(), "a second cancel() must not interrupt the region's call");
                assertTrue(ToyBackend.usable(c));
            }
            return null;
        });
        assertEquals(1, hooks.get());
    }

    @Test
    void cancellable_timeoutExpiring_whileCancelledFromOutside_endsCancelled_connectionSurvives() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                ThrowingRunnable hook = cancelOf(c);
                Task<String> t = Asyncio.createTask(() -> Asyncio.timeout(Duration.ofMillis(300),
                        () -> Asyncio.cancellable(hook, () -> c.query("sleep 0"))));
                Asyncio.sleep(0.29);
                t.cancel();                               // lands next to the timeout's expiry
                Asyncio.sleep(0.02);
                t.cancel();
                assertThrows(CancelledException.class, t::await, "a request from outside stands: not a timeout");
                assertTrue(t.isCancelled());
                assertFalse(c.socket.isClosed());
                assertTrue(ToyBackend.usable(c));
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ late and withdrawn hooks

    @Test
    void cancellable_regionEndedBeforeTheHookRan_theHookDoesNotRun_andCannotCancelTheNextQuery() {
        // The hook cancels whatever the connection runs, as pgjdbc's Statement.cancel() does: a
        // hook that ran after its region ended would cancel the next query.
        AtomicInteger hooks = new AtomicInteger();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                BlockingQueue<String> rows = new ArrayBlockingQueue<>(1);
                ThrowingRunnable hook = countingCancel(hooks, c);
                Task<String> t = ToyBackend.blockedTask(() -> {
                    try {
                        return Asyncio.cancellable(hook, rows::take);
                    } catch (CancelledException e) {
                        Asyncio.currentTask().uncancel();         // handled: go on with the next query
                    }
                    return Asyncio.cancellable(hook, () -> c.query("sleep 0"));
                });
                rows.add("row");              // the call returns: the task is ready to leave the region...
                t.cancel();                   // ...and the cancellation lands before it runs
                Asyncio.sleep(0.3);
                assertFalse(t.isDone(), "the second query must not be cancelled by the first region's hook: " + t);
                assertEquals(0, hooks.get(), "the first region ended before its hook could run");
                t.cancel();
                assertThrows(CancelledException.class, t::await);
                assertTrue(ToyBackend.usable(c));
            }
            return null;
        });
        assertEquals(1, hooks.get());
    }

    @Test
    void cancellable_cancelWithdrawnBeforeTheHookRan_hookNotRun_callGoesOn_aLaterCancelRunsIt() {
        AtomicInteger hooks = new AtomicInteger();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                ThrowingRunnable hook = countingCancel(hooks, c);
                Task<String> t = ToyBackend.blockedTask(() -> Asyncio.cancellable(hook, () -> c.query("sleep 0")));
                t.cancel();
                t.uncancel();                             // withdrawn in the same step
                Asyncio.sleep(0.3);
                assertEquals(0, hooks.get(), "no hook for a task that is not cancelled");
                assertFalse(t.isDone(), "the query goes on: " + t);
                t.cancel();
                assertThrows(CancelledException.class, t::await);
                assertEquals(1, hooks.get());
                assertTrue(ToyBackend.usable(c));
            }
            return null;
        });
    }

    @Test
    void cancellable_uncancelAfterTheHookRan_regionThrowsTheCallsOwnException() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                AtomicReference<Task<?>> self = new AtomicReference<>();
                ThrowingRunnable cancel = cancelOf(c);
                Task<String> t = ToyBackend.blockedTask(() -> {
                    self.set(Asyncio.currentTask());
                    return Asyncio.cancellable(() -> {
                        self.get().uncancel();            // the request is withdrawn once the hook runs
                        cancel.run();
                    }, () -> c.query("sleep 0"));
                });
                t.cancel();
                DriverException e = assertThrows(DriverException.class, t::await);
                assertEquals("canceling statement due to user request", e.getMessage());
                assertFalse(t.isCancelled());
                assertEquals(0, t.cancelling());
            }
            return null;
        });
    }

    @Test
    void cancellable_hookThatNeverReturns_taskEndsWithItsCall_runEnds_nothingReported() {
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        CountDownLatch never = new CountDownLatch(1);
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reported.add(ctx));
            BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
            Task<String> t = ToyBackend.blockedTask(() -> Asyncio.cancellable(never::await, q::take));
            t.cancel();
            Asyncio.sleep(0.1);
            q.add("late");                                // the call ends on its own
            assertThrows(CancelledException.class, t::await);
            return null;                                  // run cancels the hook, still blocked
        });
        assertEquals(List.of(), reported, "the hook's task was cancelled at shutdown: that is no hook failure");
    }

    @Test
    void cancellable_taskLeftInARegionWhenRunEnds_theHookRunsAtShutdown_connectionSurvives() {
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        AtomicReference<Task<String>> task = new AtomicReference<>();
        AtomicReference<Conn> conn = new AtomicReference<>();
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reported.add(ctx));
            Conn c = new Conn(server.port());
            conn.set(c);
            ThrowingRunnable hook = cancelOf(c);
            task.set(ToyBackend.blockedTask(() -> Asyncio.cancellable(hook, () -> c.query("sleep 0"))));
            return null;                                  // run's shutdown cancels it
        });
        assertTrue(task.get().isCancelled(), task.get().toString());
        assertFalse(conn.get().socket.isClosed());
        assertEquals(List.of(), reported);
    }

    @Test
    void cancellable_taskLeftBehindInARegion_cancelAfterTheLoopClosed_doesNotThrow_andEndsIt() throws Exception {
        // A hook that does not end the call: the shutdown gives up on the task and leaves it
        // pending; a cancel() after close must not throw (the hook cannot run on a closed loop).
        BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
        AtomicReference<Task<String>> left = new AtomicReference<>();
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reported.add(ctx));
            left.set(ToyBackend.blockedTask(() -> Asyncio.cancellable(() -> { }, q::take)));
            return null;
        }, RunOptions.defaults().withShutdownTimeout(Duration.ofMillis(100)));
        Task<String> t = left.get();
        assertFalse(t.isDone(), "left behind: " + reported);
        assertTrue(t.cancel());
        for (int i = 0; i < 500 && !t.isDone(); i++) {
            Thread.sleep(10);
        }
        assertTrue(t.isCancelled(), t.toString());
    }

    // ------------------------------------------------------------------ under TaskGroups and timeouts

    private static ThrowingRunnable failAfter(double seconds) {
        return () -> {
            Asyncio.sleep(seconds);
            throw new IllegalStateException("boom");
        };
    }

    @Test
    void tryFormTaskGroup_bodyInRegion_childFails_hookStopsTheBody_statementEndsWithTheGroup() {
        AtomicInteger hooks = new AtomicInteger();
        AtomicReference<Conn> conn = new AtomicReference<>();
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            Conn c = new Conn(server.port());
            conn.set(c);
            ThrowingRunnable hook = countingCancel(hooks, c);
            try (TaskGroup tg = new TaskGroup()) {
                tg.createTask(failAfter(0.2));
                Asyncio.cancellable(hook, () -> c.query("sleep 0"));
            }
            return null;
        }));
        assertEquals(1, hooks.get());
        assertEquals(1, g.exceptions().size(), g.exceptions().toString());
        assertInstanceOf(IllegalStateException.class, g.exceptions().get(0));
        assertFalse(conn.get().socket.isClosed());
    }

    @Test
    void lambdaTaskGroup_bodyInRegion_childFails_groupHoldsOnlyTheChildsFailure() {
        AtomicInteger hooks = new AtomicInteger();
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                ThrowingRunnable hook = countingCancel(hooks, c);
                return Asyncio.taskGroup(tg -> {
                    tg.createTask(failAfter(0.2));
                    return Asyncio.cancellable(hook, () -> c.query("sleep 0"));
                });
            }
        }));
        assertEquals(1, hooks.get());
        assertEquals(1, g.exceptions().size(), g.exceptions().toString());
        assertInstanceOf(IllegalStateException.class, g.exceptions().get(0));
    }

    @Test
    void lambdaGroupInsideTryFormGroup_bodyInRegion_outerChildFails_theCancelledQueryIsNoFailure() {
        // The outer group stops the body with its interruption; the region then ends, and what
        // the cancelled query threw ("canceling statement") must not count as the inner group's error.
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            Conn c = new Conn(server.port());
            ThrowingRunnable hook = cancelOf(c);
            try (c; TaskGroup outer = new TaskGroup()) {
                outer.createTask(failAfter(0.2));
                Asyncio.taskGroup(inner -> Asyncio.cancellable(hook, () -> c.query("sleep 0")));
            }
            return null;
        }));
        assertEquals(1, g.exceptions().size(), g.exceptions().toString());
        assertInstanceOf(IllegalStateException.class, g.exceptions().get(0), g.exceptions().toString());
        StringBuilder all = new StringBuilder();
        collect(g, all, 0);
        assertFalse(all.toString().contains("canceling statement"), "the cancelled query shows up as a failure:\n" + all);
    }

    private static void collect(Throwable t, StringBuilder out, int depth) {
        if (t == null || depth > 8) {
            return;
        }
        out.append(t).append('\n');
        if (t instanceof ExceptionGroup eg) {
            for (Throwable m : eg.exceptions()) {
                collect(m, out, depth + 1);
            }
        }
        for (Throwable s : t.getSuppressed()) {
            collect(s, out, depth + 1);
        }
        collect(t.getCause(), out, depth + 1);
    }

    @Test
    void regionInsideTimeoutInsideTaskGroupChild_childTimesOut_siblingsCancelled_connectionsSurvive() {
        AtomicReference<Conn> a = new AtomicReference<>();
        AtomicReference<Conn> b = new AtomicReference<>();
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            a.set(new Conn(server.port()));
            b.set(new Conn(server.port()));
            ThrowingRunnable hookA = cancelOf(a.get());
            ThrowingRunnable hookB = cancelOf(b.get());
            Asyncio.taskGroup(tg -> {
                tg.createTask(() -> Asyncio.timeout(Duration.ofMillis(200),
                        () -> Asyncio.cancellable(hookA, () -> a.get().query("sleep 0"))));
                tg.createTask(() -> Asyncio.timeout(Duration.ofSeconds(30),
                        () -> Asyncio.cancellable(hookB, () -> b.get().query("sleep 0"))));
                return null;
            });
            return null;
        }));
        assertEquals(1, g.exceptions().size(), g.exceptions().toString());
        assertInstanceOf(AsyncTimeoutException.class, g.exceptions().get(0));
        assertFalse(a.get().socket.isClosed());
        assertFalse(b.get().socket.isClosed(), "the sibling was cancelled through its hook");
    }

    // ------------------------------------------------------------------ every suspension point

    /**
     * A worker of the harness scenarios: a quick query in a region, then one that only its hook
     * ends, under a short timeout; records whose hook ran. Returns how many timeouts it saw.
     */
    private static int worker(Conn c, String key, java.util.Map<String, Integer> hooked) throws Exception {
        String me = Asyncio.currentTask().getName();
        ThrowingRunnable hook = () -> {
            hooked.merge(me, 1, Integer::sum);
            c.cancel(key);
        };
        Asyncio.sleep(0.01);
        assertEquals("done", Asyncio.cancellable(hook, () -> c.query("sleep 1")));
        Asyncio.sleep(0.01);
        int timeouts = 0;
        try {
            Asyncio.timeout(Duration.ofMillis(50), () -> Asyncio.cancellable(hook, () -> c.query("sleep 0")));
        } catch (AsyncTimeoutException e) {
            timeouts++;
        }
        Asyncio.sleep(0.01);
        return timeouts;
    }

    /**
     * Runs two workers (and, if {@code bomb} is given, a child that fails on it) in a TaskGroup,
     * then checks: no worker failed (a driver's exception would be a lost cancellation), a hook
     * ran only for a worker that was cancelled or timed out, both connections are usable, and
     * nothing is left running.
     */
    private void twoWorkersInAGroup(CancellationHarness.Bomb bomb) throws Exception {
        java.util.Map<String, Integer> hooked = new java.util.concurrent.ConcurrentHashMap<>();
        Conn a = new Conn(server.port());
        Conn b = new Conn(server.port());
        String ka = ToyBackend.keyOf(a);     // outside the workers: a plain JDK call would be interrupted
        String kb = ToyBackend.keyOf(b);
        List<Task<Integer>> workers = new CopyOnWriteArrayList<>();
        Throwable outcome = null;
        try {
            Asyncio.taskGroup(tg -> {
                workers.add(tg.createTask(() -> worker(a, ka, hooked), "w-1"));
                workers.add(tg.createTask(() -> {
                    Asyncio.sleep(0.005);
                    return worker(b, kb, hooked);
                }, "w-2"));
                if (bomb != null) {
                    tg.createTask(() -> bomb.trigger().await(), "bomb");
                }
                tg.createTask(() -> {
                    for (int i = 0; i < 20; i++) {
                        Asyncio.sleep(0.003);     // injection points while the workers are in their calls
                    }
                }, "w-tick");
                return null;
            });
        } catch (ExceptionGroup g) {
            outcome = g;
        }
        if (bomb != null && bomb.exception() != null) {
            ExceptionGroup g = assertInstanceOf(ExceptionGroup.class, outcome);
            assertEquals(List.of(bomb.exception()), g.exceptions());
        } else if (outcome != null) {
            throw new AssertionError("a worker failed", outcome);
        }
        for (Task<Integer> w : workers) {
            assertTrue(w.isDone(), w.toString());
            assertTrue(w.state() != java.util.concurrent.Future.State.FAILED, w.toString());
            if (hooked.containsKey(w.getName())) {
                assertTrue(w.isCancelled() || w.resultNow() > 0, "a hook ran for " + w + ", neither cancelled nor timed out");
            }
            // at most one hook per request: the timeout's and the injected cancel's (a request that
            // comes after the first hook ended starts it again, harmless once the call has ended)
            assertTrue(hooked.getOrDefault(w.getName(), 0) <= 2, "at most a hook per request: " + hooked);
        }
        // Hook tasks may still be in their cancel's real I/O, which the virtual clock does not
        // wait for (it would jump over any wait for them): wait in real time, a timed JDK park.
        for (long end = System.nanoTime() + 5_000_000_000L; Asyncio.allTasks().size() > 1 && System.nanoTime() < end; ) {
            Thread.sleep(5);
        }
        CancellationHarness.assertNothingLeft(0);
        assertTrue(ToyBackend.usable(a), "connection a");
        assertTrue(ToyBackend.usable(b), "connection b");
        a.close();
        b.close();
    }

    @Test
    void everySuspensionPoint_cancellingBothWorkers_inRegionsUnderTimeoutsInATaskGroup() {
        int points = CancellationHarness.everySuspensionPoint(CancellationHarness.named("w-"), run -> {
            run.onInject(suspended -> {
                for (Task<?> t : Asyncio.allTasks()) {
                    if (t.getName().matches("w-\\d")) {
                        run.cancel(t);        // either may be blocked in its region
                    }
                }
            });
            twoWorkersInAGroup(null);
        });
        assertTrue(points >= 6, "points: " + points);
    }

    @Test
    void everySuspensionPoint_aSiblingFails_theGroupStopsWorkersInRegionsThroughTheirHooks() {
        CancellationHarness.everySuspensionPoint(CancellationHarness.named("w-"),
                run -> twoWorkersInAGroup(run.bomb(true, 10)));
    }

    // ------------------------------------------------------------------ the interrupt-cause rule

    @Test
    void cancellationHandled_thenAGenuineSocketFailure_endsFailed_asInPython() {
        // Python 3.13: a task that catches its CancelledError and then raises
        // ConnectionRefusedError ends with that exception, not cancelled (cancelling() stays 1).
        Asyncio.run(() -> {
            Task<Object> t = ToyBackend.blockedTask(() -> {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException handled) {
                    // the cancellation, delivered and handled; the interrupt is gone
                }
                throw new DriverException("connect failed", new ConnectException("Connection refused"));
            });
            t.cancel();
            DriverException e = assertThrows(DriverException.class, t::await);
            assertFalse(t.isCancelled());
            assertInstanceOf(ConnectException.class, e.getCause());
            return null;
        });
    }

    @Test
    void driversExceptionCaught_theCancellationComesOnceMore_atTheNextAwait_thenNever() {
        // The driver's exception was the cancellation in disguise; a body that did not see
        // through it gets a CancelledException at its next await (not lost), and only there.
        List<String> seen = new CopyOnWriteArrayList<>();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = ToyBackend.blockedTask(() -> {
                    try {
                        c.query("sleep 0");
                    } catch (DriverException e) {
                        seen.add("driver");
                    }
                    for (int i = 0; i < 2; i++) {
                        try {
                            Asyncio.sleep(0.01);
                            seen.add("slept");
                        } catch (CancelledException e) {
                            seen.add("cancelled");
                        }
                    }
                    return "went on";
                });
                t.cancel();
                assertEquals("went on", t.await(), "it swallowed the cancellation and returned: its result (Python)");
            }
            return null;
        });
        assertEquals(List.of("driver", "cancelled", "slept"), seen);
    }

    @Test
    void readTimeout_afterAHandledCancellation_isAFailure() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Asyncio.run(() -> {
                Task<Object> t = ToyBackend.blockedTask(() -> {
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException handled) {
                        // the cancellation, delivered and handled
                    }
                    try (java.net.Socket s = new java.net.Socket(silent.getInetAddress(), silent.getLocalPort())) {
                        s.setSoTimeout(50);
                        return s.getInputStream().read();
                    } catch (java.io.IOException e) {
                        throw new DriverException("read timed out", e);
                    }
                });
                t.cancel();
                DriverException e = assertThrows(DriverException.class, t::await);
                assertInstanceOf(java.net.SocketTimeoutException.class, e.getCause());
                assertFalse(t.isCancelled());
                return null;
            });
        }
    }

    @Test
    void cancellable_underWaitFor_throwsAsyncTimeoutException_connectionSurvives() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                ThrowingRunnable hook = cancelOf(c);
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.waitFor(
                        () -> Asyncio.cancellable(hook, () -> c.query("sleep 0")), Duration.ofMillis(100)));
                assertTrue(ToyBackend.usable(c));
            }
            return null;
        });
    }

    @Test
    void isCancellation_afterUncancel_isFalse_forTheDriversException() {
        AtomicReference<Boolean> before = new AtomicReference<>();
        AtomicReference<Boolean> after = new AtomicReference<>();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = ToyBackend.blockedTask(() -> {
                    try {
                        return c.query("sleep 0");
                    } catch (DriverException e) {
                        before.set(Asyncio.isCancellation(e));
                        Asyncio.currentTask().uncancel();
                        after.set(Asyncio.isCancellation(e));
                        return "handled";
                    }
                });
                t.cancel();
                assertEquals("handled", t.await());
            }
            return null;
        });
        assertTrue(before.get());
        assertFalse(after.get());
    }

    // ------------------------------------------------------------------ caller frames

    static void failInTask() {
        throw new IllegalArgumentException("bad input");
    }

    static final class NoTrace extends RuntimeException {
        NoTrace() {
            super("no trace", null, false, false);
        }
    }

    private static int indexOf(StackTraceElement[] trace, String cls, String method) {
        for (int i = 0; i < trace.length; i++) {
            if (trace[i].getClassName().equals(cls) && trace[i].getMethodName().equals(method)) {
                return i;
            }
        }
        return -1;
    }

    private static Throwable onVirtualThread(Runnable r) throws InterruptedException {
        AtomicReference<Throwable> out = new AtomicReference<>();
        Thread v = Thread.ofVirtual().start(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                out.set(e);
            }
        });
        v.join();
        return out.get();
    }

    static void runFromAVirtualThread() {
        Asyncio.run(BlockingCancellationAdversarialTest::failInTask);
    }

    @Test
    void run_fromAVirtualThread_appendsThatThreadsFrames_notThePlatformHelpers() throws Exception {
        Throwable e = onVirtualThread(BlockingCancellationAdversarialTest::runFromAVirtualThread);
        assertInstanceOf(IllegalArgumentException.class, e);
        StackTraceElement[] trace = e.getStackTrace();
        int marker = indexOf(trace, "asyncio4j.task", "awaitedBy");
        assertTrue(marker > 0, "marker");
        assertTrue(indexOf(trace, getClass().getName(), "runFromAVirtualThread") > marker,
                "the virtual thread's caller frames follow the marker: " + java.util.Arrays.toString(trace));
    }

    static void runUntilCompleteFromAVirtualThread(EventLoop loop, Task<?> t) {
        loop.runUntilComplete(t);
    }

    @Test
    void runUntilComplete_fromAVirtualThread_appendsThatThreadsFrames() throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            Task<Object> t = loop.createTask(() -> {
                failInTask();
                return null;
            });
            Throwable e = onVirtualThread(() -> runUntilCompleteFromAVirtualThread(loop, t));
            assertSame(t.exceptionNow(), e);
            StackTraceElement[] trace = e.getStackTrace();
            int marker = indexOf(trace, "asyncio4j.task", "awaitedBy");
            assertTrue(marker > 0);
            assertTrue(indexOf(trace, getClass().getName(), "runUntilCompleteFromAVirtualThread") > marker,
                    java.util.Arrays.toString(trace));
        } finally {
            loop.close();
        }
    }

    @Test
    void run_exceptionWithoutAWritableTrace_leavesAsItself() {
        NoTrace thrown = new NoTrace();
        NoTrace e = assertThrows(NoTrace.class, () -> Asyncio.run(() -> {
            Asyncio.sleep(0.001);
            throw thrown;
        }));
        assertSame(thrown, e);
        assertEquals(0, e.getStackTrace().length);
    }

    // ------------------------------------------------------------------ thread names

    @Test
    void setName_fromAnotherTask_whileTheTaskIsBlockedInAJdkCall_renamesItsThread_andItsHook() {
        Asyncio.run(() -> {
            BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
            AtomicReference<String> hookName = new AtomicReference<>();
            Task<String> t = ToyBackend.blockedTask(() -> {
                q.take();
                return Asyncio.cancellable(() -> {
                    hookName.set(Thread.currentThread().getName());
                    q.add("done");                        // the library's cancel ends the call
                }, () -> {
                    q.take();
                    return Thread.currentThread().getName();
                });
            });
            t.setName("renamed-while-blocked");
            q.add("go");
            Asyncio.sleep(0.05);
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertEquals("cancel-hook:renamed-while-blocked", hookName.get());
            Task<String> u = ToyBackend.blockedTask(() -> {
                q.take();
                return Thread.currentThread().getName();
            });
            u.setName("second");
            q.add("x");
            assertEquals("second", u.await());
            return null;
        });
    }
}
