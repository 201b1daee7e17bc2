package org.asyncio4j;

import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event loop, ported from CPython's Lib/test/test_asyncio/test_events.py and
 * test_base_events.py. Skipped (Python-only or not in the API): loop policies and
 * get_event_loop, signal handlers, add_reader/add_writer, sockets/create_connection/
 * create_server (streams are tested elsewhere), subprocess transports, the selector internals,
 * set_task_factory, contextvars passed to callbacks, handle __repr__ formats, the asyncgen
 * shutdown hooks, and run_in_executor with a ProcessPoolExecutor.
 */
@Timeout(20)
class EventLoopTest {

    @RegisterExtension
    final ClosingLoops loops = new ClosingLoops();

    private EventLoop newLoop() {
        return loops.newLoop();
    }

    private EventLoop newVirtualClockLoop() {
        return loops.newVirtualClockLoop();
    }

    // ------------------------------------------------------------------ callSoon

    @Test
    void callSoon_runsCallbacksInFifoOrder() {
        EventLoop loop = newLoop();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.callSoon(() -> out.add(n));
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, out);
    }

    @Test
    void callSoon_fromCallback_runsInNextIteration_afterAlreadyReadyOnes() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        loop.callSoon(() -> {
            out.add("a");
            loop.callSoon(() -> {
                out.add("c");
                loop.stop();
            });
        });
        loop.callSoon(() -> out.add("b"));
        loop.runForever();
        assertEquals(List.of("a", "b", "c"), out);
    }

    @Test
    void stop_fromCallback_letsAlreadyScheduledCallbacksRun_thenReturns() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        loop.callSoon(() -> {
            out.add("stop");
            loop.stop();
            loop.callSoon(() -> out.add("next run"));
        });
        loop.callSoon(() -> out.add("same iteration"));
        loop.runForever();
        assertEquals(List.of("stop", "same iteration"), out);
        assertFalse(loop.isRunning());
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of("stop", "same iteration", "next run"), out);
    }

    @Test
    void handleCancel_preventsTheCallbackFromRunning() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        Handle h = loop.callSoon(() -> out.add("cancelled soon"));
        TimerHandle t = loop.callLater(0.01, () -> out.add("cancelled later"));
        loop.callSoon(() -> out.add("kept"));
        h.cancel();
        t.cancel();
        assertTrue(h.isCancelled());
        assertTrue(t.isCancelled());
        loop.callLater(0.05, loop::stop);
        loop.runForever();
        assertEquals(List.of("kept"), out);
    }

    @Test
    void handleCancel_fromEarlierCallbackOfSameIteration_preventsIt() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        Handle[] second = new Handle[1];
        loop.callSoon(() -> second[0].cancel());
        second[0] = loop.callSoon(() -> out.add("second"));
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of(), out);
    }

    // ------------------------------------------------------------------ timers and clock

    @Test
    void callLaterAndCallAt_runOrderedByTime_fifoAtEqualTimes() {
        EventLoop loop = newVirtualClockLoop();
        List<String> out = new ArrayList<>();
        double now = loop.time();
        loop.callLater(0.3, () -> out.add("0.3"));
        loop.callLater(0.1, () -> out.add("0.1"));
        loop.callLater(0.2, () -> out.add("0.2-first"));
        loop.callAt(now + 0.05, () -> out.add("at-0.05"));
        loop.callLater(Duration.ofMillis(200), () -> out.add("0.2-second"));
        loop.callLater(0.2, () -> out.add("0.2-third"));
        loop.callLater(0.0, () -> out.add("zero"));
        loop.callLater(0.4, loop::stop);
        loop.runForever();
        assertEquals(List.of("zero", "at-0.05", "0.1", "0.2-first", "0.2-second", "0.2-third", "0.3"), out);
        assertTrue(loop.time() >= now + 0.4);
    }

    @Test
    void callAt_sameTime_keepsSchedulingOrder_forManyCallbacks() {
        EventLoop loop = newVirtualClockLoop();
        List<Integer> out = new ArrayList<>();
        double when = loop.time() + 1;
        for (int i = 0; i < 500; i++) {
            int n = i;
            loop.callAt(when, () -> out.add(n));
        }
        loop.callAt(when + 1, loop::stop);
        loop.runForever();
        assertEquals(500, out.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(i, out.get(i));
        }
    }

    @Test
    void callLater_realClock_waitsAtLeastTheDelay() {
        EventLoop loop = newLoop();
        double[] ranAt = new double[1];
        double t0 = loop.time();
        loop.callLater(0.05, () -> {
            ranAt[0] = loop.time();
            loop.stop();
        });
        loop.runForever();
        assertTrue(ranAt[0] - t0 >= 0.049, "ran after " + (ranAt[0] - t0));
    }

    @Test
    void timerHandle_when_isTheScheduledLoopTime() {
        EventLoop loop = newVirtualClockLoop();
        double now = loop.time();
        TimerHandle at = loop.callAt(now + 12.5, () -> { });
        assertEquals(now + 12.5, at.when(), 1e-6);
        TimerHandle later = loop.callLater(2.0, () -> { });
        assertEquals(now + 2.0, later.when(), 1e-6);
        TimerHandle d = loop.callLater(Duration.ofMillis(1500), () -> { });
        assertEquals(now + 1.5, d.when(), 1e-6);
    }

    @Test
    void time_isMonotonic() {
        EventLoop loop = newLoop();
        double prev = loop.time();
        for (int i = 0; i < 10_000; i++) {
            double t = loop.time();
            assertTrue(t >= prev, t + " < " + prev);
            prev = t;
        }
        List<Double> inLoop = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            loop.callLater(0.002 * i, () -> inLoop.add(loop.time()));
        }
        loop.callLater(0.02, loop::stop);
        loop.runForever();
        for (int i = 1; i < inLoop.size(); i++) {
            assertTrue(inLoop.get(i) >= inLoop.get(i - 1));
        }
        assertTrue(loop.time() >= prev);
    }

    @Test
    void callLater_hugeDelay_doesNotOverflow_andDoesNotRun() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        TimerHandle h1 = loop.callLater(1e300, () -> out.add("1e300"));
        TimerHandle h2 = loop.callLater(Double.MAX_VALUE, () -> out.add("max"));
        TimerHandle h3 = loop.callLater(Double.POSITIVE_INFINITY, () -> out.add("inf"));
        TimerHandle h4 = loop.callLater(Duration.ofSeconds(Long.MAX_VALUE), () -> out.add("duration"));
        TimerHandle h5 = loop.callLater(-1e300, () -> out.add("very negative"));
        for (TimerHandle h : List.of(h1, h2, h3, h4)) {
            assertTrue(h.when() > loop.time() + 1e6, "when=" + h.when());
        }
        assertTrue(h5.when() <= loop.time());
        loop.callLater(0.05, loop::stop);
        loop.runForever();
        assertEquals(List.of("very negative"), out);
    }

    @Test
    void virtualClock_sleepOfAnHour_runsInstantly_andTimeAdvances() {
        long wall0 = System.nanoTime();
        double[] times = new double[2];
        try (Runner runner = new Runner(RunOptions.defaults().withVirtualClock(true))) {
            runner.run(() -> {
                times[0] = getRunningLoop().time();
                sleep(3600);
                times[1] = getRunningLoop().time();
            });
        }
        assertTrue(times[1] - times[0] >= 3600, "advanced " + (times[1] - times[0]));
        assertTrue(times[1] - times[0] < 3601, "advanced " + (times[1] - times[0]));
        assertTrue(System.nanoTime() - wall0 < TimeUnit.SECONDS.toNanos(5), "took real time");
    }

    @Test
    void virtualClock_taskInThreadSleep_isOffLoopWork_soWaitForAroundItReturnsTheValue() {
        int v = TestLoops.runVc(() -> Asyncio.waitFor(() -> {
            Thread.sleep(100);
            return 1;
        }, Duration.ofSeconds(10)));
        assertEquals(1, v);
    }

    @Test
    void virtualClock_taskInTimedParkOrTimedPoll_isOffLoopWork_soWaitForAroundItReturnsTheValue() {
        String v = TestLoops.runVc(() -> Asyncio.waitFor(() -> {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            String polled = new java.util.concurrent.LinkedBlockingQueue<String>().poll(100, TimeUnit.MILLISECONDS);
            return "parked, polled " + polled;
        }, Duration.ofSeconds(10)));
        assertEquals("parked, polled null", v);
    }

    @Test
    @Tag("fast-only")   // a JDK wait on another task
    void virtualClock_taskInUntimedJdkWait_onAnotherTask_isNotOffLoopWork_soTheClockStillJumps() {
        long wall0 = System.nanoTime();
        String v = TestLoops.runVc(() -> {
            java.util.concurrent.SynchronousQueue<String> q = new java.util.concurrent.SynchronousQueue<>();
            Task<String> taker = Asyncio.createTask(() -> q.take());
            Asyncio.sleep(0);                 // the taker parks, untimed, in a JDK wait
            sleep(3600);                      // nothing but timers and that park: the clock jumps
            q.put("after an hour");
            return taker.await();
        });
        assertEquals("after an hour", v);
        assertTrue(System.nanoTime() - wall0 < TimeUnit.SECONDS.toNanos(10), "took real time");
    }

    // ------------------------------------------------------------------ threads

    @Test
    void callSoonThreadsafe_fromManyThreads_allRunExactlyOnce_perThreadOrderPreserved_wakingIdleLoop()
            throws InterruptedException {
        EventLoop loop = newLoop();
        int threads = 8, perThread = 2000;
        int[][] seen = new int[threads][perThread];
        int[] last = new int[threads];
        java.util.Arrays.fill(last, -1);
        List<String> orderViolations = new ArrayList<>();
        int[] total = {0};
        Thread loopThread = Thread.currentThread();
        AtomicInteger offLoop = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tid = t;
            producers.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    Thread.sleep(100);          // the loop is idle (parked) by now
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    loop.callSoonThreadsafe(() -> {
                        if (Thread.currentThread() != loopThread) {
                            offLoop.incrementAndGet();
                        }
                        seen[tid][n]++;
                        if (n <= last[tid]) {
                            orderViolations.add(tid + ":" + n + " after " + last[tid]);
                        }
                        last[tid] = n;
                        if (++total[0] == threads * perThread) {
                            loop.stop();
                        }
                    });
                }
            }));
        }
        loop.callSoon(go::countDown);
        loop.runForever();
        for (Thread p : producers) {
            p.join();
        }
        assertEquals(threads * perThread, total[0]);
        assertEquals(List.of(), orderViolations);
        assertEquals(0, offLoop.get());
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertEquals(1, seen[t][i], "callback " + t + ":" + i);
            }
        }
    }

    @Test
    void callSoonThreadsafe_wakesLoopIdleWithoutTimers() throws InterruptedException {
        EventLoop loop = newLoop();
        AtomicReference<String> ran = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            loop.callSoonThreadsafe(() -> {
                ran.set(Thread.currentThread().getName());
                loop.stop();
            });
        });
        loop.runForever();     // nothing scheduled: it must sleep until the foreign call
        t.join();
        assertEquals(Thread.currentThread().getName(), ran.get());
    }

    @Test
    void loopConfinedOperations_fromForeignThreadWhileRunning_throwIllegalStateException() {
        EventLoop loop = newLoop();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<String> ran = new ArrayList<>();
        loop.runUntilComplete(() -> {
            Asyncio.toThread(() -> {
                for (Runnable op : List.<Runnable>of(
                        () -> loop.callSoon(() -> ran.add("callSoon")),
                        () -> loop.callLater(0, () -> ran.add("callLater")),
                        () -> loop.callAt(0, () -> ran.add("callAt")),
                        () -> loop.createTask(() -> ran.add("createTask")))) {
                    try {
                        op.run();
                        errors.add(null);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }
            });
            sleep(0.02);
        });
        assertEquals(4, errors.size());
        for (Throwable e : errors) {
            assertInstanceOf(IllegalStateException.class, e);
        }
        assertEquals(List.of(), ran);
    }

    // ------------------------------------------------------------------ run / stop / close

    @Test
    void runUntilComplete_onFutureOfAnotherLoop_throwsIllegalStateException() {
        EventLoop a = newLoop();
        EventLoop b = newLoop();
        Future<Integer> fb = b.createFuture();
        assertThrows(IllegalStateException.class, () -> a.runUntilComplete(fb));
        assertFalse(a.isRunning());
    }

    @Test
    void runUntilComplete_returnsResult_andThrowsTheFuturesException() {
        EventLoop loop = newLoop();
        assertEquals(5, loop.runUntilComplete(() -> 5));
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> {
            throw boom;
        })));
        Future<String> f = loop.createFuture();
        loop.callLater(0.01, () -> f.setResult("later"));
        assertEquals("later", loop.runUntilComplete(f));
    }

    @Test
    void runUntilComplete_whenAlreadyRunning_throwsIllegalStateException() {
        EventLoop loop = newLoop();
        AtomicReference<Throwable> fromCallback = new AtomicReference<>();
        AtomicReference<Throwable> fromTask = new AtomicReference<>();
        loop.runUntilComplete(() -> {
            Future<Integer> other = loop.createFuture();
            Future<Void> done = loop.createFuture();
            loop.callSoon(() -> {
                try {
                    loop.runUntilComplete(other);
                } catch (Throwable e) {
                    fromCallback.set(e);
                }
                done.setResult(null);
            });
            done.await();
            try {
                loop.runUntilComplete(() -> 1);
            } catch (Throwable e) {
                fromTask.set(e);
            }
        });
        assertInstanceOf(IllegalStateException.class, fromCallback.get());
        assertInstanceOf(IllegalStateException.class, fromTask.get());
    }

    @Test
    void stop_beforeRunForever_makesItReturnAfterOneIteration() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        loop.callSoon(() -> out.add("ran"));
        loop.stop();
        loop.runForever();
        assertEquals(List.of("ran"), out);
        assertFalse(loop.isRunning());
    }

    @Test
    void runForever_nested_throwsIllegalStateException() {
        EventLoop loop = newLoop();
        AtomicReference<Throwable> err = new AtomicReference<>();
        loop.callSoon(() -> {
            assertTrue(loop.isRunning());
            try {
                loop.runForever();
            } catch (Throwable e) {
                err.set(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertInstanceOf(IllegalStateException.class, err.get());
    }

    @Test
    void close_onRunningLoop_throwsIllegalStateException() {
        EventLoop loop = newLoop();
        AtomicReference<Throwable> err = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                loop.close();
            } catch (Throwable e) {
                err.set(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertInstanceOf(IllegalStateException.class, err.get());
        assertFalse(loop.isClosed());
    }

    @Test
    void closedLoop_rejectsOperations() {
        EventLoop loop = newLoop();
        loop.close();
        assertTrue(loop.isClosed());
        assertThrows(IllegalStateException.class, () -> loop.callSoon(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callLater(1, () -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callAt(1, () -> { }));
        assertThrows(IllegalStateException.class, () -> loop.createTask(() -> 1));
        assertThrows(IllegalStateException.class, () -> loop.createFuture());
        assertThrows(IllegalStateException.class, loop::runForever);
        assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(() -> 1));
        assertThrows(IllegalStateException.class, () -> loop.runInExecutor(null, () -> 1));
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }

    @Test
    void close_cancelsPendingTasks_andTheirFinallyBlocksRun() {
        EventLoop loop = newLoop();
        List<String> out = new ArrayList<>();
        Task<Void> sleeper = loop.createTask(() -> {
            try {
                sleep(3600);
                out.add("woke");
            } finally {
                out.add("finally");
            }
        });
        Task<Void> neverStarted = loop.createTask(() -> {
            out.add("never started ran");
        });
        neverStarted.cancel();
        loop.runUntilComplete(() -> sleep(0));   // lets the sleeper start
        assertFalse(sleeper.isDone());
        loop.close();
        assertTrue(sleeper.isCancelled());
        assertTrue(neverStarted.isCancelled());
        assertEquals(List.of("finally"), out);
    }

    @Test
    void close_twice_isFine() {
        EventLoop loop = newLoop();
        loop.close();
        assertDoesNotThrow(loop::close);
        assertTrue(loop.isClosed());
    }

    // ------------------------------------------------------------------ exception handler

    @Test
    void exceptionHandler_receivesContextWithExceptionAndHandle_andLoopKeepsRunning() {
        EventLoop loop = newLoop();
        List<ExceptionContext> reports = new ArrayList<>();
        List<EventLoop> reportingLoops = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> {
            reportingLoops.add(l);
            reports.add(ctx);
        });
        RuntimeException boom = new RuntimeException("boom");
        List<String> out = new ArrayList<>();
        Handle h = loop.callSoon(() -> {
            throw boom;
        });
        loop.callSoon(() -> out.add("after"));
        loop.callLater(0.01, () -> out.add("timer after"));
        loop.callLater(0.02, loop::stop);
        loop.runForever();
        assertEquals(List.of("after", "timer after"), out);
        assertEquals(1, reports.size());
        ExceptionContext ctx = reports.get(0);
        assertSame(boom, ctx.exception());
        assertSame(h, ctx.handle());
        assertNotNull(ctx.message());
        assertSame(loop, reportingLoops.get(0));
    }

    @Test
    void exceptionHandler_receivesFailingTimerCallback() {
        EventLoop loop = newLoop();
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> reports.add(ctx));
        IllegalStateException boom = new IllegalStateException("timer boom");
        TimerHandle h = loop.callLater(0.001, () -> {
            throw boom;
        });
        loop.callLater(0.02, loop::stop);
        loop.runForever();
        assertEquals(1, reports.size());
        assertSame(boom, reports.get(0).exception());
        assertSame(h, reports.get(0).handle());
    }

    @Test
    void defaultExceptionHandler_doesNotCrashTheLoop() {
        EventLoop loop = newLoop();
        assertNull(loop.getExceptionHandler());
        List<String> out = new ArrayList<>();
        loop.callSoon(() -> {
            throw new RuntimeException("logged by the default handler (expected in test output)");
        });
        loop.callSoon(() -> out.add("after"));
        loop.callSoon(loop::stop);
        assertDoesNotThrow(loop::runForever);
        assertEquals(List.of("after"), out);
        assertDoesNotThrow(() -> loop.callExceptionHandler(
                new ExceptionContext("a direct report (expected in test output)", null, null, null)));
    }

    @Test
    void setExceptionHandler_null_restoresDefault() {
        EventLoop loop = newLoop();
        List<ExceptionContext> reports = new ArrayList<>();
        ExceptionHandler handler = (l, ctx) -> reports.add(ctx);
        loop.setExceptionHandler(handler);
        assertSame(handler, loop.getExceptionHandler());
        loop.setExceptionHandler(null);
        assertNull(loop.getExceptionHandler());
        loop.callSoon(() -> {
            throw new RuntimeException("to the default handler (expected in test output)");
        });
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of(), reports);
    }

    @Test
    void callExceptionHandler_withThrowingHandler_doesNotKillTheLoop() {
        EventLoop loop = newLoop();
        AtomicInteger calls = new AtomicInteger();
        loop.setExceptionHandler((l, ctx) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("handler fails (expected in test output)");
        });
        List<String> out = new ArrayList<>();
        loop.callSoon(() -> {
            throw new RuntimeException("callback fails");
        });
        loop.callSoon(() -> out.add("after"));
        loop.callSoon(() -> loop.callExceptionHandler(new ExceptionContext("direct", null, null, null)));
        loop.callSoon(() -> out.add("after direct"));
        loop.callSoon(loop::stop);
        assertDoesNotThrow(loop::runForever);
        assertEquals(List.of("after", "after direct"), out);
        assertEquals(2, calls.get());
    }

    @Test
    void exceptionContext_requiresMessage() {
        assertThrows(NullPointerException.class, () -> new ExceptionContext(null, null, null, null));
    }

    // ------------------------------------------------------------------ executors

    @Test
    void runInExecutor_withCustomExecutor_runsThereAndReturnsResult() {
        EventLoop loop = newLoop();
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "custom-executor-thread"));
        try {
            String name = loop.runUntilComplete(() ->
                    loop.runInExecutor(ex, () -> Thread.currentThread().getName()).await());
            assertEquals("custom-executor-thread", name);
            IllegalArgumentException boom = new IllegalArgumentException("in executor");
            assertSame(boom, assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(() ->
                    loop.runInExecutor(ex, () -> {
                        throw boom;
                    }).await())));
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void runInExecutor_withNull_usesDefaultExecutorOffTheLoop() {
        EventLoop loop = newLoop();
        Thread loopThread = Thread.currentThread();
        Thread[] ran = new Thread[1];
        int v = loop.runUntilComplete(() -> loop.runInExecutor(null, () -> {
            ran[0] = Thread.currentThread();
            return 41 + 1;
        }).await());
        assertEquals(42, v);
        assertNotNull(ran[0]);
        assertNotEquals(loopThread, ran[0]);
        assertFalse(ran[0].isVirtual());
    }

    @Test
    void runInExecutor_callsRunConcurrently() {
        EventLoop loop = newLoop();
        long t0 = System.nanoTime();
        List<Integer> vs = loop.runUntilComplete(() -> {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                fs.add(loop.runInExecutor(null, () -> {
                    Thread.sleep(500);
                    return n;
                }));
            }
            return Asyncio.gather(fs);
        });
        assertEquals(List.of(0, 1, 2, 3), vs);
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1800), "not concurrent");
    }

    @Test
    void setDefaultExecutor_isUsedByRunInExecutorAndToThread() {
        EventLoop loop = newLoop();
        ExecutorService ex = Executors.newFixedThreadPool(2, r -> new Thread(r, "my-default"));
        try {
            loop.setDefaultExecutor(ex);
            List<String> names = loop.runUntilComplete(() -> List.of(
                    loop.runInExecutor(null, () -> Thread.currentThread().getName()).await(),
                    Asyncio.toThread(() -> Thread.currentThread().getName())));
            assertEquals(List.of("my-default", "my-default"), names);
            assertThrows(NullPointerException.class, () -> loop.setDefaultExecutor(null));
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void shutdownDefaultExecutor_thenRunInExecutorNull_throwsIllegalStateException() {
        EventLoop loop = newLoop();
        Throwable err = loop.runUntilComplete(() -> {
            assertEquals(1, loop.runInExecutor(null, () -> 1).await());
            loop.shutdownDefaultExecutor();
            try {
                loop.runInExecutor(null, () -> 2);
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertInstanceOf(IllegalStateException.class, err);
    }

    // ------------------------------------------------------------------ debug mode

    private static void busyWait(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static void busyMethodInTask() {
        // Long past the slow duration (50 ms): the watch samples once the step is slow, and on
        // a loaded machine its thread may wake late; the window must outlast that.
        busyWait(400);
    }

    @Test
    void debugMode_reportsSlowCallbackAndSlowTaskStep_withTaskNameAndStack() {
        EventLoop loop = newLoop();
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> reports.add(ctx));
        loop.setDebug(true);
        assertTrue(loop.getDebug());
        loop.setSlowCallbackDuration(Duration.ofMillis(50));
        loop.runUntilComplete(() -> {
            Future<Void> done = loop.createFuture();
            loop.callSoon(() -> {
                busyWait(120);
                done.setResult(null);
            });
            done.await();
            Task<Void> slow = loop.createTask(() -> {
                sleep(0);
                busyMethodInTask();
            }, "the-slow-task");
            slow.await();
            loop.createTask(() -> sleep(0.001), "a-quick-task").await();
        });
        List<String> messages = reports.stream().map(ExceptionContext::message).toList();
        assertTrue(reports.stream().anyMatch(c -> c.future() == null && c.message().contains("took")),
                "no slow-callback report: " + messages);
        ExceptionContext taskReport = reports.stream()
                .filter(c -> c.message().contains("the-slow-task"))
                .findFirst().orElse(null);
        assertNotNull(taskReport, "no slow-step report naming the task: " + messages);
        assertTrue(taskReport.message().contains("busyMethodInTask"),
                "the report has no stack frame of the busy method: " + taskReport.message());
        assertTrue(reports.stream().noneMatch(c -> c.message().contains("a-quick-task")), messages.toString());
    }

    @Test
    void setSlowCallbackDuration_rejectsNullAndNegative() {
        EventLoop loop = newLoop();
        assertThrows(NullPointerException.class, () -> loop.setSlowCallbackDuration(null));
        assertThrows(IllegalArgumentException.class, () -> loop.setSlowCallbackDuration(Duration.ofMillis(-1)));
    }

    // ------------------------------------------------------------------ argument checks

    @Test
    void nanDelays_throwIllegalArgumentException() {
        EventLoop loop = newLoop();
        assertThrows(IllegalArgumentException.class, () -> loop.callLater(Double.NaN, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> loop.callAt(Double.NaN, () -> { }));
        Throwable fromSleep = loop.runUntilComplete(() -> {
            try {
                sleep(Double.NaN);
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertInstanceOf(IllegalArgumentException.class, fromSleep);
    }

    @Test
    void nullCallbacks_throwNullPointerException() {
        EventLoop loop = newLoop();
        assertThrows(NullPointerException.class, () -> loop.callSoon(null));
        assertThrows(NullPointerException.class, () -> loop.callSoonThreadsafe(null));
        assertThrows(NullPointerException.class, () -> loop.callLater(1.0, null));
        assertThrows(NullPointerException.class, () -> loop.callLater(Duration.ofSeconds(1), null));
        assertThrows(NullPointerException.class, () -> loop.callLater((Duration) null, () -> { }));
        assertThrows(NullPointerException.class, () -> loop.callAt(1.0, null));
        assertThrows(NullPointerException.class, () -> loop.execute(null));
        assertThrows(NullPointerException.class, () -> loop.createTask((Callable<Integer>) null));
        assertThrows(NullPointerException.class, () -> loop.createTask((ThrowingRunnable) null));
        assertThrows(NullPointerException.class, () -> loop.runInExecutor(null, null));
        assertThrows(NullPointerException.class, () -> loop.callExceptionHandler(null));
    }

    // ------------------------------------------------------------------ misc

    @Test
    void execute_runsCommandOnTheLoop_fromAnyThread() throws Exception {
        EventLoop loop = newLoop();
        Thread loopThread = Thread.currentThread();
        ConcurrentLinkedQueue<Thread> ran = new ConcurrentLinkedQueue<>();
        Thread t = Thread.ofPlatform().start(() -> loop.execute(() -> {
            ran.add(Thread.currentThread());
            loop.stop();
        }));
        loop.runForever();
        t.join();
        assertEquals(List.of(loopThread), new ArrayList<>(ran));
    }

    @Test
    void isRunning_isTrueOnlyWhileRunning() {
        EventLoop loop = newLoop();
        assertFalse(loop.isRunning());
        boolean inside = loop.runUntilComplete(() -> loop.isRunning());
        assertTrue(inside);
        assertFalse(loop.isRunning());
    }

    @Test
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a regression hangs the loop thread
    void runUntilComplete_onAFutureAlreadyDone_returnsItsResultAtOnce() {
        // Regression: with no callback to stop it, the loop ran forever.
        try (EventLoop loop = Asyncio.newEventLoop()) {
            Future<String> f = loop.createFuture();
            f.setResult("done");
            assertEquals("done", loop.runUntilComplete(f));
        }
    }
}
