package org.asyncio4j;

import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a loop's close leaves behind: nothing. Cross-thread waiters of work the close drops are
 * released (with a CancelledException that says the loop closed).
 */
@Timeout(30)
class LoopCloseTest {

    @RegisterExtension
    final ClosingLoops loops = new ClosingLoops();

    /** Starts {@code call} on a platform thread; its outcome (value or throwable) lands in {@code out}. */
    private static Thread blockedIn(Callable<?> call, AtomicReference<Object> out) {
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                out.set(call.call());
            } catch (Throwable e) {
                out.set(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.isAlive() && t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return t;
    }

    private static CancelledException assertClosedBeforeDone(Object outcome) {
        CancelledException e = assertInstanceOf(CancelledException.class, outcome);
        assertTrue(e.getMessage() != null && e.getMessage().contains("closed"), e.getMessage());
        return e;
    }

    // ------------------------------------------------------------------ cross-thread waiters

    @Test
    void foreignGet_onPendingFuture_ofAnIdleLoop_isReleasedWhenTheLoopCloses() throws Exception {
        EventLoop loop = loops.newLoop();
        Future<String> f = loop.createFuture();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = blockedIn(f::get, got);
        loop.close();                                     // the get()'s registration is dropped
        t.join();
        assertClosedBeforeDone(got.get());
    }

    @Test
    void foreignGet_registeredWhileTheLoopRan_onAFutureNobodyCompletes_isReleasedWhenTheLoopCloses() throws Exception {
        EventLoop loop = loops.newLoop();
        Future<String> f = loop.createFuture();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = blockedIn(f::get, got);
        loop.runUntilComplete(() -> sleep(0.01));         // the get()'s done callback is registered
        assertNull(got.get());
        loop.close();
        t.join();
        assertClosedBeforeDone(got.get());
        assertFalse(f.isDone());
    }

    @Test
    void foreignTimedGet_isReleasedWhenTheLoopCloses_withCancelledException_notTimeout() throws Exception {
        EventLoop loop = loops.newLoop();
        Future<String> f = loop.createFuture();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = blockedIn(() -> f.get(20, TimeUnit.SECONDS), got);
        loop.close();
        t.join();
        assertClosedBeforeDone(got.get());
    }

    @Test
    void foreignGet_onPendingFuture_ofAClosedLoop_throwsAtOnce() throws Exception {
        EventLoop loop = loops.newLoop();
        Future<String> f = loop.createFuture();
        loop.close();
        AtomicReference<Object> got = new AtomicReference<>();
        blockedIn(f::get, got).join();
        assertClosedBeforeDone(got.get());
    }

    @Test
    void foreignGet_onATaskOfAnIdleLoop_endsWithTheTasksCancellationAtClose() throws Exception {
        EventLoop loop = loops.newLoop();
        Task<Void> task = loop.createTask(() -> sleep(3600));
        loop.runUntilComplete(() -> sleep(0));
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = blockedIn(task::get, got);
        loop.close();
        t.join();
        assertInstanceOf(CancelledException.class, got.get());
        assertTrue(task.isCancelled());
    }

    @Test
    void runCoroutineThreadsafe_onAnIdleLoopThatClosesBeforeRunningIt_completesExceptionally() throws Exception {
        EventLoop loop = loops.newLoop();
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Object> got = new AtomicReference<>();
        // handle() hands over the exception the future was completed with (get() would wrap it)
        Thread t = blockedIn(() -> Asyncio.runCoroutineThreadsafe(() -> ran.getAndSet(true), loop)
                .handle((v, e) -> e).get(), got);
        loop.close();
        t.join();
        assertClosedBeforeDone(got.get());
        assertFalse(ran.get());
    }

    @Test
    void toCompletableFuture_ofAPendingFuture_completesExceptionallyWhenTheLoopCloses() {
        EventLoop loop = loops.newLoop();
        Future<String> f = loop.createFuture();
        CompletableFuture<String> cf = f.toCompletableFuture();
        loop.close();
        assertTrue(cf.isDone());
        assertClosedBeforeDone(cf.handle((v, e) -> e).join());
    }

    @Test
    void toCompletableFuture_ofADoneFuture_ofAClosedLoop_completesWithItsOutcome() {
        EventLoop loop = loops.newLoop();
        Future<String> f = loop.createFuture();
        f.setResult("done before close");
        loop.close();
        assertEquals("done before close", f.toCompletableFuture().getNow(null));
        Future<String> g = loops.newLoop().createFuture();
        g.cancel("before close");
        g.getLoop().close();
        Throwable e = g.toCompletableFuture().handle((v, x) -> x).getNow(null);
        assertInstanceOf(CancelledException.class, e);
        assertEquals("before close", e.getMessage());
    }

    // ------------------------------------------------------------------ refusing tasks

    @Test
    void close_withATaskThatRefusesToEnd_reportsIt_closesAnyway_andLeavesItPending() {
        Reports reports = new Reports();
        EventLoop loop = loops.newVirtualClockLoop();
        loop.setExceptionHandler(reports);
        Task<Void> refuser = loop.createTask(() -> {
            while (true) {
                try {
                    sleep(Double.POSITIVE_INFINITY);
                } catch (CancelledException refused) {
                    // refuses to end
                }
            }
        }, "stubborn");
        loop.runUntilComplete(() -> sleep(0));
        loop.close();
        assertTrue(loop.isClosed());
        assertFalse(refuser.isDone());
        assertEquals(1, reports.handled.stream().filter(c -> c.future() == refuser && c.message().contains("refused to end"))
                .count(), reports.handled.toString());
    }

    // ------------------------------------------------------------------ unretrieved exceptions

    /** What reached an exception handler, from any thread. */
    static class Reports implements ExceptionHandler {
        final java.util.List<ExceptionContext> handled = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public void handle(EventLoop loop, ExceptionContext context) {
            handled.add(context);
        }

        long neverRetrieved(Throwable e) {
            synchronized (handled) {
                return handled.stream().filter(c -> c.exception() == e && c.message().contains("exception was never retrieved"))
                        .count();
            }
        }
    }

    @Test
    void run_failedTaskNobodyAwaited_isReportedAtClose_asNeverRetrieved_withItsName_withoutAnyGc() {
        IllegalStateException boom = new IllegalStateException("boom");
        Reports reports = new Reports();
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler(reports);
            Asyncio.createTask(() -> {
                throw boom;
            }, "doomed");
            sleep(0);
            sleep(0);
        });
        java.util.List<String> messages = reports.handled.stream().filter(c -> c.exception() == boom)
                .map(ExceptionContext::message).toList();
        assertEquals(1, messages.size(), messages.toString());
        assertTrue(messages.get(0).startsWith("Task exception was never retrieved"), messages.get(0));
        assertTrue(messages.get(0).contains("doomed"), messages.get(0));
    }

    @Test
    void close_failedFutureNobodyRead_isReportedOnce_readOnesAreNot() {
        IllegalStateException unread = new IllegalStateException("unread");
        IllegalStateException read = new IllegalStateException("read");
        Reports reports = new Reports();
        EventLoop loop = loops.newLoop();
        loop.setExceptionHandler(reports);
        Future<String> f = loop.createFuture();
        f.setException(unread);
        Future<String> g = loop.createFuture();
        g.setException(read);
        assertEquals(read, g.exceptionNow());
        loop.close();
        assertEquals(1, reports.neverRetrieved(unread));
        assertTrue(reports.handled.get(0).message().startsWith("Future exception was never retrieved"));
        assertEquals(0, reports.neverRetrieved(read));
        loop.close();                                     // closing again reports nothing again
        assertEquals(1, reports.neverRetrieved(unread));
    }

    /**
     * Reported at close, then collected: the garbage collector's report does not repeat it. A
     * sentinel (a future of the same loop that fails after the close, which only the collector
     * reports) shows when the collector's reports have been made.
     */
    @Test
    void failedTaskReportedAtClose_isNotReportedAgainWhenTheGarbageCollectorFindsIt() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException sentinel = new IllegalStateException("sentinel");
        Reports reports = new Reports();
        EventLoop loop = loops.newLoop();
        loop.setExceptionHandler(reports);
        java.lang.ref.WeakReference<?> task = new java.lang.ref.WeakReference<>(loop.createTask(() -> {
            throw boom;
        }));
        Future<String> late = loop.createFuture();
        loop.runUntilComplete(() -> sleep(0.01));
        loop.close();
        assertEquals(1, reports.neverRetrieved(boom));
        while (task.get() != null) {
            System.gc();
            Thread.sleep(10);
        }
        failAndDrop(late, sentinel);
        late = null;
        while (reports.neverRetrieved(sentinel) == 0) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(1, reports.neverRetrieved(boom));
    }

    private static void failAndDrop(Future<String> f, RuntimeException e) {
        f.setException(e);
    }
}
