package org.asyncio4j;

import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.toThread;
import static org.asyncio4j.Asyncio.waitFor;
import static org.asyncio4j.Asyncio.wrapFuture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code wrapFuture} of futures that are not {@code CompletableFuture}s (watched without
 * holding a pool thread), and wrapped futures under the virtual clock (counted as off-loop work
 * in flight, so a timeout does not overtake them).
 */
@Timeout(60)
class WrapFutureTest {

    /** A plain thread that completes {@code f} after {@code millis} of real time. */
    private static void completeLater(long millis, Runnable complete) {
        Thread.ofPlatform().daemon().name("wrap-future-test-completer").start(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            complete.run();
        });
    }

    private static List<Thread> threadsNamed(String prefix) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void wrapFuture_fiftyPendingFutureTasks_doNotStarveToThread() {
        List<FutureTask<Integer>> sources = new ArrayList<>();
        List<Integer> results = run(() -> {
            List<Future<Integer>> wrapped = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                FutureTask<Integer> f = new FutureTask<>(() -> n);
                sources.add(f);
                wrapped.add(wrapFuture(f));
            }
            sleep(0.05);
            // The default executor has min(32, cores + 4) threads: a thread held per wrapped
            // future would leave none for this call.
            assertEquals("ran", waitFor(() -> toThread(() -> "ran"), Duration.ofSeconds(10)));
            for (Future<Integer> w : wrapped) {
                assertFalse(w.isDone(), "nobody ran the source yet: " + w);
            }
            completeLater(50, () -> sources.forEach(FutureTask::run));
            return gather(wrapped);
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(i);
        }
        assertEquals(expected, results);
    }

    @Test
    void wrapFuture_ofAFutureTaskThatFails_throwsItsExceptionOrTheWrappedCheckedOne() {
        run(() -> {
            FutureTask<String> unchecked = new FutureTask<>(() -> {
                throw new IllegalStateException("bad state");
            });
            FutureTask<String> checked = new FutureTask<>(() -> {
                throw new IOException("bad io");
            });
            Future<String> u = wrapFuture(unchecked);
            Future<String> c = wrapFuture(checked);
            completeLater(20, () -> {
                unchecked.run();
                checked.run();
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, u::await);
            assertEquals("bad state", e.getMessage());
            CompletionException ce = assertThrows(CompletionException.class, c::await);
            assertInstanceOf(IOException.class, ce.getCause());
        });
    }

    @Test
    void wrapFuture_cancelled_cancelsTheSourceFutureTask() {
        run(() -> {
            FutureTask<String> source = new FutureTask<>(() -> "never");
            Future<String> w = wrapFuture(source);
            assertTrue(w.cancel());
            sleep(0);               // done callbacks run on the loop, one turn later
            assertTrue(source.isCancelled());
            assertThrows(CancelledException.class, w::await);
        });
    }

    @Test
    void wrapFuture_sourceFutureTaskCancelledElsewhere_cancelsTheWrapper() {
        run(() -> {
            FutureTask<String> source = new FutureTask<>(() -> "never");
            Future<String> w = wrapFuture(source);
            completeLater(20, () -> source.cancel(false));
            assertThrows(CancelledException.class, w::await);
            assertTrue(w.isCancelled());
        });
    }

    @Test
    void wrapFuture_pendingFutureTasksWhenTheLoopCloses_leaveNoWatcherThreadBehind() throws Exception {
        run(() -> {
            for (int i = 0; i < 10; i++) {
                wrapFuture(new FutureTask<>(() -> "never"));
            }
            sleep(0.05);
        });
        // The watcher drops what a closed loop can no longer receive, and then ends.
        for (Thread watcher : threadsNamed("asyncio4j-future-watch")) {
            watcher.join(TimeUnit.SECONDS.toMillis(5));
        }
        assertEquals(Collections.emptyList(), threadsNamed("asyncio4j-future-watch"));
    }

    // ------------------------------------------------------------------ the virtual clock

    private static <S extends java.util.concurrent.Future<String>> void seenBeforeAVirtualTimeout(
            S source, Function<S, Runnable> completer) {
        String r = TestLoops.runVc(() -> {
            Future<String> w = wrapFuture(source);
            completeLater(100, completer.apply(source));
            double t0 = Asyncio.getRunningLoop().time();
            String v = waitFor(w, Duration.ofSeconds(10));
            assertTrue(Asyncio.getRunningLoop().time() - t0 < 10, "the virtual clock jumped over the wrapped future");
            return v;
        });
        assertEquals("done", r);
    }

    @Test
    void wrapFuture_ofACompletableFutureCompletedByAPlainThread_isSeenBeforeA10sVirtualTimeout() {
        seenBeforeAVirtualTimeout(new CompletableFuture<String>(), cf -> () -> cf.complete("done"));
    }

    @Test
    void wrapFuture_ofAFutureTaskCompletedByAPlainThread_isSeenBeforeA10sVirtualTimeout() {
        seenBeforeAVirtualTimeout(new FutureTask<>(() -> "done"), ft -> ft);
    }

    @Test
    void wrapFuture_cancelledUnderTheVirtualClock_letsTheClockJumpAgain() {
        double elapsed = TestLoops.runVc(() -> {
            Future<String> w = wrapFuture(new CompletableFuture<String>());
            w.cancel();
            long t0 = System.nanoTime();
            sleep(3600);           // no work in flight any more: no real time passes
            return (System.nanoTime() - t0) / 1e9;
        });
        assertTrue(elapsed < 30, "sleep(3600) on the virtual clock took " + elapsed + " s of real time");
    }
}
