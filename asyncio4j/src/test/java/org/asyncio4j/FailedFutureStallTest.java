package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the cancellation storm found: the loop froze (for good, or until something interrupted
 * its thread) while futures failed both in tasks and in loop callbacks and the garbage collector
 * kept the unretrieved-report Cleaner busy.
 *
 * <p>The interleaving: every failed future registers with one JDK Cleaner, whose list is
 * guarded by a monitor that the Cleaner's own thread also takes, to drop a collected future.
 * <pre>
 *   Cleaner thread   holds the list's monitor (dropping a collected failed future)
 *   task T           fails (TaskImpl.finish, fail) and blocks on the monitor: T unmounts
 *   Cleaner thread   releases it; T, first in line, is handed the monitor, must be mounted again
 *   loop thread      runs a callback that fails a future (gather's outer) and blocks on the monitor
 *                    T can only run on the loop thread: neither moves again
 * </pre>
 * Scale the run with {@code -Dasyncio4j.stress.scale=N} (N times 8 s).
 */
@Tag("stress")
@Timeout(120)
class FailedFutureStallTest {

    private static final int SCALE = Math.max(1, Integer.getInteger("asyncio4j.stress.scale", 1));
    private static final RuntimeException PLANTED = new IllegalStateException("planted");

    @Test
    @Tag("fast-only")   // a fast-mode hazard (a task can run only on the loop thread); the portable mode's thread hand-offs crawl through its System.gc() storm past the 5 s watchdog
    void failedFutures_fromTasksAndCallbacks_whileTheCleanerRuns_neverStallTheLoop() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        AtomicBoolean stalled = new AtomicBoolean();
        Thread loopThread = Thread.currentThread();
        Thread collector = Thread.ofPlatform().daemon().name("gc-driver").start(() -> {
            while (!stop.get()) {
                System.gc();              // keeps the Cleaner's thread dropping collected futures
            }
        });
        Thread watchdog = Thread.ofPlatform().daemon().name("stall-watchdog").start(() -> {
            int seen = -1;
            while (!stop.get()) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    return;
                }
                int now = rounds.get();
                if (now == seen && !stop.get()) {
                    stalled.set(true);
                    loopThread.interrupt();   // lets a loop thread stuck on the monitor go on
                }
                seen = now;
            }
        });
        long end = System.nanoTime() + SCALE * 8_000_000_000L;
        try {
            Asyncio.run(() -> {
                getRunningLoop().setExceptionHandler((loop, context) -> { });
                while (System.nanoTime() < end && !stalled.get()) {
                    List<Task<Object>> tasks = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        tasks.add(createTask(() -> {
                            sleep(0);
                            throw PLANTED;                                     // fail() in a task
                        }));
                        Future<Object> f = getRunningLoop().createFuture();
                        getRunningLoop().callSoon(() -> f.setException(PLANTED));  // fail() on the loop thread
                    }
                    Asyncio.wait(tasks, ReturnWhen.ALL_COMPLETED);
                    rounds.incrementAndGet();
                }
            });
        } finally {
            stop.set(true);
            watchdog.interrupt();
            collector.join();
            Thread.interrupted();
        }
        assertEquals(false, stalled.get(), "the loop stalled after " + rounds.get() + " rounds");
        assertTrue(rounds.get() > 0);
    }
}
