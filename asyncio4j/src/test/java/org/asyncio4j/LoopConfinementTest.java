package org.asyncio4j;

import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Loop confinement while the loop is idle (package-info, "Loop confinement"): a thread other
 * than the loop's owner never touches loop state directly, whether the loop runs or not. Its
 * thread-safe calls ({@code Task.cancel}, {@code Future.cancel}, {@code Handle.cancel},
 * {@code toCompletableFuture}) go through the inbox and take effect when the loop next runs;
 * its confined calls throw. The owner of an idle loop is the thread that created it or last ran
 * it.
 */
@Timeout(60)
class LoopConfinementTest {

    @RegisterExtension
    final ClosingLoops loops = new ClosingLoops();

    private EventLoop newLoop() {
        return loops.newLoop();
    }

    /** Runs {@code call} on a fresh platform thread and returns what it returned or threw. */
    private static Object onOtherThread(Callable<?> call) throws InterruptedException {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                out.set(call.call());
            } catch (Throwable e) {
                out.set(e);
            }
        });
        t.join();
        return out.get();
    }

    /** Runs the loop until what is ready now (and the inbox) has run. */
    private static void runOnce(EventLoop loop) {
        loop.callSoon(loop::stop);
        loop.runForever();
    }

    private static int timersOf(EventLoop loop) {
        String s = loop.toString();
        int i = s.indexOf("timers=");
        return Integer.parseInt(s.substring(i + 7, s.indexOf(' ', i)));
    }

    // ------------------------------------------------------------------ one test per route

    @Test
    void taskCancel_fromForeignThread_whileLoopIdle_goesThroughTheInbox_andCancelsWhenTheLoopRuns() throws Exception {
        EventLoop loop = newLoop();
        Task<Void> t = loop.createTask(() -> sleep(3600), "sleeper");
        runOnce(loop);                                    // the task starts and sleeps
        assertEquals(Boolean.TRUE, onOtherThread(() -> t.cancel("from afar")));
        assertEquals(0, t.cancelling(), "the foreign cancel touched the idle loop's task directly");
        assertFalse(t.isDone());
        CancelledException e = assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertEquals("from afar", e.getMessage());
        assertTrue(t.isCancelled());
        assertEquals(1, t.cancelling());
    }

    @Test
    void taskCancel_fromTheOwner_whileLoopIdle_actsAtOnce() {
        EventLoop loop = newLoop();
        Task<Void> t = loop.createTask(() -> sleep(3600));
        runOnce(loop);
        assertTrue(t.cancel());
        assertEquals(1, t.cancelling());
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
    }

    @Test
    void futureCancel_fromForeignThread_whileLoopIdle_goesThroughTheInbox_andReturnsTrueWhilePending() throws Exception {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        assertEquals(Boolean.TRUE, onOtherThread(() -> f.cancel("from afar")));
        assertFalse(f.isCancelled(), "the foreign cancel touched the idle loop's future directly");
        CancelledException e = assertThrows(CancelledException.class, () -> loop.runUntilComplete(f));
        assertEquals("from afar", e.getMessage());
        assertTrue(f.isCancelled());
        assertEquals(Boolean.FALSE, onOtherThread(() -> f.cancel()));
    }

    @Test
    void timerHandleCancel_fromForeignThread_whileLoopIdle_flagsAtOnce_andLeavesTheHeapToTheLoop() throws Exception {
        EventLoop loop = newLoop();
        List<String> ran = new ArrayList<>();
        TimerHandle h = loop.callLater(0.01, () -> ran.add("timer"));
        assertEquals(1, timersOf(loop));
        assertNull(onOtherThread(() -> {
            h.cancel();
            return null;
        }));
        assertTrue(h.isCancelled());
        assertEquals(1, timersOf(loop), "the foreign cancel touched the idle loop's timer heap directly");
        runOnce(loop);
        assertEquals(0, timersOf(loop));
        loop.runUntilComplete(() -> sleep(0.05));
        assertEquals(List.of(), ran);
    }

    @Test
    void handleCancel_fromForeignThread_whileLoopIdle_keepsTheCallbackFromRunning() throws Exception {
        EventLoop loop = newLoop();
        List<String> ran = new ArrayList<>();
        Handle h = loop.callSoon(() -> ran.add("callback"));
        onOtherThread(() -> {
            h.cancel();
            return null;
        });
        assertTrue(h.isCancelled());
        runOnce(loop);
        assertEquals(List.of(), ran);
    }

    @Test
    void toCompletableFuture_fromForeignThread_whileLoopIdle_linksThroughTheInbox() throws Exception {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        @SuppressWarnings("unchecked")
        CompletableFuture<String> cf = (CompletableFuture<String>) onOtherThread(f::toCompletableFuture);
        f.setResult("linked");
        assertFalse(cf.isDone());
        loop.runUntilComplete(() -> sleep(0));
        assertEquals("linked", cf.getNow(null));
    }

    @Test
    void primitiveBoundToIdleLoop_fromForeignThread_throwsIllegalStateException_fromTheOwnerWorks() throws Exception {
        EventLoop loop = newLoop();
        Event event = new Event();
        Task<Void> waiter = loop.createTask(event::await);
        runOnce(loop);                                    // binds the event to the loop
        Object foreign = onOtherThread(() -> {
            event.set();
            return null;
        });
        IllegalStateException e = assertInstanceOfIse(foreign);
        assertTrue(e.getMessage().contains("callSoonThreadsafe"), e.getMessage());
        assertFalse(event.isSet());
        event.set();                                      // the owner of the idle loop may
        loop.runUntilComplete(waiter);
        assertTrue(waiter.isDone() && !waiter.isCancelled());
    }

    private static IllegalStateException assertInstanceOfIse(Object o) {
        assertTrue(o instanceof IllegalStateException, "expected an IllegalStateException, got " + o);
        return (IllegalStateException) o;
    }

    @Test
    void confinedCalls_fromForeignThread_whileLoopIdle_throwIllegalStateException_namingTheOwner() throws Exception {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        String me = Thread.currentThread().getName();
        for (Callable<?> op : List.<Callable<?>>of(
                () -> loop.callSoon(() -> { }),
                () -> loop.callLater(1, () -> { }),
                () -> loop.createTask(() -> { }),
                () -> {
                    f.setResult("x");
                    return null;
                },
                () -> {
                    f.addDoneCallback(x -> { });
                    return null;
                })) {
            IllegalStateException e = assertInstanceOfIse(onOtherThread(op));
            assertTrue(e.getMessage().contains("'" + me + "'"), e.getMessage());
        }
        assertFalse(f.isDone());
        assertEquals(0, timersOf(loop));
    }

    @Test
    void owner_ofIdleLoop_isTheThreadThatLastRanIt() throws Exception {
        EventLoop loop = newLoop();
        assertEquals(Boolean.TRUE, onOtherThread(() -> {
            loop.runUntilComplete(() -> sleep(0));        // running it makes this thread the owner
            loop.callSoon(() -> { });                     // ... so it may prepare work afterwards
            return true;
        }));
        // that thread has ended: the idle loop belongs to whoever uses it next, here this thread
        loop.callSoon(() -> { });
        assertInstanceOfIse(onOtherThread(() -> loop.callSoon(() -> { })));
    }

    @Test
    void runningAnIdleLoop_fromAnotherThread_takesItOver_whileTheFormerOwnerLives() throws Exception {
        EventLoop loop = newLoop();
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch takenOver = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<Object> formerOwnerTries = new AtomicReference<>();
        Thread former = Thread.ofPlatform().start(() -> {
            loop.runUntilComplete(() -> sleep(0));
            ran.countDown();
            try {
                takenOver.await();
                formerOwnerTries.set(loop.callSoon(() -> { }));
            } catch (Throwable e) {
                formerOwnerTries.set(e);
            }
        });
        ran.await();
        // the former owner is alive and owns the idle loop: this thread may not prepare work...
        assertThrows(IllegalStateException.class, () -> loop.callSoon(() -> { }));
        // ... but it may run the loop, which makes it the owner
        assertEquals("mine", loop.runUntilComplete(() -> "mine"));
        loop.callSoon(() -> { });
        takenOver.countDown();
        former.join();
        assertInstanceOfIse(formerOwnerTries.get());
    }

    // ------------------------------------------------------------------ the racy interleaving

    /**
     * The owner enters and leaves runUntilComplete over and over, scheduling timers and starting
     * tasks between runs (while the loop is idle), while a foreign thread cancels timers and
     * tasks in a tight loop. Nothing may be corrupted: every timer fires at most once and one
     * that did not fire is cancelled, the heap ends empty, every task ends cancelled exactly
     * once, each foreign cancel() of a pending task returned true, and no exception reached the
     * exception handler or the foreign thread.
     */
    @Test
    void foreignCancels_racingWithTheOwnerReenteringTheLoop_corruptNothing() throws Exception {
        int rounds = Integer.getInteger("asyncio4j.confinement.rounds", 4000);
        int timersPerRound = 4;
        EventLoop loop;
        try (Runner r = new Runner(RunOptions.defaults().withVirtualClock(true))) {
            loop = r.getLoop();
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            loop.setExceptionHandler((l, c) -> errors.add(c.exception() != null ? c.exception() : new AssertionError(c.message())));
            AtomicIntegerArray fired = new AtomicIntegerArray(rounds * timersPerRound);
            List<TimerHandle> timers = new ArrayList<>();
            List<Task<?>> tasks = new ArrayList<>();
            ConcurrentLinkedQueue<TimerHandle> timersToCancel = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Task<?>> tasksToCancel = new ConcurrentLinkedQueue<>();
            List<Boolean> cancelReturns = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            Thread foreign = Thread.ofPlatform().name("foreign-canceller").start(() -> {
                try {
                    while (!stop.get() || !timersToCancel.isEmpty() || !tasksToCancel.isEmpty()) {
                        TimerHandle h = timersToCancel.poll();
                        if (h != null) {
                            h.cancel();
                        }
                        Task<?> t = tasksToCancel.poll();
                        if (t != null) {
                            cancelReturns.add(t.cancel());
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            try {
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < timersPerRound; k++) {
                        int id = round * timersPerRound + k;
                        TimerHandle h = loop.callLater(0.0001 * k, () -> fired.incrementAndGet(id));
                        timers.add(h);
                        if (k % 2 == 0) {
                            timersToCancel.add(h);
                        }
                    }
                    Task<Void> t = loop.createTask(() -> sleep(Double.POSITIVE_INFINITY));
                    tasks.add(t);
                    tasksToCancel.add(t);
                    loop.runUntilComplete(() -> sleep(0.0002));
                }
            } finally {
                stop.set(true);
                foreign.join();
            }
            // let every cancel and every remaining timer land
            loop.runUntilComplete(() -> {
                while (!Asyncio.allTasks().equals(java.util.Set.of(Asyncio.currentTask()))) {
                    sleep(0.001);
                }
                sleep(0.01);
            });
            assertEquals(List.of(), errors);
            assertEquals(0, timersOf(loop), loop.toString());
            for (int i = 0; i < timers.size(); i++) {
                int n = fired.get(i);
                assertTrue(n <= 1, "timer " + i + " fired " + n + " times");
                assertTrue(n == 1 || timers.get(i).isCancelled(), "timer " + i + " neither fired nor was cancelled");
            }
            assertEquals(tasks.size(), cancelReturns.size());
            assertFalse(cancelReturns.contains(false), "a pending task's cancel() returned false");
            for (Task<?> t : tasks) {
                assertTrue(t.isCancelled(), t.toString());
                assertEquals(1, t.cancelling(), t.toString());
            }
        }
    }
}
