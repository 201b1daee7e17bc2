package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of {@link Future}, ported from CPython's Lib/test/test_asyncio/test_futures.py.
 * Skipped (Python-only): __repr__ formats, __await__/iteration protocol, the C/Python
 * implementation split, contextvars passed to callbacks, the "future awaited from a
 * generator" checks and asyncio.isfuture.
 */
@Timeout(20)
class FutureTest {

    private EventLoop loop;

    private EventLoop loop() {
        if (loop == null) {
            loop = Asyncio.newEventLoop();
        }
        return loop;
    }

    @AfterEach
    void closeLoop() {
        if (loop != null && !loop.isRunning()) {
            loop.close();
        }
    }

    // ------------------------------------------------------------------ state machine

    @Test
    void newFuture_isPending_withStateRunning() {
        Future<String> f = loop().createFuture();
        assertFalse(f.isDone());
        assertFalse(f.isCancelled());
        assertEquals(java.util.concurrent.Future.State.RUNNING, f.state());
        assertThrows(IllegalStateException.class, f::resultNow);
        assertThrows(IllegalStateException.class, f::exceptionNow);
        assertSame(loop(), f.getLoop());
    }

    @Test
    void setResult_makesFutureSucceeded_andQueriesReportIt() {
        Future<String> f = loop().createFuture();
        f.setResult("foo");
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
        assertEquals(java.util.concurrent.Future.State.SUCCESS, f.state());
        assertEquals("foo", f.resultNow());
        assertThrows(IllegalStateException.class, f::exceptionNow);
        // a done future can be awaited from a plain thread, without a loop running
        assertEquals("foo", f.await());
    }

    @Test
    void setResult_null_isAValidResult() {
        Future<String> f = loop().createFuture();
        f.setResult(null);
        assertEquals(java.util.concurrent.Future.State.SUCCESS, f.state());
        assertNull(f.resultNow());
        assertNull(f.await());
    }

    @Test
    void setException_unchecked_isThrownByAwaitAsTheSameObject() {
        Future<String> f = loop().createFuture();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        f.setException(boom);
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
        assertEquals(java.util.concurrent.Future.State.FAILED, f.state());
        assertSame(boom, f.exceptionNow());
        assertThrows(IllegalStateException.class, f::resultNow);
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, f::await);
        assertSame(boom, thrown);
    }

    @Test
    void setException_error_isThrownByAwaitAsItself() {
        Future<String> f = loop().createFuture();
        AssertionError err = new AssertionError("an error");
        f.setException(err);
        assertSame(err, assertThrows(AssertionError.class, f::await));
    }

    @Test
    void setException_checked_isThrownByAwaitWrappedInCompletionException() {
        Future<String> f = loop().createFuture();
        IOException io = new IOException("disk");
        f.setException(io);
        CompletionException thrown = assertThrows(CompletionException.class, f::await);
        assertSame(io, thrown.getCause());
        assertSame(io, f.exceptionNow());
    }

    @Test
    void setException_null_throwsNullPointerException() {
        Future<String> f = loop().createFuture();
        assertThrows(NullPointerException.class, () -> f.setException(null));
        assertFalse(f.isDone());
    }

    @Test
    void cancel_returnsTrueOnce_thenFalse_andQueriesReportCancelled() {
        Future<String> f = loop().createFuture();
        assertTrue(f.cancel());
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertEquals(java.util.concurrent.Future.State.CANCELLED, f.state());
        assertThrows(IllegalStateException.class, f::resultNow);
        assertThrows(IllegalStateException.class, f::exceptionNow);
        assertFalse(f.cancel());
        assertFalse(f.cancel("again"));
        assertFalse(f.cancel(true));
        assertThrows(CancelledException.class, f::await);
    }

    @Test
    void cancel_withMessage_messageIsInCancelledExceptionThrownByAwait() {
        Future<String> f = loop().createFuture();
        assertTrue(f.cancel("my message"));
        CancelledException e = assertThrows(CancelledException.class, f::await);
        assertEquals("my message", e.getMessage());
    }

    @Test
    void cancel_onDoneFuture_returnsFalse_andKeepsResult() {
        Future<Integer> f = loop().createFuture();
        f.setResult(42);
        assertFalse(f.cancel());
        assertFalse(f.isCancelled());
        assertEquals(42, f.resultNow());
    }

    @Test
    void setResult_twice_throwsInvalidStateException() {
        Future<Integer> f = loop().createFuture();
        f.setResult(1);
        assertThrows(InvalidStateException.class, () -> f.setResult(2));
        assertThrows(InvalidStateException.class, () -> f.setException(new RuntimeException()));
        assertEquals(1, f.resultNow());
    }

    @Test
    void setResultOrException_afterCancel_throwsInvalidStateException() {
        Future<Integer> f = loop().createFuture();
        f.cancel();
        assertThrows(InvalidStateException.class, () -> f.setResult(2));
        assertThrows(InvalidStateException.class, () -> f.setException(new RuntimeException()));
        assertTrue(f.isCancelled());
    }

    @Test
    void await_onPendingFuture_fromPlainThread_throwsIllegalStateException() {
        Future<Integer> f = loop().createFuture();
        assertThrows(IllegalStateException.class, f::await);
        assertFalse(f.isDone());
    }

    @Test
    void await_onPendingFuture_insideCallback_throwsIllegalStateException() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        run(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            Future<Void> done = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> {
                try {
                    f.await();
                } catch (Throwable t) {
                    seen.set(t);
                }
                done.setResult(null);
            });
            done.await();
        });
        assertInstanceOf(IllegalStateException.class, seen.get());
    }

    @Test
    void toString_showsState() {
        Future<String> pending = loop().createFuture();
        assertTrue(pending.toString().contains("pending"), pending.toString());
        Future<String> ok = loop().createFuture();
        ok.setResult("the-value");
        assertTrue(ok.toString().contains("the-value"), ok.toString());
        Future<String> failed = loop().createFuture();
        failed.setException(new IllegalStateException("kaput"));
        assertTrue(failed.toString().contains("kaput"), failed.toString());
        failed.exceptionNow();
        Future<String> cancelled = loop().createFuture();
        cancelled.cancel();
        assertTrue(cancelled.toString().contains("cancelled"), cancelled.toString());
    }

    // ------------------------------------------------------------------ done callbacks

    /** Awaits one full turn of the ready queue: everything scheduled before now has run. */
    private static void drainReady() {
        Future<Void> marker = getRunningLoop().createFuture();
        getRunningLoop().callSoon(() -> marker.setResult(null));
        marker.await();
    }

    @Test
    void doneCallbacks_runViaCallSoon_notInline_inOrderAdded() {
        List<String> calls = run(() -> {
            List<String> out = new ArrayList<>();
            Future<Integer> f = getRunningLoop().createFuture();
            f.addDoneCallback(x -> out.add("a" + x.resultNow()));
            f.addDoneCallback(x -> out.add("b" + x.resultNow()));
            f.addDoneCallback(x -> out.add("c" + x.resultNow()));
            assertTrue(out.isEmpty());
            f.setResult(7);
            assertTrue(out.isEmpty(), "callbacks must not run inline in setResult");
            drainReady();
            return out;
        });
        assertEquals(List.of("a7", "b7", "c7"), calls);
    }

    @Test
    void doneCallback_addedAfterCompletion_isScheduled_notInline() {
        List<String> calls = run(() -> {
            List<String> out = new ArrayList<>();
            Future<Integer> f = getRunningLoop().createFuture();
            f.setResult(3);
            f.addDoneCallback(x -> out.add("late" + x.resultNow()));
            assertTrue(out.isEmpty(), "a callback added to a done future must not run inline");
            drainReady();
            return out;
        });
        assertEquals(List.of("late3"), calls);
    }

    @Test
    void doneCallbacks_runOnCancelAndException_too() {
        List<String> calls = run(() -> {
            List<String> out = new ArrayList<>();
            Future<Integer> c = getRunningLoop().createFuture();
            Future<Integer> e = getRunningLoop().createFuture();
            c.addDoneCallback(x -> out.add("cancelled=" + x.isCancelled()));
            e.addDoneCallback(x -> out.add("failed=" + x.exceptionNow().getMessage()));
            c.cancel();
            e.setException(new RuntimeException("x"));
            drainReady();
            return out;
        });
        assertEquals(List.of("cancelled=true", "failed=x"), calls);
    }

    @Test
    void removeDoneCallback_returnsCountRemoved_andRemovedCallbacksDoNotRun() {
        List<String> calls = run(() -> {
            List<String> out = new ArrayList<>();
            Future<Integer> f = getRunningLoop().createFuture();
            Consumer<Future<Integer>> removed = x -> out.add("removed");
            Consumer<Future<Integer>> kept = x -> out.add("kept");
            f.addDoneCallback(removed);
            f.addDoneCallback(kept);
            f.addDoneCallback(removed);
            assertEquals(2, f.removeDoneCallback(removed));
            assertEquals(0, f.removeDoneCallback(removed));
            assertEquals(0, f.removeDoneCallback(x -> out.add("never added")));
            f.setResult(1);
            drainReady();
            return out;
        });
        assertEquals(List.of("kept"), calls);
    }

    @Test
    void doneCallback_throwing_goesToExceptionHandler_andOtherCallbacksStillRun() {
        List<ExceptionContext> reports = new ArrayList<>();
        RuntimeException boom = new RuntimeException("callback failed");
        List<String> calls = run(() -> {
            getRunningLoop().setExceptionHandler((l, ctx) -> reports.add(ctx));
            List<String> out = new ArrayList<>();
            Future<Integer> f = getRunningLoop().createFuture();
            f.addDoneCallback(x -> out.add("first"));
            f.addDoneCallback(x -> {
                throw boom;
            });
            f.addDoneCallback(x -> out.add("third"));
            f.setResult(1);
            drainReady();
            return out;
        });
        assertEquals(List.of("first", "third"), calls);
        assertEquals(1, reports.size(), reports.toString());
        assertSame(boom, reports.get(0).exception());
    }

    // ------------------------------------------------------------------ awaiting

    @Test
    void multipleTasksAwaitingOneFuture_resumeInFifoOrder() {
        run(() -> {
            Order order = new Order();
            Future<String> f = getRunningLoop().createFuture();
            List<Task<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                waiters.add(createTask(() -> {
                    order.expect(n + 1);
                    assertEquals("go", f.await());
                    order.expect(n + 7);
                }));
            }
            sleep(0);
            sleep(0);
            order.expect(6);
            f.setResult("go");
            for (Task<Void> w : waiters) {
                w.await();
            }
            order.finish(12);
        });
    }

    @Test
    void await_insideTask_suspendsUntilAnotherTaskCompletesTheFuture() {
        run(() -> {
            Order order = new Order();
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Void> setter = createTask(() -> {
                order.expect(2);
                f.setResult(99);
            });
            order.expect(1);
            assertEquals(99, f.await());
            order.expect(3);
            setter.await();
            order.finish(4);
        });
    }

    @Test
    void get_fromPlatformThread_blocksUntilTheLoopCompletesIt() throws Exception {
        AtomicReference<Object> got = new AtomicReference<>();
        run(() -> {
            Future<String> f = getRunningLoop().createFuture();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    got.set(f.get());
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            // the platform thread must be blocked while the future is pending
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                sleep(0.01);
            }
            assertEquals(Thread.State.WAITING, t.getState());
            assertNull(got.get());
            f.setResult("from the loop");
            Asyncio.toThread(() -> t.join());
        });
        assertEquals("from the loop", got.get());
    }

    @Test
    void get_fromPlatformThread_onFailedFuture_throwsExecutionException() {
        Future<String> f = loop().createFuture();
        IllegalStateException boom = new IllegalStateException("boom");
        f.setException(boom);
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        assertSame(boom, e.getCause());
    }

    @Test
    void get_insideTask_awaitsWithoutBlockingTheLoop() {
        run(() -> {
            Order order = new Order();
            Future<Integer> f = getRunningLoop().createFuture();
            Task<Void> setter = createTask(() -> {
                order.expect(2);
                f.setResult(5);
            });
            order.expect(1);
            assertEquals(5, f.get());
            order.expect(3);
            setter.await();
            order.finish(4);
        });
    }

    /**
     * Python: Task.cancel(msg) on a task whose awaited future refuses the cancel (here a gather
     * whose only child is already done, with its done callback still queued) sets must_cancel
     * with the message; the task ends cancelled with that message and cancelling() == 1.
     */
    @Test
    void taskCancel_whileAwaitedFutureRefusesCancel_keepsMessage_andCountsOnce() {
        Object[] seen = new Object[3];
        run(() -> {
            Future<Integer> doneChild = getRunningLoop().createFuture();
            doneChild.setResult(1);
            Task<Object> gatherer = createTask(() -> Asyncio.gather(List.of(doneChild)));
            Task<Void> canceller = createTask(() -> {
                seen[0] = gatherer.cancel("the message");
            });
            try {
                gatherer.await();
            } catch (CancelledException e) {
                seen[1] = e.getMessage();
            }
            seen[2] = gatherer.cancelling();
            canceller.await();
        });
        assertEquals(true, seen[0]);
        assertEquals("the message", seen[1]);
        assertEquals(1, seen[2]);
    }

    /**
     * Python's Task.__wakeup reads the awaited future's result before it throws a pending
     * cancellation, so a future that failed while its awaiter was being cancelled counts as
     * retrieved. Here: the gather's outer future refuses the cancel (its only child is already
     * cancelled), then fails with that child's CancelledException while the gatherer throws its
     * own cancellation; nothing may be reported as "never retrieved".
     */
    @Test
    void cancelledAwaiter_marksTheFailedAwaitedFutureRetrieved() {
        List<ExceptionContext> reports = new ArrayList<>();
        RuntimeException control = new RuntimeException("control: dropped on purpose");
        boolean[] gathererCancelled = new boolean[1];
        run(() -> {
            getRunningLoop().setExceptionHandler((l, ctx) -> reports.add(ctx));
            Future<Integer> child = getRunningLoop().createFuture();
            child.cancel("child cancelled");
            Task<Object> gatherer = createTask(() -> Asyncio.gather(List.of(child)));
            Task<Boolean> canceller = createTask(() -> gatherer.cancel("outer"));
            assertThrows(CancelledException.class, gatherer::await);
            gathererCancelled[0] = gatherer.isCancelled();
            canceller.await();
            dropFailedFuture(control);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reports.stream().noneMatch(c -> c.exception() == control) && System.nanoTime() < deadline) {
                System.gc();
                sleep(0.02);
            }
            for (int i = 0; i < 5; i++) {
                System.gc();
                sleep(0.02);
            }
        });
        assertTrue(gathererCancelled[0]);
        assertTrue(reports.stream().anyMatch(c -> c.exception() == control), "GC never reported the control");
        List<String> others = reports.stream().filter(c -> c.exception() != control)
                .map(c -> c.message()).toList();
        assertEquals(List.of(), others);
    }

    // ------------------------------------------------------------------ toCompletableFuture

    @Test
    @Tag("fast-only")   // a task waits in CompletableFuture.get for the loop
    void toCompletableFuture_completesWithResult() {
        int v = run(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            CompletableFuture<Integer> cf = f.toCompletableFuture();
            assertFalse(cf.isDone());
            f.setResult(11);
            return cf.get(5, TimeUnit.SECONDS);
        });
        assertEquals(11, v);
    }

    @Test
    @Tag("fast-only")   // a task waits in CompletableFuture.get for the loop
    void toCompletableFuture_completesExceptionallyWithTheException() {
        IllegalStateException boom = new IllegalStateException("boom");
        Throwable cause = run(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            CompletableFuture<Integer> cf = f.toCompletableFuture();
            f.setException(boom);
            ExecutionException e = assertThrows(ExecutionException.class, () -> cf.get(5, TimeUnit.SECONDS));
            return e.getCause();
        });
        assertSame(boom, cause);
    }

    @Test
    void toCompletableFuture_completesWithCancelledException_whenSourceCancelled() {
        Throwable cause = run(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            CompletableFuture<Integer> cf = f.toCompletableFuture();
            f.cancel("stop");
            drainReady();
            assertTrue(cf.isCompletedExceptionally());
            // the raw exception the CompletableFuture was completed with (join() would wrap it)
            return cf.handle((v, e) -> e).join();
        });
        assertInstanceOf(CancelledException.class, cause);
        assertEquals("stop", cause.getMessage());
    }

    @Test
    void toCompletableFuture_cancellingIt_cancelsTheSource() {
        boolean cancelled = run(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            CompletableFuture<Integer> cf = f.toCompletableFuture();
            assertTrue(cf.cancel(true));
            assertThrows(CancelledException.class, f::await);
            return f.isCancelled();
        });
        assertTrue(cancelled);
    }

    @Test
    void toCompletableFuture_cancelledFromPlatformThread_cancelsTheSource() {
        boolean cancelled = run(() -> {
            Future<Integer> f = getRunningLoop().createFuture();
            CompletableFuture<Integer> cf = f.toCompletableFuture();
            Asyncio.toThread(() -> cf.cancel(true));
            assertThrows(CancelledException.class, f::await);
            return f.isCancelled();
        });
        assertTrue(cancelled);
    }

    // ------------------------------------------------------------------ unretrieved exceptions

    private static void dropFailedFuture(RuntimeException e) {
        Future<Integer> f = getRunningLoop().createFuture();
        f.setException(e);
    }

    private static Future<Integer> failedAndRetrieved(RuntimeException e) {
        Future<Integer> f = getRunningLoop().createFuture();
        f.setException(e);
        f.exceptionNow();
        return f;
    }

    @Test
    void failedFuture_droppedUnretrieved_isReportedAfterGc_retrievedOneIsNot() {
        List<ExceptionContext> reports = new ArrayList<>();
        RuntimeException unread = new RuntimeException("unread");
        RuntimeException read = new RuntimeException("read");
        run(() -> {
            getRunningLoop().setExceptionHandler((l, ctx) -> reports.add(ctx));
            dropFailedFuture(unread);
            failedAndRetrieved(read);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reports.isEmpty() && System.nanoTime() < deadline) {
                System.gc();
                sleep(0.02);
            }
            // a few more rounds: the retrieved one must not show up
            for (int i = 0; i < 5; i++) {
                System.gc();
                sleep(0.02);
            }
        });
        assertEquals(1, reports.size(), reports.toString());
        ExceptionContext ctx = reports.get(0);
        assertSame(unread, ctx.exception());
        assertTrue(ctx.message().contains("exception was never retrieved"), ctx.message());
    }
}
