package org.asyncio4j;

import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gather, gatherSettled, wait, asCompleted, shield, toThread and the interop helpers, ported from
 * the corresponding behaviours of CPython's Lib/test/test_asyncio/test_tasks.py (GatherTests,
 * test_wait_*, test_as_completed_*, test_shield_*, test_to_thread_*,
 * RunCoroutineThreadsafeTests) and test_futures.py's wrap_future tests.
 */
@Timeout(20)
class GatherWaitTest {

    private static double now() {
        return getRunningLoop().time();
    }

    private static <T> Callable<T> after(double seconds, T value) {
        return () -> {
            sleep(seconds);
            return value;
        };
    }

    private static <T> Callable<T> failAfter(double seconds, RuntimeException e) {
        return () -> {
            sleep(seconds);
            throw e;
        };
    }

    // ------------------------------------------------------------------ gather

    @Test
    void gather_returnsResultsInArgumentOrder_notCompletionOrder() {
        List<String> r = runVc(() -> {
            double t0 = now();
            List<String> out = gather(after(3, "a"), after(1, "b"), after(2, "c"));
            assertEquals(3, now() - t0, 0.1, "the bodies ran concurrently");
            return out;
        });
        assertEquals(List.of("a", "b", "c"), r);
    }

    @Test
    void gather_ofFuturesAndCollection_returnsResultsInOrder() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Integer> t = createTask(after(1, 2));
            getRunningLoop().callLater(2, () -> f.setResult(1));
            assertEquals(List.of(1, 2), gather(f, t));
            assertEquals(List.of(2, 1), gather(List.of(t, f)));
        });
    }

    @Test
    void gather_firstFailure_isThrownAtOnce_andOthersKeepRunning() {
        runVc(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<String> slow = createTask(after(5, "slow"));
            Task<String> failing = createTask(failAfter(1, boom));
            Task<String> fast = createTask(after(0.5, "fast"));
            double t0 = now();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> gather(slow, failing, fast));
            assertSame(boom, e);
            assertEquals(1, now() - t0, 0.1, "thrown at the first failure, not at the end");
            assertFalse(slow.isDone());
            assertFalse(slow.isCancelled());
            assertEquals("slow", slow.await(), "the other children were not cancelled");
            assertEquals("fast", fast.resultNow());
        });
    }

    @Test
    void gather_failureOfCheckedException_isWrappedInCompletionException() {
        runVc(() -> {
            Task<Object> t = createTask(() -> {
                sleep(0.1);
                throw new IOException("io");
            });
            CompletionException e = assertThrows(CompletionException.class, () -> gather(t));
            assertInstanceOf(IOException.class, e.getCause());
        });
    }

    @Test
    void gather_ofEmptyList_returnsEmptyList() {
        runVc(() -> {
            assertEquals(List.of(), gather(List.<Future<Object>>of()));
            assertEquals(List.of(), gatherSettled(List.<Future<Object>>of()));
        });
    }

    @Test
    void gather_withDuplicateFutures_repeatsTheResult() {
        runVc(() -> {
            Task<String> t = createTask(after(1, "x"));
            Future<String> f = getRunningLoop().createFuture();
            getRunningLoop().callLater(0.5, () -> f.setResult("y"));
            assertEquals(List.of("x", "y", "x", "x", "y"), gather(t, f, t, t, f));
        });
    }

    @Test
    void gather_ofDoneFutures_returnsImmediately() {
        runVc(() -> {
            Future<Integer> a = completed(1);
            Task<Integer> b = createTask(() -> 2);
            b.await();
            double t0 = now();
            assertEquals(List.of(1, 2), gather(a, b));
            assertEquals(t0, now(), 1e-9);
        });
    }

    @Test
    void gather_cancellingTheCaller_cancelsEveryChild() {
        runVc(() -> {
            Task<String> c1 = createTask(after(10, "1"));
            Task<String> c2 = createTask(after(20, "2"));
            Task<List<String>> caller = createTask(() -> gather(c1, c2));
            sleep(1);
            assertTrue(caller.cancel());
            assertThrows(CancelledException.class, caller::await);
            assertTrue(caller.isCancelled());
            assertTrue(c1.isCancelled());
            assertTrue(c2.isCancelled());
        });
    }

    @Test
    void gather_ofCallables_cancellingTheCaller_cancelsTheBodies() {
        AtomicBoolean bodyFinished = new AtomicBoolean();
        AtomicBoolean bodySawCancel = new AtomicBoolean();
        runVc(() -> {
            Task<List<Object>> caller = createTask(() -> gather(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    bodySawCancel.set(true);
                    throw e;
                }
                bodyFinished.set(true);
                return 1;
            }, after(10, 2)));
            sleep(1);
            caller.cancel();
            assertThrows(CancelledException.class, caller::await);
            sleep(20);
        });
        assertTrue(bodySawCancel.get());
        assertFalse(bodyFinished.get());
    }

    @Test
    void gather_cancellingOneChild_makesGatherThrowCancelled_butNotCancelTheCaller() {
        runVc(() -> {
            Task<String> c1 = createTask(after(10, "1"));
            Task<String> c2 = createTask(after(1, "2"));
            getRunningLoop().callLater(0.5, () -> c1.cancel());
            assertThrows(CancelledException.class, () -> gather(c1, c2));
            assertEquals(0, currentTask().cancelling(), "the caller itself was not cancelled");
            assertTrue(c1.isCancelled());
            assertEquals("2", c2.await());
            sleep(0.1);      // the caller can still suspend: it is not cancelled
        });
    }

    @Test
    void gatherSettled_returnsDoneFutures_withResultsFailuresAndCancellationsInOrder() {
        runVc(() -> {
            IllegalArgumentException bad = new IllegalArgumentException("bad");
            Task<String> ok = createTask(after(3, "ok"));
            Task<String> fails = createTask(failAfter(1, bad));
            Task<String> cancelled = createTask(after(10, "never"));
            Future<String> plain = getRunningLoop().createFuture();
            getRunningLoop().callLater(0.5, () -> cancelled.cancel("gone"));
            getRunningLoop().callLater(2, () -> plain.setResult("plain"));
            double t0 = now();
            List<Future<String>> r = gatherSettled(ok, fails, cancelled, plain);
            assertEquals(3, now() - t0, 0.1, "gatherSettled waits for every child");
            assertEquals(4, r.size());
            assertSame(ok, r.get(0));
            assertSame(fails, r.get(1));
            assertSame(cancelled, r.get(2));
            assertSame(plain, r.get(3));
            assertTrue(r.stream().allMatch(Future::isDone));
            assertEquals("ok", r.get(0).resultNow());
            assertSame(bad, r.get(1).exceptionNow());
            assertTrue(r.get(2).isCancelled());
            assertEquals("plain", r.get(3).resultNow());
        });
    }

    @Test
    void gatherSettled_ofCallables_keepsFailuresAsFutures() {
        runVc(() -> {
            List<Future<Integer>> r = gatherSettled(after(2, 1), failAfter(1, new ArithmeticException("x")), after(0.5, 3));
            assertEquals(1, r.get(0).resultNow());
            assertInstanceOf(ArithmeticException.class, r.get(1).exceptionNow());
            assertEquals(3, r.get(2).resultNow());
        });
    }

    @Test
    void gatherSettled_cancellingTheCaller_cancelsChildren_andThrowsCancelled() {
        runVc(() -> {
            Task<String> c1 = createTask(after(10, "1"));
            Task<List<Future<String>>> caller = createTask(() -> gatherSettled(c1));
            sleep(1);
            caller.cancel();
            assertThrows(CancelledException.class, caller::await);
            assertTrue(c1.isCancelled());
        });
    }

    // ------------------------------------------------------------------ wait

    @Test
    void wait_allCompleted_returnsEverythingDone() {
        runVc(() -> {
            Task<Integer> a = createTask(after(1, 1));
            Task<Integer> b = createTask(after(2, 2));
            double t0 = now();
            WaitResult<Task<Integer>> r = Asyncio.wait(List.of(a, b), ReturnWhen.ALL_COMPLETED);
            assertEquals(2, now() - t0, 0.1);
            assertEquals(List.of(a, b), List.copyOf(r.done()));
            assertTrue(r.pending().isEmpty());
        });
    }

    @Test
    void wait_allCompleted_doesNotRaiseChildFailures() {
        runVc(() -> {
            Task<Integer> a = createTask(failAfter(1, new IllegalStateException("x")));
            Task<Integer> b = createTask(after(2, 2));
            WaitResult<Task<Integer>> r = Asyncio.wait(List.of(a, b), ReturnWhen.ALL_COMPLETED);
            assertEquals(Set.of(a, b), r.done());
            assertInstanceOf(IllegalStateException.class, a.exceptionNow());
        });
    }

    @Test
    void wait_firstCompleted_returnsOnceOneIsDone_andCancelsNothing() {
        runVc(() -> {
            Task<String> slow = createTask(after(10, "slow"));
            Task<String> fast = createTask(after(1, "fast"));
            double t0 = now();
            WaitResult<Task<String>> r = Asyncio.wait(List.of(slow, fast), ReturnWhen.FIRST_COMPLETED);
            assertEquals(1, now() - t0, 0.1);
            assertEquals(Set.of(fast), r.done());
            assertEquals(Set.of(slow), r.pending());
            assertFalse(slow.isDone());
            assertEquals("slow", slow.await());
        });
    }

    @Test
    void wait_firstException_returnsAtTheFirstFailure() {
        runVc(() -> {
            Task<String> ok = createTask(after(0.5, "ok"));
            Task<String> bad = createTask(failAfter(1, new IllegalStateException("x")));
            Task<String> slow = createTask(after(10, "slow"));
            double t0 = now();
            WaitResult<Task<String>> r = Asyncio.wait(List.of(ok, bad, slow), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(1, now() - t0, 0.1);
            assertEquals(List.of(ok, bad), List.copyOf(r.done()));
            assertEquals(Set.of(slow), r.pending());
            assertFalse(slow.isDone());
            slow.cancel();
        });
    }

    @Test
    void wait_firstException_withoutFailures_waitsForAll() {
        runVc(() -> {
            Task<String> a = createTask(after(1, "a"));
            Task<String> b = createTask(after(2, "b"));
            double t0 = now();
            WaitResult<Task<String>> r = Asyncio.wait(List.of(a, b), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(2, now() - t0, 0.1);
            assertEquals(Set.of(a, b), r.done());
        });
    }

    @Test
    void wait_firstException_cancellationIsNotAnException() {
        runVc(() -> {
            Task<String> a = createTask(after(5, "a"));
            Task<String> b = createTask(after(2, "b"));
            getRunningLoop().callLater(1, () -> a.cancel());
            double t0 = now();
            WaitResult<Task<String>> r = Asyncio.wait(List.of(a, b), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(2, now() - t0, 0.1);
            assertEquals(Set.of(a, b), r.done());
        });
    }

    @Test
    void wait_firstException_withAlreadyFailedFuture_returnsAtOnce() {
        runVc(() -> {
            Future<String> failed = failed(new IllegalStateException("x"));
            Task<String> slow = createTask(after(10, "slow"));
            double t0 = now();
            WaitResult<Future<String>> r = Asyncio.wait(List.of(failed, slow), ReturnWhen.FIRST_EXCEPTION);
            assertEquals(t0, now(), 1e-9);
            assertEquals(Set.of(failed), r.done());
            assertEquals(Set.of(slow), r.pending());
            slow.cancel();
        });
    }

    @Test
    void wait_withTimeout_returnsPending_andDoesNotCancelThem() {
        runVc(() -> {
            Task<String> fast = createTask(after(1, "fast"));
            Task<String> slow = createTask(after(10, "slow"));
            double t0 = now();
            WaitResult<Task<String>> r = Asyncio.wait(List.of(fast, slow), Duration.ofSeconds(3), ReturnWhen.ALL_COMPLETED);
            assertEquals(3, now() - t0, 0.1);
            assertEquals(Set.of(fast), r.done());
            assertEquals(Set.of(slow), r.pending());
            assertFalse(slow.isCancelled());
            assertEquals("slow", slow.await());
            assertEquals(10, now() - t0, 0.1);
        });
    }

    @Test
    void wait_withTimeout_returnsEarlyWhenSatisfied() {
        runVc(() -> {
            Task<String> fast = createTask(after(1, "fast"));
            double t0 = now();
            WaitResult<Task<String>> r = Asyncio.wait(List.of(fast), Duration.ofSeconds(30), ReturnWhen.ALL_COMPLETED);
            assertEquals(1, now() - t0, 0.1);
            assertEquals(Set.of(fast), r.done());
        });
    }

    @Test
    void wait_emptyCollection_isIllegalArgument() {
        runVc(() -> {
            assertThrows(IllegalArgumentException.class, () -> Asyncio.wait(List.<Future<?>>of(), ReturnWhen.ALL_COMPLETED));
            assertThrows(IllegalArgumentException.class,
                    () -> Asyncio.wait(List.<Future<?>>of(), Duration.ofSeconds(1), ReturnWhen.FIRST_COMPLETED));
        });
    }

    @Test
    void wait_cancellingTheWaiter_doesNotCancelTheFutures() {
        runVc(() -> {
            Task<String> child = createTask(after(10, "child"));
            Task<WaitResult<Task<String>>> waiter = createTask(() -> Asyncio.wait(List.of(child), ReturnWhen.ALL_COMPLETED));
            sleep(1);
            waiter.cancel();
            assertThrows(CancelledException.class, waiter::await);
            assertFalse(child.isCancelled());
            assertEquals("child", child.await());
        });
    }

    // ------------------------------------------------------------------ asCompleted

    @Test
    void asCompleted_yieldsInCompletionOrder() {
        runVc(() -> {
            Task<String> a = createTask(after(3, "a"));
            Task<String> b = createTask(after(1, "b"));
            Task<String> c = createTask(after(2, "c"));
            List<String> order = new ArrayList<>();
            List<Double> times = new ArrayList<>();
            double t0 = now();
            for (Task<String> t : asCompleted(List.of(a, b, c))) {
                assertTrue(t.isDone());
                order.add(t.await());
                times.add(now() - t0);
            }
            assertEquals(List.of("b", "c", "a"), order);
            assertEquals(1, times.get(0), 0.1);
            assertEquals(2, times.get(1), 0.1);
            assertEquals(3, times.get(2), 0.1);
        });
    }

    @Test
    void asCompleted_yieldsFailedFuturesToo() {
        runVc(() -> {
            Task<String> bad = createTask(failAfter(1, new IllegalStateException("bad")));
            Task<String> ok = createTask(after(2, "ok"));
            List<String> seen = new ArrayList<>();
            for (Task<String> t : asCompleted(List.of(ok, bad))) {
                try {
                    seen.add(t.await());
                } catch (IllegalStateException e) {
                    seen.add("failed:" + e.getMessage());
                }
            }
            assertEquals(List.of("failed:bad", "ok"), seen);
        });
    }

    @Test
    void asCompleted_withTimeout_throwsAsyncTimeoutFromNext() {
        runVc(() -> {
            Task<String> fast = createTask(after(1, "fast"));
            Task<String> slow = createTask(after(10, "slow"));
            double t0 = now();
            Iterator<Task<String>> it = asCompleted(List.of(fast, slow), Duration.ofSeconds(3)).iterator();
            assertSame(fast, it.next());
            AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class, () -> {
                if (it.hasNext()) {
                    it.next();
                }
            });
            assertNotNull(e);
            assertEquals(3, now() - t0, 0.1);
            assertFalse(slow.isCancelled(), "asCompleted does not cancel what is left");
            slow.cancel();
        });
    }

    @Test
    void asCompleted_withTimeout_allDoneInTime_doesNotThrow() {
        runVc(() -> {
            List<Task<Integer>> ts = List.of(createTask(after(2, 2)), createTask(after(1, 1)));
            List<Integer> got = new ArrayList<>();
            for (Task<Integer> t : asCompleted(ts, Duration.ofSeconds(5))) {
                got.add(t.await());
            }
            assertEquals(List.of(1, 2), got);
            sleep(10);    // the deadline passing later harms nothing
        });
    }

    @Test
    void asCompleted_ofEmptyCollection_yieldsNothing() {
        runVc(() -> {
            assertFalse(asCompleted(List.<Future<?>>of()).iterator().hasNext());
        });
    }

    // ------------------------------------------------------------------ shield

    @Test
    void shield_passesTheInnersResultToTheOuter() {
        runVc(() -> {
            Task<String> inner = createTask(after(1, "in"));
            Future<String> outer = shield(inner);
            assertEquals("in", outer.await());
        });
    }

    @Test
    void shield_passesTheInnersExceptionToTheOuter() {
        runVc(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<String> inner = createTask(failAfter(1, boom));
            Future<String> outer = shield(inner);
            assertSame(boom, assertThrows(IllegalStateException.class, outer::await));
        });
    }

    @Test
    void shield_cancellingTheOuter_doesNotCancelTheInner() {
        runVc(() -> {
            Task<String> inner = createTask(after(2, "in"));
            Future<String> outer = shield(inner);
            sleep(1);
            assertTrue(outer.cancel());
            assertTrue(outer.isCancelled());
            assertFalse(inner.isCancelled());
            assertEquals("in", inner.await());
        });
    }

    @Test
    void shield_cancellingTheAwaitingTask_doesNotCancelTheInner() {
        runVc(() -> {
            Task<String> inner = createTask(after(2, "in"));
            Task<String> awaiting = createTask(() -> shield(inner).await());
            sleep(1);
            awaiting.cancel();
            assertThrows(CancelledException.class, awaiting::await);
            assertTrue(awaiting.isCancelled());
            assertFalse(inner.isDone());
            assertEquals("in", inner.await());
        });
    }

    @Test
    void shield_cancellingTheInner_cancelsTheOuter() {
        runVc(() -> {
            Task<String> inner = createTask(after(2, "in"));
            Future<String> outer = shield(inner);
            sleep(1);
            inner.cancel();
            assertThrows(CancelledException.class, outer::await);
            assertTrue(outer.isCancelled());
        });
    }

    @Test
    void shield_ofDoneFuture_returnsItsOutcome() {
        runVc(() -> {
            assertEquals(5, shield(completed(5)).await());
        });
    }

    @Test
    void shield_insideGather_protectsTheInner_whenTheCallerIsCancelled() {
        runVc(() -> {
            Task<String> a = createTask(after(2, "a"));
            Task<String> b = createTask(after(2, "b"));
            Task<List<String>> caller = createTask(() -> gather(shield(a), b));
            sleep(1);
            caller.cancel();
            assertThrows(CancelledException.class, caller::await);
            assertTrue(b.isCancelled());
            assertFalse(a.isCancelled());
            assertEquals("a", a.await());
        });
    }

    // ------------------------------------------------------------------ toThread

    @Test
    void toThread_runsOnAPlatformThread_notTheLoopThread() {
        Thread loopThread = Thread.currentThread();
        AtomicReference<Thread> worker = new AtomicReference<>();
        String v = Asyncio.run(() -> toThread(() -> {
            worker.set(Thread.currentThread());
            return "from worker";
        }));
        assertEquals("from worker", v);
        assertNotNull(worker.get());
        assertFalse(worker.get().isVirtual());
        assertNotSame(loopThread, worker.get());
    }

    @Test
    void toThread_fiveOneSecondCallsGathered_overlap() {
        long t0 = System.nanoTime();
        List<Integer> r = Asyncio.run(() -> gather(IntStream.rangeClosed(1, 5)
                .mapToObj(i -> createTask(() -> toThread(() -> {
                    Thread.sleep(1000);
                    return i;
                })))
                .toList()));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(List.of(1, 2, 3, 4, 5), r);
        assertTrue(ms < 3500, "five 1 s toThread calls took " + ms + " ms");
    }

    @Test
    @Tag("fast-only")   // a task waits in a latch for another task's work
    void toThread_cancellingTheAwaitingTask_interruptsTheWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        long t0 = System.nanoTime();
        Asyncio.run(() -> {
            Task<String> t = createTask(() -> toThread(() -> {
                started.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
                return "finished";
            }));
            assertTrue(started.await(5, TimeUnit.SECONDS));   // parks this task only
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
            assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the worker was not interrupted");
        });
        assertEquals(0, interrupted.getCount());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 15);
    }

    @Test
    void toThread_uncheckedException_propagatesAsItself() {
        UnsupportedOperationException boom = new UnsupportedOperationException("nope");
        Asyncio.run(() -> {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> toThread(() -> {
                throw boom;
            }));
            assertSame(boom, e);
        });
    }

    @Test
    void toThread_checkedException_isWrappedInCompletionException() {
        IOException io = new IOException("disk");
        Asyncio.run(() -> {
            CompletionException e = assertThrows(CompletionException.class, () -> toThread((Callable<Object>) () -> {
                throw io;
            }));
            assertSame(io, e.getCause());
        });
    }

    @Test
    void toThread_runnableOverload_runsTheCall() {
        AtomicBoolean ran = new AtomicBoolean();
        Asyncio.run(() -> {
            toThread(() -> ran.set(!Thread.currentThread().isVirtual()));
        });
        assertTrue(ran.get());
    }

    @Test
    void toThread_underVirtualClock_loopTimersStillFireWhileTheCallRuns() {
        // A toThread call that waits for something a loop timer triggers must not deadlock the
        // virtual clock: the loop's sleep(0.1) has to end while the call is in flight.
        runVc(() -> {
            CountDownLatch latch = new CountDownLatch(1);
            createTask(() -> {
                sleep(0.1);
                latch.countDown();
            });
            boolean released = toThread(() -> latch.await(3, TimeUnit.SECONDS));
            assertTrue(released, "the loop timer did not fire while a toThread call was in flight");
        });
    }

    @Test
    void toThread_outsideTask_isIllegalState() {
        assertThrows(IllegalStateException.class, () -> toThread(() -> 1));
    }

    // ------------------------------------------------------------------ interop

    @Test
    void runCoroutineThreadsafe_fromPlatformThread_returnsCompletableFutureWithResult() {
        Asyncio.run(() -> {
            EventLoop loop = getRunningLoop();
            String v = toThread(() -> {
                CompletableFuture<String> cf = runCoroutineThreadsafe(() -> {
                    assertNotNull(currentTask());
                    sleep(0.1);
                    return "from loop";
                }, loop);
                return cf.get(5, TimeUnit.SECONDS);
            });
            assertEquals("from loop", v);
        });
    }

    @Test
    void runCoroutineThreadsafe_failure_completesTheCompletableFutureExceptionally() {
        runVc(() -> {
            EventLoop loop = getRunningLoop();
            Throwable cause = toThread(() -> {
                CompletableFuture<String> cf = runCoroutineThreadsafe(() -> {
                    throw new IllegalStateException("in loop");
                }, loop);
                try {
                    cf.get(5, TimeUnit.SECONDS);
                    return null;
                } catch (java.util.concurrent.ExecutionException e) {
                    return e.getCause();
                }
            });
            assertInstanceOf(IllegalStateException.class, cause);
            assertEquals("in loop", cause.getMessage());
        });
    }

    @Test
    void wrapFuture_ofCompletableFutureCompletedByAnotherThread_awaitsTheResult() {
        Asyncio.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Future<String> f = wrapFuture(cf);
            assertFalse(f.isDone());
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                cf.complete("wrapped");
            });
            assertEquals("wrapped", f.await());
            assertSame(getRunningLoop(), f.getLoop());
        });
    }

    @Test
    void wrapFuture_ofFailedCompletableFuture_throwsTheCause() {
        Asyncio.run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            Future<String> f = wrapFuture(cf);
            Thread.ofPlatform().daemon().start(() -> cf.completeExceptionally(new IllegalArgumentException("cf failed")));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f::await);
            assertEquals("cf failed", e.getMessage());
        });
    }

    @Test
    void wrapFuture_ofAsyncioFuture_returnsItAsIs() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            assertSame(f, wrapFuture(f));
        });
    }

    @Test
    void completedAndFailed_awaitedInsideLoop_neverSuspend() {
        Order order = new Order();
        runVc(() -> {
            createTask(() -> order.expect(3));
            order.expect(1);
            assertEquals("v", completed("v").await());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Asyncio.<String>failed(new IllegalStateException("f")).await());
            assertEquals("f", e.getMessage());
            CompletionException ce = assertThrows(CompletionException.class,
                    () -> Asyncio.<String>failed(new IOException("io")).await());
            assertInstanceOf(IOException.class, ce.getCause());
            order.expect(2);              // the other task has not run: nothing suspended
            sleep(0);
            order.expect(4);
        });
        order.finish(5);
    }

    @Test
    void completedAndFailed_awaitedOutsideLoop_returnAndThrow() {
        Future<Integer> ok = completed(3);
        assertTrue(ok.isDone());
        assertEquals(3, ok.await());
        assertEquals(3, ok.resultNow());
        Future<Integer> bad = failed(new ArithmeticException("div"));
        assertTrue(bad.isDone());
        assertEquals("div", assertThrows(ArithmeticException.class, bad::await).getMessage());
        assertInstanceOf(ArithmeticException.class, bad.exceptionNow());
        assertThrows(NullPointerException.class, () -> failed(null));
    }

    @Test
    void completed_createdOutsideLoop_canBeAwaitedAndGatheredInsideLoop() {
        Future<String> outside = completed("pre");
        List<String> r = runVc(() -> {
            assertEquals("pre", outside.await());
            return gather(outside, completed("in"));
        });
        assertEquals(List.of("pre", "in"), r);
    }

    // ------------------------------------------------------------------ seconds as double

    @Test
    void wait_secondsTimeout_returnsWhatIsDoneAtTheDeadline() {
        List<Integer> sizes = runVc(() -> {
            double t0 = getRunningLoop().time();
            Task<Integer> quick = createTask(() -> { sleep(0.1); return 1; });
            Task<Integer> slow = createTask(() -> { sleep(10); return 2; });
            WaitResult<Task<Integer>> r = Asyncio.wait(List.of(quick, slow), 0.5, ReturnWhen.ALL_COMPLETED);
            int elapsedMs = (int) Math.round((getRunningLoop().time() - t0) * 1000);
            slow.cancel();
            return List.of(r.done().size(), r.pending().size(), elapsedMs);
        });
        assertEquals(List.of(1, 1, 500), sizes);
    }

    @Test
    void wait_secondsTimeout_infinityWaitsForTheCondition_nanIsRefused() {
        int done = runVc(() -> {
            Task<Integer> t = createTask(() -> { sleep(100); return 1; });
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Asyncio.wait(List.of(t), Double.NaN, ReturnWhen.ALL_COMPLETED));
            assertTrue(e.getMessage().contains("seconds is NaN"), e.getMessage());
            return Asyncio.wait(List.of(t), Double.POSITIVE_INFINITY, ReturnWhen.ALL_COMPLETED).done().size();
        });
        assertEquals(1, done);
    }

    @Test
    void asCompleted_secondsTimeout_throwsAsyncTimeoutExceptionFromNextAtTheDeadline() {
        List<Object> out = runVc(() -> {
            double t0 = getRunningLoop().time();
            Task<Integer> quick = createTask(() -> { sleep(0.1); return 1; });
            Task<Integer> slow = createTask(() -> { sleep(10); return 2; });
            Iterator<Task<Integer>> it = asCompleted(List.of(quick, slow), 1.0).iterator();
            int first = it.next().await();
            assertThrows(AsyncTimeoutException.class, it::next);
            double elapsed = getRunningLoop().time() - t0;
            slow.cancel();
            return List.of(first, elapsed);
        });
        assertEquals(1, out.get(0));
        assertEquals(1.0, (double) out.get(1), 0.01);
        assertThrows(IllegalArgumentException.class, () -> runVc(() -> asCompleted(List.of(completed(1)), Double.NaN)));
    }
}
