package org.asyncio4j;

import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Task behaviours ported from CPython's Lib/test/test_asyncio/test_tasks.py (TaskTests): results
 * and failures, names, cancellation (before start, while sleeping, while awaiting, messages,
 * cancelling/uncancel, catching), currentTask/allTasks, getStack, toString, ownership of
 * unreferenced tasks, isolation of failures, Future methods a task refuses, await outside a loop,
 * sleep's argument rules and null checks.
 */
@Timeout(10)
class TaskTest {

    // ------------------------------------------------------------------ results and failures

    @Test
    void task_returnsItsBodysValue() {
        int v = runVc(() -> {
            Task<Integer> t = createTask(() -> {
                sleep(0.1);
                return 42 + 1000;
            });
            int r = t.await();
            assertTrue(t.isDone());
            assertFalse(t.isCancelled());
            assertEquals(1042, t.resultNow());
            assertEquals(java.util.concurrent.Future.State.SUCCESS, t.state());
            return r;
        });
        assertEquals(1042, v);
    }

    @Test
    void task_raisingUncheckedException_awaitThrowsThatSameObject() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        runVc(() -> {
            Task<Integer> t = createTask(() -> {
                sleep(0.1);
                throw boom;
            });
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::await);
            assertSame(boom, e);
            assertSame(boom, t.exceptionNow());
            assertEquals(java.util.concurrent.Future.State.FAILED, t.state());
            assertThrows(IllegalStateException.class, t::resultNow);
        });
    }

    @Test
    void task_raisingCheckedException_awaitThrowsCompletionExceptionWithCause() {
        runVc(() -> {
            Task<Void> t = createTask(() -> {
                sleep(0.1);
                throw new java.io.IOException("disk");
            });
            CompletionException e = assertThrows(CompletionException.class, t::await);
            assertInstanceOf(java.io.IOException.class, e.getCause());
            assertEquals("disk", e.getCause().getMessage());
            assertInstanceOf(java.io.IOException.class, t.exceptionNow());
        });
    }

    @Test
    void run_returnsMainsValueAndRethrowsMainsException() {
        assertEquals("ok", runVc(() -> "ok"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runVc((Callable<Object>) () -> {
                    throw new IllegalStateException("main failed");
                }));
        assertEquals("main failed", e.getMessage());
    }

    // ------------------------------------------------------------------ names

    @Test
    void names_defaultToTaskNPerLoop_andCustomNamesAreKept() {
        List<String> first = runVc(() -> {
            Task<Void> a = createTask(() -> { });
            Task<Void> b = createTask(() -> { }, "custom");
            Task<Void> c = createTask(() -> { });
            return List.of(currentTask().getName(), a.getName(), b.getName(), c.getName());
        });
        assertEquals(List.of("Task-1", "Task-2", "custom", "Task-3"), first);
        // a new loop counts from 1 again
        List<String> second = runVc(() -> List.of(currentTask().getName(), createTask(() -> 1).getName()));
        assertEquals(List.of("Task-1", "Task-2"), second);
    }

    @Test
    void setName_renamesTheTask_andNullIsRejected() {
        runVc(() -> {
            Task<Integer> t = createTask(() -> {
                sleep(1);
                return 1;
            });
            assertEquals("Task-2", t.getName());
            t.setName("renamed");
            assertEquals("renamed", t.getName());
            assertTrue(t.toString().contains("renamed"), t.toString());
            assertThrows(NullPointerException.class, () -> t.setName(null));
            assertEquals("renamed", t.getName());
            t.await();
        });
    }

    @Test
    void setName_onCurrentTask_isSeenByCurrentTask() {
        String name = runVc(() -> {
            currentTask().setName("main");
            return currentTask().getName();
        });
        assertEquals("main", name);
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancel_beforeStart_bodyNeverRuns_andTaskIsCancelled() {
        AtomicBoolean ran = new AtomicBoolean();
        runVc(() -> {
            Task<Void> t = createTask(() -> ran.set(true));
            assertTrue(t.cancel());
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isDone());
            assertTrue(t.isCancelled());
            assertEquals(java.util.concurrent.Future.State.CANCELLED, t.state());
        });
        assertFalse(ran.get());
    }

    @Test
    void cancel_whileSleeping_endsTaskCancelledWithoutRunningTheRest() {
        AtomicBoolean reachedEnd = new AtomicBoolean();
        runVc(() -> {
            double start = getRunningLoop().time();
            Task<Integer> t = createTask(() -> {
                sleep(10);
                reachedEnd.set(true);
                return 12;
            });
            sleep(1);
            assertTrue(t.cancel());
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
            assertFalse(t.cancel(), "cancel on a done task returns false");
            assertTrue(getRunningLoop().time() - start < 5, "the sleep did not run to its end");
        });
        assertFalse(reachedEnd.get());
    }

    @Test
    void cancel_whileAwaitingFuture_cancelsThatFuture() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> f.await());
            sleep(0.1);
            assertFalse(f.isDone());
            assertTrue(t.cancel());
            assertTrue(f.isCancelled(), "the awaited future is cancelled at once, as in Python");
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void cancel_ofTheAwaitedFutureItself_cancelsTheTask() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> f.await());
            sleep(0.1);
            f.cancel();
            assertThrows(CancelledException.class, t::await);
            assertTrue(f.isCancelled());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void cancel_whileAwaitingAnotherTask_cancelsTheInnerTask() {
        runVc(() -> {
            AtomicBoolean innerFinished = new AtomicBoolean();
            Task<Integer> inner = createTask(() -> {
                sleep(10);
                innerFinished.set(true);
                return 1;
            });
            Task<Integer> outer = createTask(() -> inner.await() + 1);
            sleep(1);
            outer.cancel();
            assertThrows(CancelledException.class, outer::await);
            assertThrows(CancelledException.class, inner::await);
            assertTrue(outer.isCancelled());
            assertTrue(inner.isCancelled());
            assertFalse(innerFinished.get());
        });
    }

    @Test
    void cancel_withMessage_reachesTheBodyAndTheAwaiter() {
        runVc(() -> {
            AtomicReference<String> seenInside = new AtomicReference<>();
            Task<Void> t = createTask(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    seenInside.set(e.getMessage());
                    throw e;
                }
            });
            sleep(0.5);
            assertTrue(t.cancel("my message"));
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("my message", e.getMessage());
            assertEquals("my message", seenInside.get());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void cancel_withMessage_beforeStart_reachesTheAwaiter() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(1));
            t.cancel("early");
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("early", e.getMessage());
        });
    }

    @Test
    void cancel_withMessage_whileAwaitingFuture_reachesTheAwaiter() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> f.await());
            sleep(0.1);
            t.cancel("why");
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("why", e.getMessage());
            CancelledException fe = assertThrows(CancelledException.class, f::await);
            assertEquals("why", fe.getMessage());
        });
    }

    @Test
    void cancel_onDoneTask_returnsFalse_andDoesNotCountAsRequest() {
        runVc(() -> {
            Task<Integer> t = createTask(() -> 7);
            assertEquals(7, t.await());
            assertFalse(t.cancel());
            assertFalse(t.cancel("late"));
            assertEquals(0, t.cancelling());
            assertFalse(t.isCancelled());
            assertEquals(7, t.resultNow());
        });
    }

    @Test
    void cancelling_countsRequests_andUncancelWithdrawsThem() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(10));
            sleep(0.1);
            assertEquals(0, t.cancelling());
            assertTrue(t.cancel());
            assertEquals(1, t.cancelling());
            assertTrue(t.cancel(), "a second request on a pending task is still accepted");
            assertEquals(2, t.cancelling());
            assertEquals(1, t.uncancel());
            assertEquals(1, t.cancelling());
            assertThrows(CancelledException.class, t::await);
            assertEquals(0, t.uncancel());
            assertEquals(0, t.uncancel(), "uncancel never goes below 0");
        });
    }

    @Test
    void uncancel_onANeverCancelledTask_isZero_andALaterRequestStillCancels() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(10));
            sleep(0.1);
            assertEquals(0, t.uncancel(), "nothing to withdraw");
            assertEquals(0, t.cancelling());
            assertFalse(t.isDone());
            assertTrue(t.cancel("late"));
            assertEquals(1, t.cancelling());
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("late", e.getMessage());
        });
    }

    @Test
    void uncancel_beforeStart_dropsTheUndeliveredRequest_andTheBodyRuns() {
        int v = runVc(() -> {
            Task<Integer> t = createTask(() -> {
                sleep(0.1);
                return 5;
            });
            t.cancel();
            assertEquals(0, t.uncancel());
            return t.await();
        });
        assertEquals(5, v);
    }

    @Test
    void cancelling_insideBody_seesTheRequest() {
        runVc(() -> {
            AtomicInteger seen = new AtomicInteger(-1);
            Task<Void> t = createTask(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    seen.set(currentTask().cancelling());
                    throw e;
                }
            });
            sleep(0.1);
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertEquals(1, seen.get());
        });
    }

    @Test
    void bodyCatchingCancellation_andReturning_completesWithThatValue() {
        runVc(() -> {
            Future<Void> f1 = getRunningLoop().createFuture();
            Future<Void> f2 = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> {
                f1.await();
                try {
                    f2.await();
                } catch (CancelledException e) {
                    return 42;
                }
                return 0;
            });
            sleep(0.1);
            f1.setResult(null);
            sleep(0.1);
            t.cancel();
            assertTrue(f2.isCancelled());
            assertEquals(42, t.await());
            assertFalse(t.isCancelled());
            assertEquals(java.util.concurrent.Future.State.SUCCESS, t.state());
        });
    }

    @Test
    void bodyCatchingCancellation_andThrowingOther_failsWithThatException() {
        runVc(() -> {
            Task<Integer> t = createTask(() -> {
                try {
                    sleep(10);
                } catch (CancelledException e) {
                    throw new ArithmeticException("instead");
                }
                return 0;
            });
            sleep(0.1);
            t.cancel();
            ArithmeticException e = assertThrows(ArithmeticException.class, t::await);
            assertEquals("instead", e.getMessage());
            assertFalse(t.isCancelled());
            assertEquals(java.util.concurrent.Future.State.FAILED, t.state());
        });
    }

    @Test
    void bodyCatchingCancellation_canKeepAwaiting_andFinishLater() {
        // test_cancel_task_ignoring: after swallowing one cancellation the task goes on awaiting
        runVc(() -> {
            Future<Integer> f2 = getRunningLoop().createFuture();
            Future<Integer> f3 = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> {
                try {
                    f2.await();
                } catch (CancelledException e) {
                    // ignored
                }
                return f3.await();
            });
            sleep(0.1);
            t.cancel();
            assertTrue(f2.isCancelled());
            sleep(0.1);
            assertFalse(t.isDone());
            f3.setResult(3);
            assertEquals(3, t.await());
            assertFalse(t.isCancelled());
        });
    }

    @Test
    void cancel_ofCurrentTaskByItself_isDeliveredAtNextSuspensionPoint() {
        Order order = new Order();
        CancelledException e = assertThrows(CancelledException.class, () -> runVc(() -> {
            order.expect(1);
            currentTask().cancel("self");
            order.expect(2);             // not yet: no suspension point passed
            try {
                sleep(0);
            } finally {
                order.expect(3);
            }
            fail("the cancellation was not delivered");
        }));
        assertEquals("self", e.getMessage());
        order.finish(4);
    }

    // ------------------------------------------------------------------ currentTask / allTasks

    @Test
    void currentTask_isTheRunningTaskInside_andNullOutside() {
        assertNull(currentTask());
        runVc(() -> {
            Task<?> main = currentTask();
            assertNotNull(main);
            assertEquals("Task-1", main.getName());
            AtomicReference<Task<?>> seen = new AtomicReference<>();
            Task<Void> t = createTask(() -> seen.set(currentTask()));
            t.await();
            assertSame(t, seen.get());
            assertSame(main, currentTask());
        });
        assertNull(currentTask());
    }

    @Test
    void currentTask_inCallback_isNull() {
        runVc(() -> {
            Future<Object> f = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> f.setResult(currentTask() == null ? "none" : "some"));
            assertEquals("none", f.await());
        });
    }

    @Test
    void allTasks_holdsEveryPendingTaskOfTheLoop_andNotDoneOnes() {
        runVc(() -> {
            Task<?> main = currentTask();
            Task<Void> quick = createTask(() -> { });
            Task<Void> slow = createTask(() -> sleep(10));
            assertTrue(allTasks().containsAll(List.of(main, quick, slow)));
            assertEquals(3, allTasks().size());
            quick.await();
            assertFalse(allTasks().contains(quick));
            assertTrue(allTasks().containsAll(List.of(main, slow)));
            slow.cancel();
            assertThrows(CancelledException.class, slow::await);
            assertEquals(java.util.Set.of(main), allTasks());
        });
    }

    @Test
    void allTasks_outsideLoop_isIllegalState() {
        assertThrows(IllegalStateException.class, Asyncio::allTasks);
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void task_awaitingItself_failsWithIllegalState_insteadOfHanging() {
        // Python raises RuntimeError("Task cannot await on itself").
        runVc(() -> {
            AtomicReference<Task<Object>> self = new AtomicReference<>();
            Future<Void> go = getRunningLoop().createFuture();
            Task<Object> t = createTask(() -> {
                go.await();
                return self.get().await();
            });
            self.set(t);
            go.setResult(null);
            WaitResult<Task<Object>> r = Asyncio.wait(List.of(t), Duration.ofSeconds(5), ReturnWhen.ALL_COMPLETED);
            assertEquals(java.util.Set.of(t), r.done(), "a task awaiting itself hangs forever");
            assertInstanceOf(IllegalStateException.class, t.exceptionNow());
        });
    }

    @Test
    void setResultAndSetException_onTask_areIllegalState() {
        runVc(() -> {
            Task<Integer> t = createTask(() -> {
                sleep(1);
                return 1;
            });
            assertThrows(IllegalStateException.class, () -> t.setResult(2));
            assertThrows(IllegalStateException.class, () -> t.setException(new RuntimeException()));
            assertEquals(1, t.await(), "the refused calls did not change the task");
            assertThrows(IllegalStateException.class, () -> t.setResult(3));
        });
    }

    @Test
    void createTask_outsideLoop_isIllegalState() {
        assertThrows(IllegalStateException.class, () -> createTask(() -> 1));
        assertThrows(IllegalStateException.class, () -> createTask(() -> { }, "n"));
    }

    @Test
    void nullArguments_areNullPointerExceptions() {
        runVc(() -> {
            assertThrows(NullPointerException.class, () -> createTask((Callable<Object>) null));
            assertThrows(NullPointerException.class, () -> createTask((ThrowingRunnable) null));
            assertThrows(NullPointerException.class, () -> createTask((Callable<Object>) null, "x"));
            assertThrows(NullPointerException.class, () -> sleep((Duration) null));
            assertThrows(NullPointerException.class, () -> gather((java.util.Collection<Future<Object>>) null));
            assertThrows(NullPointerException.class, () -> shield(null));
            assertThrows(NullPointerException.class, () -> toThread((Callable<Object>) null));
        });
        assertThrows(NullPointerException.class, () -> Asyncio.run((Callable<Object>) null));
        assertThrows(NullPointerException.class, () -> Asyncio.run(() -> 1, null));
    }

    @Test
    void run_insideRunningLoop_isIllegalState() {
        runVc(() -> {
            assertThrows(IllegalStateException.class, () -> Asyncio.run(() -> 1));
        });
    }

    // ------------------------------------------------------------------ getStack / toString

    private static void parkedHere(Future<Void> f) {
        f.await();
    }

    @Test
    void getStack_showsWhereTheTaskIsSuspended_andIsEmptyWhenDone() {
        runVc(() -> {
            Future<Void> f = getRunningLoop().createFuture();
            Task<Void> t = createTask(() -> parkedHere(f));
            sleep(0.1);
            StackTraceElement[] stack = t.getStack();
            assertTrue(stack.length > 0);
            assertTrue(Arrays.stream(stack).anyMatch(e -> e.getMethodName().equals("parkedHere")),
                    Arrays.toString(stack));
            f.setResult(null);
            t.await();
            assertEquals(0, t.getStack().length);
        });
    }

    @Test
    void getStack_fromTheTaskItself_showsTheCaller() {
        runVc(() -> {
            StackTraceElement[] stack = currentTask().getStack();
            assertTrue(Arrays.stream(stack).anyMatch(e -> e.getMethodName().contains("getStack_fromTheTaskItself")),
                    Arrays.toString(stack));
        });
    }

    @Test
    void toString_showsStateAndName() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> f.await(), "worker");
            sleep(0.1);
            String pending = t.toString();
            assertTrue(pending.contains("pending") && pending.contains("worker"), pending);
            f.setResult(99);
            t.await();
            String finished = t.toString();
            assertTrue(finished.contains("worker") && finished.contains("99") && !finished.contains("pending"), finished);

            Task<Integer> c = createTask(() -> f.await(), "victim");
            c.cancel();
            assertThrows(CancelledException.class, c::await);
            assertTrue(c.toString().contains("cancelled") && c.toString().contains("victim"), c.toString());

            Task<Integer> x = createTask(() -> {
                throw new IllegalStateException("bad");
            }, "failing");
            assertThrows(IllegalStateException.class, x::await);
            assertTrue(x.toString().contains("failing") && x.toString().contains("bad"), x.toString());
        });
    }

    // ------------------------------------------------------------------ ownership and isolation

    @Test
    void unreferencedTasks_stillRunToCompletion() {
        AtomicInteger finished = new AtomicInteger();
        runVc(() -> {
            for (int i = 0; i < 100; i++) {
                boolean collects = i % 20 == 0;   // a few full GCs while the others are parked
                createTask(() -> {
                    sleep(0.5);
                    if (collects) {
                        System.gc();
                    }
                    sleep(0.5);
                    finished.incrementAndGet();
                });
            }
            System.gc();
            sleep(0.2);
            System.gc();
            sleep(5);
        });
        assertEquals(100, finished.get());
    }

    @Test
    void exceptionInOneTask_doesNotAffectOthers() {
        runVc(() -> {
            Task<Integer> bad = createTask(() -> {
                sleep(0.1);
                throw new IllegalStateException("one");
            });
            Task<Integer> good = createTask(() -> {
                sleep(0.2);
                return 2;
            });
            Task<Integer> bad2 = createTask(() -> {
                throw new UnsupportedOperationException("two");
            });
            assertEquals(2, good.await());
            assertEquals("one", assertThrows(IllegalStateException.class, bad::await).getMessage());
            assertEquals("two", assertThrows(UnsupportedOperationException.class, bad2::await).getMessage());
            assertTrue(getRunningLoop().isRunning());
            sleep(0.1);    // the loop keeps running tasks
        });
    }

    @Test
    void tasks_interleaveOnlyAtSuspensionPoints() {
        Order order = new Order();
        runVc(() -> {
            order.expect(1);
            Task<Void> a = createTask(() -> {
                order.expect(3);
                sleep(0);
                order.expect(5);
            });
            Task<Void> b = createTask(() -> {
                order.expect(4);
                sleep(0);
                order.expect(6);
            });
            order.expect(2);          // created tasks start only when main suspends
            a.await();
            b.await();
            order.expect(7);
        });
        order.finish(8);
    }

    // ------------------------------------------------------------------ await outside a loop

    @Test
    void awaitOnDoneTask_fromPlainThread_returnsTheResult() {
        List<Task<?>> kept = new ArrayList<>();
        runVc(() -> {
            Task<String> ok = createTask(() -> "value");
            Task<String> bad = createTask(() -> {
                throw new IllegalArgumentException("bad");
            });
            Task<String> gone = createTask(() -> {
                sleep(1);
                return "x";
            });
            ok.await();
            assertThrows(IllegalArgumentException.class, bad::await);
            gone.cancel("bye");
            assertThrows(CancelledException.class, gone::await);
            kept.addAll(List.of(ok, bad, gone));
        });
        assertEquals("value", kept.get(0).await());
        assertEquals("bad", assertThrows(IllegalArgumentException.class, () -> kept.get(1).await()).getMessage());
        assertEquals("bye", assertThrows(CancelledException.class, () -> kept.get(2).await()).getMessage());
    }

    @Test
    void awaitOnPendingFuture_fromPlainThread_isIllegalState() {
        runVc(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Future<Integer> g = getRunningLoop().createFuture();
            Task<Integer> t = createTask(() -> g.await());
            AtomicReference<Throwable> fromFuture = new AtomicReference<>();
            AtomicReference<Throwable> fromTask = new AtomicReference<>();
            Thread plain = Thread.ofPlatform().start(() -> {
                try {
                    f.await();
                } catch (Throwable e) {
                    fromFuture.set(e);
                }
                try {
                    t.await();
                } catch (Throwable e) {
                    fromTask.set(e);
                }
            });
            plain.join();            // a JDK blocking call: parks only this task
            assertInstanceOf(IllegalStateException.class, fromFuture.get());
            assertInstanceOf(IllegalStateException.class, fromTask.get());
            assertFalse(f.isDone());
            assertFalse(t.isDone());
            g.setResult(1);
            assertEquals(1, t.await());
        });
    }

    @Test
    void awaitOnPendingFuture_inCallback_isIllegalState() {
        runVc(() -> {
            Future<Integer> pending = getRunningLoop().createFuture();
            Future<Throwable> result = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> {
                try {
                    pending.await();
                    result.setResult(null);
                } catch (Throwable e) {
                    result.setResult(e);
                }
            });
            assertInstanceOf(IllegalStateException.class, result.await());
        });
    }

    // ------------------------------------------------------------------ sleep's argument rules

    @Test
    void sleep_NaN_isIllegalArgument() {
        runVc(() -> {
            assertThrows(IllegalArgumentException.class, () -> sleep(Double.NaN));
        });
    }

    @Test
    void sleep_negative_returnsAfterYieldingOnce() {
        Order order = new Order();
        runVc(() -> {
            double t0 = getRunningLoop().time();
            createTask(() -> order.expect(2));
            order.expect(1);
            sleep(-1);
            order.expect(3);
            sleep(Duration.ofSeconds(-5));
            assertEquals(t0, getRunningLoop().time(), 0.5);
        });
        order.finish(4);
    }

    @Test
    void sleep_zero_yieldsToOtherReadyTasks() {
        Order order = new Order();
        runVc(() -> {
            createTask(() -> {
                order.expect(2);
                sleep(0);
                order.expect(4);
            });
            order.expect(1);
            sleep(0);
            order.expect(3);
            sleep(0);
            order.expect(5);
        });
        order.finish(6);
    }

    @Test
    void sleep_positiveInfinity_waitsUntilCancelled() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(Double.POSITIVE_INFINITY));
            sleep(1_000_000);
            assertFalse(t.isDone());
            t.cancel("enough");
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("enough", e.getMessage());
            assertTrue(t.isCancelled());
        });
    }

    @Test
    void sleep_advancesLoopTime_byTheRequestedAmount() {
        runVc(() -> {
            double t0 = getRunningLoop().time();
            sleep(10);
            double dt = getRunningLoop().time() - t0;
            assertTrue(dt >= 10 && dt < 10.5, "slept " + dt);
            sleep(Duration.ofMillis(1500));
            dt = getRunningLoop().time() - t0;
            assertTrue(dt >= 11.5 && dt < 12, "slept " + dt);
        });
    }

    @Test
    void sleep_outsideTask_isIllegalState() {
        assertThrows(IllegalStateException.class, () -> sleep(0));
    }

    // ------------------------------------------------------------------ run cleans up

    @Test
    void run_cancelsLeftoverTasks_onReturn() {
        List<Task<?>> kept = new ArrayList<>();
        AtomicBoolean sawCancel = new AtomicBoolean();
        runVc(() -> {
            kept.add(createTask(() -> {
                try {
                    sleep(100);
                } catch (CancelledException e) {
                    sawCancel.set(true);
                    throw e;
                }
            }));
            sleep(0.1);
        });
        assertTrue(kept.get(0).isCancelled());
        assertTrue(sawCancel.get());
    }

    @Test
    @Tag("fast-only")   // a task cancelled while in a JDK call
    void cancel_twice_whileTheBodySwallowsInterruptsInJdkCalls_deliversBothRequests() {
        // Regression: after a JDK call consumed the first interrupt, a second cancel sent none.
        int seen = Asyncio.run(() -> {
            var q = new java.util.concurrent.ArrayBlockingQueue<Integer>(1);
            Task<Integer> t = createTask(() -> {
                int interrupts = 0;
                for (int i = 0; i < 40 && interrupts < 2; i++) {
                    try {
                        q.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        interrupts++;
                    }
                }
                return interrupts;
            });
            sleep(0.1);
            t.cancel();
            sleep(0.2);
            t.cancel();
            int n = t.await();
            assertEquals(2, t.cancelling());
            return n;
        });
        assertEquals(2, seen, "both cancellations reached the blocked body");
    }

    @Test
    void selfCancelThenAwait_cancelsTheAwaitedTask_asPythonsStepDoes() {
        // CPython 3.13: ('caught', True, True)
        List<?> out = runVc(() -> {
            Task<List<?>> body = createTask(() -> {
                Task<Integer> c = createTask(() -> { sleep(10); return 1; });
                sleep(0);
                currentTask().cancel();
                try {
                    c.await();
                    return List.<Object>of("not cancelled");
                } catch (CancelledException e) {
                    return List.<Object>of("caught", c.isCancelled(), getRunningLoop().time() < 1);
                }
            });
            return body.await();
        });
        assertEquals(List.of("caught", true, true), out);
    }

    @Test
    void selfCancelThenAwaitOfASharedFuture_cancelsItForEveryAwaiter_asInPython() {
        // CPython 3.13: ['cancelled', 'cancelled'] True
        List<?> out = runVc(() -> {
            Future<String> f = getRunningLoop().createFuture();
            Callable<String> plain = () -> {
                try {
                    return f.await();
                } catch (CancelledException e) {
                    return "cancelled";
                }
            };
            Task<String> a = createTask(plain);
            sleep(0);
            Task<String> b = createTask(() -> {
                currentTask().cancel();
                return plain.call();
            });
            return List.<Object>of(a.await(), b.await(), f.isCancelled());
        });
        assertEquals(List.of("cancelled", "cancelled", true), out);
    }
}
