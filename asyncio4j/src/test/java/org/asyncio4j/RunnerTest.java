package org.asyncio4j;

import static org.asyncio4j.TestLoops.VC;
import static org.asyncio4j.Asyncio.allTasks;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.toThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of CPython's Lib/test/test_asyncio/test_runners.py, adapted to {@link Asyncio#run}
 * and {@link Runner}.
 */
@Timeout(10)
class RunnerTest {

    // ------------------------------------------------------------------ Asyncio.run

    /** test_runners' test_run_keeps_context: a Runner's runs share one context, the caller's stays as it was. */
    @Test
    void runner_runsShareOneContext_andTheCallersIsLeftAlone() {
        ContextVar<Integer> cv = new ContextVar<>("cv", -1);
        cv.set(0);
        try (Runner r = new Runner()) {
            r.run(() -> {
                assertEquals(0, cv.get());          // a copy of the caller's
                cv.set(1);
            });
            assertEquals(1, r.run(() -> cv.get()));
            Asyncio.run(() -> assertEquals(0, cv.get()));   // another runner: a fresh copy
        }
        assertEquals(0, cv.get());
    }

    @Test
    void run_returnsTheMainBodysValue() {
        assertEquals(42, run(() -> { sleep(1); return 42; }, VC));
        assertEquals("x", run(() -> "x"));
    }

    @Test
    void run_throwingRunnable_runsTheBody() {
        AtomicBoolean ran = new AtomicBoolean();
        run(() -> { sleep(1); ran.set(true); }, VC);
        assertTrue(ran.get());
    }

    @Test
    void run_rethrowsAnUncheckedExceptionAsItself() {
        var boom = new IllegalArgumentException("boom");
        Throwable t = assertThrows(IllegalArgumentException.class, () -> run(() -> { sleep(0.1); throw boom; }, VC));
        assertSame(boom, t);
    }

    @Test
    void run_rethrowsAnErrorAsItself() {
        var err = new AssertionError("error");
        Throwable t = assertThrows(AssertionError.class, () -> run(() -> { throw err; }));
        assertSame(err, t);
    }

    @Test
    void run_wrapsACheckedExceptionInCompletionException() {
        var io = new IOException("io");
        CompletionException ce = assertThrows(CompletionException.class, () -> run(() -> { sleep(0.1); throw io; }, VC));
        assertSame(io, ce.getCause());
    }

    @Test
    void run_mainTask_isNamedTask1_andLaterTasksCountOn() {
        List<String> names = run(() -> {
            Task<String> t = createTask(() -> currentTask().getName());
            return List.of(currentTask().getName(), t.await());
        }, VC);
        assertEquals(List.of("Task-1", "Task-2"), names);
    }

    @Test
    void run_eachCallStartsANewLoop_soMainIsTask1Again() {
        assertEquals("Task-1", run(() -> currentTask().getName()));
        assertEquals("Task-1", run(() -> currentTask().getName()));
    }

    @Test
    void run_insideARunningLoop_throwsIllegalStateException() {
        Throwable t = run(() -> assertThrows(IllegalStateException.class, () -> run(() -> 1)), VC);
        assertInstanceOf(IllegalStateException.class, t);
    }

    @Test
    void run_insideARunningLoop_fromACallback_throwsIllegalStateException() {
        AtomicReference<Throwable> fromCallback = new AtomicReference<>();
        run(() -> {
            getRunningLoop().callSoon(() -> {
                try {
                    run(() -> 1);
                } catch (Throwable e) {
                    fromCallback.set(e);
                }
            });
            sleep(0.1);
        }, VC);
        assertInstanceOf(IllegalStateException.class, fromCallback.get());
    }

    @Test
    void run_cancelsAndAwaitsLeftoverTasks() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Task<?>> leftover = new AtomicReference<>();
        int r = run(() -> {
            leftover.set(createTask(() -> {
                try {
                    sleep(100);
                } catch (CancelledException e) {
                    log.add("cancelled");
                    sleep(1);              // cleanup that suspends: run still waits for it
                    log.add("cleanup done");
                    throw e;
                } finally {
                    log.add("finally");
                }
            }));
            sleep(0.1);                    // let it start
            return 123;
        }, VC);
        assertEquals(123, r);
        assertEquals(List.of("cancelled", "cleanup done", "finally"), log);
        assertTrue(leftover.get().isDone());
        assertTrue(leftover.get().isCancelled());
    }

    @Test
    void run_leftoverCreatedAsMainReturns_isStillCancelled() {
        AtomicReference<Task<?>> leftover = new AtomicReference<>();
        AtomicBoolean finished = new AtomicBoolean();
        run(() -> {
            leftover.set(createTask(() -> { sleep(100); finished.set(true); }));
        }, VC);
        assertTrue(leftover.get().isDone());
        assertTrue(leftover.get().isCancelled());
        assertFalse(finished.get());
    }

    @Test
    void run_allTasks_holdsOnlyMainAtTheEndOfMain_andLeftoversAreCancelledAfterwards() {
        AtomicReference<Set<Task<?>>> seenByLeftover = new AtomicReference<>();
        AtomicReference<Task<?>> leftover = new AtomicReference<>();
        Set<Task<?>> atEnd = run(() -> {
            Task<?> t = createTask(() -> {
                try {
                    sleep(100);
                } finally {
                    seenByLeftover.set(allTasks());
                }
            });
            leftover.set(t);
            sleep(0.1);
            Set<Task<?>> all = allTasks();
            assertEquals(Set.of(currentTask(), t), all);
            return all;
        }, VC);
        assertEquals(2, atEnd.size());
        assertTrue(leftover.get().isCancelled());
        // while the leftover cleaned up, main was already done: it is the only task left
        assertEquals(Set.of(leftover.get()), seenByLeftover.get());
    }

    @Test
    void run_leftoverFailingDuringShutdown_isReportedToTheExceptionHandler() {
        var cleanup = new ArithmeticException("cleanup");
        List<ExceptionContext> reported = Collections.synchronizedList(new ArrayList<>());
        run(() -> {
            getRunningLoop().setExceptionHandler((loop, ctx) -> reported.add(ctx));
            createTask(() -> {
                try {
                    sleep(100);
                } finally {
                    throw cleanup;
                }
            });
            sleep(0.1);
        }, VC);
        assertEquals(1, reported.size());
        assertSame(cleanup, reported.get(0).exception());
        assertNotNull(reported.get(0).future());
    }

    /** A body that catches every cancellation and goes on sleeping; records the loop time it saw last. */
    private static ThrowingRunnable refusing(double[] lastSeen) {
        return () -> {
            while (true) {
                try {
                    lastSeen[0] = getRunningLoop().time();
                    sleep(1);
                } catch (CancelledException refused) {
                    // refuses to end
                }
            }
        };
    }

    @Test
    void run_taskThatRefusesToEnd_doesNotHangRun_isReportedByNameAndStack_andTheLoopClosesAnyway() {
        List<ExceptionContext> reported = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Task<?>> refuser = new AtomicReference<>();
        AtomicReference<EventLoop> loop = new AtomicReference<>();
        double[] lastSeen = {0};
        double[] start = {0};
        int r = run(() -> {
            loop.set(getRunningLoop());
            getRunningLoop().setExceptionHandler((l, ctx) -> reported.add(ctx));
            refuser.set(createTask(refusing(lastSeen), "stubborn"));
            sleep(0);
            start[0] = getRunningLoop().time();
            return 7;
        }, VC);
        assertEquals(7, r);
        assertTrue(loop.get().isClosed());
        assertFalse(refuser.get().isDone(), "the refuser is left behind, pending");
        List<ExceptionContext> refusals = reported.stream().filter(c -> c.future() == refuser.get()).toList();
        assertEquals(1, refusals.size(), reported.toString());
        ExceptionContext c = refusals.get(0);
        assertTrue(c.message().contains("stubborn") && c.message().contains("refused to end"), c.message());
        boolean hasItsFrame = java.util.Arrays.stream(c.exception().getStackTrace())
                .anyMatch(f -> f.getClassName().startsWith(RunnerTest.class.getName()));
        assertTrue(hasItsFrame, "the report carries the refuser's stack: " + java.util.Arrays.toString(c.exception().getStackTrace()));
        // the default grace period is 5 seconds of loop time
        assertTrue(lastSeen[0] - start[0] >= 4 && lastSeen[0] - start[0] < 6, "waited " + (lastSeen[0] - start[0]));
    }

    @Test
    void run_shutdownTimeout_isConfigurable_inLoopTime() {
        double[] lastSeen = {0};
        double[] start = {0};
        run(() -> {
            getRunningLoop().setExceptionHandler((l, ctx) -> { });
            createTask(refusing(lastSeen));
            sleep(0);
            start[0] = getRunningLoop().time();
        }, VC.withShutdownTimeout(java.time.Duration.ofSeconds(60)));
        assertTrue(lastSeen[0] - start[0] >= 59 && lastSeen[0] - start[0] < 61, "waited " + (lastSeen[0] - start[0]));
    }

    @Test
    void runOptions_shutdownTimeout_rejectsNullAndNegative_defaultsToFiveSeconds() {
        assertEquals(java.time.Duration.ofSeconds(5), RunOptions.defaults().shutdownTimeout());
        assertThrows(NullPointerException.class, () -> RunOptions.defaults().withShutdownTimeout(null));
        assertThrows(IllegalArgumentException.class,
                () -> RunOptions.defaults().withShutdownTimeout(java.time.Duration.ofSeconds(-1)));
        RunOptions o = RunOptions.defaults().withShutdownTimeout(java.time.Duration.ZERO).withDebug(true);
        assertEquals(java.time.Duration.ZERO, o.shutdownTimeout());
        assertTrue(o.debug());
    }

    @Test
    void runner_close_withARefuser_reportsItOnce_andClosesTheLoop() {
        List<ExceptionContext> reported = Collections.synchronizedList(new ArrayList<>());
        Runner runner = new Runner(VC);
        EventLoop loop = runner.getLoop();
        loop.setExceptionHandler((l, ctx) -> reported.add(ctx));
        runner.run(() -> {
            createTask(refusing(new double[1]), "stubborn");
            sleep(0);
        });
        runner.close();
        assertTrue(loop.isClosed());
        assertEquals(1, reported.stream().filter(c -> c.message().contains("refused to end")).count(), reported.toString());
    }

    @Test
    void run_shutsTheDefaultExecutorDown() throws InterruptedException {
        AtomicReference<Thread> worker = new AtomicReference<>();
        String r = run(() -> toThread(() -> {
            worker.set(Thread.currentThread());
            return "from thread";
        }));
        assertEquals("from thread", r);
        Thread w = worker.get();
        assertFalse(w.isVirtual());
        w.join(2000);
        assertFalse(w.isAlive(), "the executor's worker thread ended with run()");
    }

    @Test
    void run_withDebugTrue_turnsDebugModeOn() {
        assertTrue(run(() -> getRunningLoop().getDebug(), RunOptions.defaults().withDebug(true)));
        assertFalse(run(() -> getRunningLoop().getDebug()));
        assertFalse(run(() -> getRunningLoop().getDebug(), RunOptions.defaults().withDebug(false)));
    }

    @Test
    void run_closesTheLoop() {
        AtomicReference<EventLoop> loop = new AtomicReference<>();
        run(() -> loop.set(getRunningLoop()), VC);
        assertTrue(loop.get().isClosed());
        assertFalse(loop.get().isRunning());
    }

    @Test
    void run_nullArguments_throwNullPointerException() {
        assertThrows(NullPointerException.class, () -> run((Callable<Object>) null));
        assertThrows(NullPointerException.class, () -> run((ThrowingRunnable) null));
        assertThrows(NullPointerException.class, () -> run(() -> 1, null));
        assertThrows(NullPointerException.class, () -> run((Callable<Object>) null, VC));
        assertThrows(NullPointerException.class, () -> run((ThrowingRunnable) null, VC));
    }

    // ------------------------------------------------------------------ threads

    /** Runs {@code run(main)} on a new platform thread; the outcome is what run threw or returned. */
    private static Thread startRun(Callable<Object> main, AtomicReference<Object> outcome) {
        Thread t = new Thread(() -> {
            try {
                outcome.set(run(main));
            } catch (Throwable e) {
                outcome.set(e);
            }
            Thread.interrupted();   // do not leak a re-asserted interrupt into the outcome checks
        }, "runner-under-test");
        t.start();
        return t;
    }

    @Test
    void interruptingTheThreadRunningRun_whileTheLoopWaits_cancelsTheMainTask() throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicBoolean mainSawCancel = new AtomicBoolean();
        Thread runner = startRun(() -> {
            try {
                sleep(3600);
                return "slept";
            } catch (CancelledException e) {
                mainSawCancel.set(true);
                throw e;
            }
        }, outcome);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (runner.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);    // until the loop thread is idle, waiting for the timer
        }
        runner.interrupt();
        runner.join(5000);
        assertFalse(runner.isAlive(), "run() returned after the interrupt");
        assertInstanceOf(CancelledException.class, outcome.get());
        assertTrue(mainSawCancel.get());
    }

    @Test
    void interruptingTheThreadRunningRun_whileATaskRuns_neverBreaksTheLoop() throws InterruptedException {
        // JDK 25 clears the carrier's interrupt status whenever a virtual thread mounts or
        // unmounts, so an interrupt that lands while a task runs on the loop thread cannot be
        // observed (the Runner Javadoc says so). What must hold: the loop survives it.
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicBoolean interruptSent = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        Thread runner = startRun(() -> {
            running.countDown();
            long until = System.nanoTime() + 5_000_000_000L;
            while (!interruptSent.get() && System.nanoTime() < until) {
                Thread.onSpinWait();    // hold the loop thread: the interrupt lands while this task runs
            }
            sleep(0.05);
            return gather(() -> { sleep(0.01); return 1; }, () -> 2);
        }, outcome);
        assertTrue(running.await(5, TimeUnit.SECONDS));
        runner.interrupt();
        interruptSent.set(true);
        runner.join(5000);
        assertFalse(runner.isAlive(), "run() returned");
        Object o = outcome.get();
        assertTrue(o instanceof CancelledException || List.of(1, 2).equals(o),
                "run() either finished normally or was cancelled, never broken: " + o);
    }

    @Test
    void cancellingTheMainTaskFromAnotherThread_throughCallSoonThreadsafe_isReliable() throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicReference<Task<?>> main = new AtomicReference<>();
        AtomicReference<EventLoop> loop = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        Thread runner = startRun(() -> {
            main.set(currentTask());
            loop.set(getRunningLoop());
            running.countDown();
            long until = System.nanoTime() + 200_000_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();    // busy in a task step when the request arrives
            }
            sleep(3600);
            return "slept";
        }, outcome);
        assertTrue(running.await(5, TimeUnit.SECONDS));
        loop.get().callSoonThreadsafe(() -> main.get().cancel("stop"));
        runner.join(5000);
        assertFalse(runner.isAlive(), "run() returned after the cancel");
        CancelledException e = assertInstanceOf(CancelledException.class, outcome.get());
        assertEquals("stop", e.getMessage());
    }

    @Test
    void run_fromAVirtualThread_works() throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread vt = Thread.ofVirtual().start(() -> {
            try {
                outcome.set(run(() -> {
                    Task<Integer> t = createTask(() -> { sleep(1); return 20; });
                    sleep(1);
                    return currentTask().getName() + ":" + (t.await() + 1);
                }, VC));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        vt.join(5000);
        assertFalse(vt.isAlive());
        assertEquals("Task-1:21", outcome.get());
    }

    @Test
    void run_fromAVirtualThread_rethrowsTheBodysException() throws InterruptedException {
        var boom = new IllegalStateException("boom");
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread vt = Thread.ofVirtual().start(() -> {
            try {
                outcome.set(run(() -> { sleep(0.1); throw boom; }, VC));
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        vt.join(5000);
        assertSame(boom, outcome.get());
    }

    // ------------------------------------------------------------------ Runner

    @Test
    void runner_runsSeveralBodiesOnTheSameLoop() {
        try (var runner = new Runner(VC)) {
            EventLoop loop = runner.getLoop();
            AtomicReference<Task<Integer>> carried = new AtomicReference<>();
            EventLoop first = runner.run(() -> {
                carried.set(createTask(() -> { sleep(5); return 7; }));
                return getRunningLoop();
            });
            EventLoop second = runner.run(() -> getRunningLoop());
            int fromFirst = runner.run(() -> carried.get().await());   // tasks survive between runs
            assertSame(loop, first);
            assertSame(loop, second);
            assertSame(loop, runner.getLoop());
            assertEquals(7, fromFirst);
            assertFalse(loop.isClosed());
            assertFalse(loop.isRunning());
        }
    }

    @Test
    void runner_rethrowsExceptions_likeRun() {
        try (var runner = new Runner(VC)) {
            var boom = new IllegalArgumentException("boom");
            var io = new IOException("io");
            assertSame(boom, assertThrows(IllegalArgumentException.class, () -> runner.run(() -> { throw boom; })));
            assertSame(io, assertThrows(CompletionException.class, () -> runner.run(() -> { throw io; })).getCause());
            assertEquals("still usable", runner.run(() -> "still usable"));
        }
    }

    @Test
    void runner_close_isIdempotent_andClosesTheLoop() {
        var runner = new Runner(VC);
        EventLoop loop = runner.getLoop();
        runner.run(() -> sleep(1));
        runner.close();
        runner.close();
        assertTrue(loop.isClosed());
    }

    @Test
    void runner_close_cancelsLeftoverTasks() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Task<?>> leftover = new AtomicReference<>();
        var runner = new Runner(VC);
        runner.run(() -> {
            leftover.set(createTask(() -> {
                try {
                    sleep(100);
                } catch (CancelledException e) {
                    cancelled.set(true);
                    throw e;
                }
            }));
            sleep(0.1);
        });
        assertFalse(leftover.get().isDone(), "a Runner keeps tasks between runs");
        runner.close();
        assertTrue(cancelled.get());
        assertTrue(leftover.get().isCancelled());
    }

    @Test
    void runner_closeWithoutAnyRun_doesNothingHarmful() {
        var runner = new Runner();
        runner.close();
        runner.close();
        assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
    }

    @Test
    void runner_runAfterClose_throwsIllegalStateException() {
        var runner = new Runner(VC);
        runner.run(() -> 1);
        runner.close();
        assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
        assertThrows(IllegalStateException.class, () -> runner.run(() -> sleep(0)));
        assertThrows(IllegalStateException.class, runner::getLoop);
    }

    @Test
    void runner_runFromInsideATask_throwsIllegalStateException() {
        try (var outer = new Runner(VC); var inner = new Runner(VC)) {
            Throwable t = outer.run(() -> assertThrows(IllegalStateException.class, () -> inner.run(() -> 1)));
            assertInstanceOf(IllegalStateException.class, t);
            // the runner's own loop is running too: re-entering it is also refused
            Throwable self = outer.run(() -> assertThrows(IllegalStateException.class, () -> outer.run(() -> 1)));
            assertInstanceOf(IllegalStateException.class, self);
        }
    }

    @Test
    void runner_withDebug_turnsDebugModeOn() {
        try (var runner = new Runner(RunOptions.defaults().withDebug(true))) {
            assertTrue(runner.run(() -> getRunningLoop().getDebug()));
            assertTrue(runner.getLoop().getDebug());
        }
    }

    @Test
    void runner_nullArguments_throwNullPointerException() {
        assertThrows(NullPointerException.class, () -> new Runner(null));
        try (var runner = new Runner(VC)) {
            assertThrows(NullPointerException.class, () -> runner.run((Callable<Object>) null));
            assertThrows(NullPointerException.class, () -> runner.run((ThrowingRunnable) null));
        }
    }

    @Test
    void runner_mainTasksOfSuccessiveRuns_getIncreasingNames() {
        try (var runner = new Runner(VC)) {
            String a = runner.run(() -> currentTask().getName());
            String b = runner.run(() -> currentTask().getName());
            assertEquals("Task-1", a);
            assertEquals("Task-2", b);
        }
    }
}
