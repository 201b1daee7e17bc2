package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Inside a task, JDK blocking calls park the task, not the loop: other tasks keep running while
 * one is in Thread.sleep, a blocking queue, a latch, a monitor wait, a ReentrantLock or
 * CompletableFuture.join; every task is a virtual thread, and never two of them run at once.
 * Cancelling a task blocked in a JDK call interrupts it and ends the task cancelled.
 *
 * <p>These tests use the real clock: JDK timed waits do not follow the virtual clock.
 */
@Timeout(20)
@Tag("fast-only")   // cooperative blocking: JDK blocking calls inside tasks park only the task
class CooperativeBlockingTest {

    /** Counts tasks inside a non-blocking section; more than one at a time is a failure. */
    private static final class Exclusive {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxSeen = new AtomicInteger();
        final AtomicInteger sections = new AtomicInteger();
        final AtomicBoolean nonVirtual = new AtomicBoolean();

        /** Runs a short non-blocking section, checking the thread is virtual. */
        void section(Runnable r) {
            if (!Thread.currentThread().isVirtual()) {
                nonVirtual.set(true);
            }
            int now = running.incrementAndGet();
            maxSeen.accumulateAndGet(now, Math::max);
            try {
                // a little CPU work, so an overlap would be seen
                long x = 0;
                for (int i = 0; i < 2_000; i++) {
                    x += i * 31L;
                }
                if (x == 42) {
                    throw new AssertionError();
                }
                r.run();
            } finally {
                running.decrementAndGet();
                sections.incrementAndGet();
            }
        }

        void section() {
            section(() -> { });
        }

        void check() {
            assertFalse(nonVirtual.get(), "a task ran on a non-virtual thread");
            assertEquals(1, maxSeen.get(), "two tasks ran at the same time");
            assertEquals(0, running.get());
            assertTrue(sections.get() > 0);
        }
    }

    /** A task that ticks with loop sleeps until stopped; returns the tick count. */
    private static Task<Integer> ticker(Exclusive ex, AtomicBoolean stop) {
        return createTask(() -> {
            int ticks = 0;
            while (!stop.get()) {
                ex.section();
                ticks++;
                sleep(0.01);
            }
            return ticks;
        });
    }

    private static Thread platform(String name, ThrowingRunnable r) {
        return Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                r.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void threadSleep_inOneTask_parksOnlyThatTask_othersKeepTicking() {
        Exclusive ex = new Exclusive();
        run(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            Task<Integer> tick = ticker(ex, stop);
            Task<Void> sleeper = createTask(() -> {
                ex.section();
                Thread.sleep(300);
                ex.section();
                stop.set(true);
            });
            sleeper.await();
            int ticks = tick.await();
            assertTrue(ticks >= 5, "the ticker made " + ticks + " ticks while another task was in Thread.sleep(300)");
        });
        ex.check();
    }

    @Test
    void threadSleep_inManyTasks_overlaps() {
        long t0 = System.nanoTime();
        run(() -> {
            List<Task<Void>> sleepers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sleepers.add(createTask(() -> {
                    assertTrue(Thread.currentThread().isVirtual());
                    Thread.sleep(500);
                }));
            }
            gather(sleepers);
        });
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 3000, "ten 500 ms Thread.sleep calls in tasks took " + ms + " ms");
    }

    @Test
    void arrayBlockingQueue_fedByPlatformThread_parksTheConsumerTaskOnly() {
        Exclusive ex = new Exclusive();
        List<Integer> got = new ArrayList<>();
        run(() -> {
            ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(2);
            AtomicBoolean stop = new AtomicBoolean();
            Task<Integer> tick = ticker(ex, stop);
            Task<Void> consumer = createTask(() -> {
                for (int i = 0; i < 5; i++) {
                    int v = q.take();
                    ex.section(() -> got.add(v));
                }
                stop.set(true);
            });
            Thread producer = platform("producer", () -> {
                for (int i = 1; i <= 5; i++) {
                    Thread.sleep(40);
                    q.put(i * 10);
                }
            });
            consumer.await();
            assertTrue(tick.await() >= 3, "the ticker kept running while the consumer waited");
            producer.join();
        });
        assertEquals(List.of(10, 20, 30, 40, 50), got);
        ex.check();
    }

    @Test
    void arrayBlockingQueue_betweenTwoTasks_handsOverInOrder() {
        Exclusive ex = new Exclusive();
        List<Integer> got = new ArrayList<>();
        run(() -> {
            ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
            Task<Void> producer = createTask(() -> {
                for (int i = 0; i < 20; i++) {
                    int v = i;
                    ex.section();
                    q.put(v);            // full after one: parks until the consumer takes
                }
            });
            Task<Void> consumer = createTask(() -> {
                for (int i = 0; i < 20; i++) {
                    int v = q.take();
                    ex.section(() -> got.add(v));
                }
            });
            gather(producer, consumer);
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, got);
        ex.check();
    }

    @Test
    void countDownLatch_countedDownByTaskAndPlatformThread_releasesWaitingTask() {
        Exclusive ex = new Exclusive();
        Order order = new Order();
        run(() -> {
            CountDownLatch latch = new CountDownLatch(2);
            AtomicBoolean stop = new AtomicBoolean();
            Task<Integer> tick = ticker(ex, stop);
            Task<Void> waiter = createTask(() -> {
                ex.section(() -> order.expect(1));
                assertTrue(latch.await(5, TimeUnit.SECONDS));
                ex.section(() -> order.expect(3));
                stop.set(true);
            });
            Task<Void> counter = createTask(() -> {
                sleep(0.05);
                ex.section(() -> order.expect(2));
                latch.countDown();
            });
            Thread t = platform("counter", () -> {
                Thread.sleep(150);
                latch.countDown();
            });
            waiter.await();
            counter.await();
            assertTrue(tick.await() >= 3, "the ticker kept running while the waiter waited");
            t.join();
        });
        order.finish(4);
        ex.check();
    }

    @Test
    void synchronizedWaitNotify_betweenTwoTasks_parksTheWaiter() {
        Exclusive ex = new Exclusive();
        Order order = new Order();
        Object monitor = new Object();
        boolean[] ready = {false};
        run(() -> {
            AtomicBoolean stop = new AtomicBoolean();
            Task<Integer> tick = ticker(ex, stop);
            Task<Void> waiter = createTask(() -> {
                synchronized (monitor) {
                    ex.section(() -> order.expect(1));
                    while (!ready[0]) {
                        monitor.wait();
                    }
                    ex.section(() -> order.expect(3));
                }
                stop.set(true);
            });
            Task<Void> notifier = createTask(() -> {
                sleep(0.1);
                synchronized (monitor) {
                    ex.section(() -> order.expect(2));
                    ready[0] = true;
                    monitor.notifyAll();
                }
            });
            gather(waiter, notifier);
            assertTrue(tick.await() >= 3, "the ticker kept running while the waiter was in Object.wait");
        });
        order.finish(4);
        ex.check();
    }

    @Test
    void synchronizedContended_betweenTwoTasks_parksTheSecond() {
        Exclusive ex = new Exclusive();
        Order order = new Order();
        Object monitor = new Object();
        run(() -> {
            Task<Void> holder = createTask(() -> {
                synchronized (monitor) {
                    ex.section(() -> order.expect(1));
                    Thread.sleep(100);   // parks while holding the monitor
                    ex.section(() -> order.expect(3));
                }
            });
            Task<Void> contender = createTask(() -> {
                ex.section(() -> order.expect(2));
                synchronized (monitor) {
                    ex.section(() -> order.expect(4));
                }
            });
            gather(holder, contender);
        });
        order.finish(5);
        ex.check();
    }

    @Test
    void reentrantLock_contendedBetweenTasks_isHandedOverWithoutBlockingTheLoop() {
        Exclusive ex = new Exclusive();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        run(() -> {
            ReentrantLock lock = new ReentrantLock();
            AtomicBoolean stop = new AtomicBoolean();
            Task<Integer> tick = ticker(ex, stop);
            List<Task<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 5; w++) {
                workers.add(createTask(() -> {
                    for (int i = 0; i < 4; i++) {
                        lock.lock();
                        try {
                            ex.section(() -> maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max));
                            Thread.sleep(10);    // parks holding the lock: others contend
                            ex.section(() -> {
                                inside.decrementAndGet();
                                total.incrementAndGet();
                            });
                        } finally {
                            lock.unlock();
                        }
                    }
                }));
            }
            gather(workers);
            stop.set(true);
            assertTrue(tick.await() >= 3, "the ticker kept running while tasks contended");
            assertFalse(lock.isLocked());
        });
        assertEquals(20, total.get());
        assertEquals(1, maxInside.get());
        ex.check();
    }

    @Test
    void completableFutureJoin_completedByPlatformThread_parksOnlyTheTask() {
        Exclusive ex = new Exclusive();
        run(() -> {
            CompletableFuture<String> cf = new CompletableFuture<>();
            AtomicBoolean stop = new AtomicBoolean();
            Task<Integer> tick = ticker(ex, stop);
            Task<String> joiner = createTask(() -> {
                ex.section();
                String v = cf.join();
                ex.section();
                stop.set(true);
                return v;
            });
            Thread t = platform("completer", () -> {
                Thread.sleep(150);
                cf.complete("done");
            });
            assertEquals("done", joiner.await());
            assertTrue(tick.await() >= 3, "the ticker kept running while a task was in join()");
            t.join();
        });
        ex.check();
    }

    @Test
    void everyTask_runsOnAVirtualThread_andResumesOnTheLoopThread() {
        Thread loopThread = Thread.currentThread();
        run(() -> {
            assertTrue(Thread.currentThread().isVirtual());
            assertNotSame(loopThread, Thread.currentThread());
            AtomicReference<Thread> fromCallback = new AtomicReference<>();
            Future<Void> f = getRunningLoop().createFuture();
            getRunningLoop().callSoon(() -> {
                fromCallback.set(Thread.currentThread());
                f.setResult(null);
            });
            f.await();
            assertSame(loopThread, fromCallback.get(), "callbacks run on the thread that called run()");
            Task<Boolean> t = createTask(() -> {
                Thread.sleep(10);
                return Thread.currentThread().isVirtual();
            });
            assertTrue(t.await());
        });
    }

    @Test
    void cancel_wakesTaskBlockedInThreadSleep_bodySeesInterruptedException_taskEndsCancelled() {
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        AtomicBoolean reachedEnd = new AtomicBoolean();
        long t0 = System.nanoTime();
        run(() -> {
            Task<Void> t = createTask(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    sawInterrupt.set(true);
                    throw e;
                }
                reachedEnd.set(true);
            });
            sleep(0.05);
            assertFalse(t.isDone());
            assertTrue(t.cancel());
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
        });
        assertTrue(sawInterrupt.get());
        assertFalse(reachedEnd.get());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10);
    }

    @Test
    void cancel_withMessage_ofTaskInThreadSleep_reachesTheAwaiter() {
        run(() -> {
            Task<Void> t = createTask(() -> Thread.sleep(60_000));
            sleep(0.05);
            t.cancel("stop sleeping");
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("stop sleeping", e.getMessage());
        });
    }

    @Test
    void cancel_wakesTaskBlockedInArrayBlockingQueueTake() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        run(() -> {
            ArrayBlockingQueue<String> q = new ArrayBlockingQueue<>(1);
            Task<String> t = createTask(() -> {
                try {
                    return q.take();
                } catch (Throwable e) {
                    seen.set(e);
                    throw e;
                }
            });
            sleep(0.05);
            assertFalse(t.isDone());
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
            assertTrue(q.offer("after"), "the cancelled taker took nothing");
            assertEquals("after", q.poll());
        });
        assertInstanceOf(InterruptedException.class, seen.get());
    }

    @Test
    void pendingCancelRequest_interruptsTheNextThreadSleepAtOnce() {
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        long t0 = System.nanoTime();
        run(() -> {
            Task<Void> t = createTask(() -> {
                currentTask().cancel();   // no suspension point yet: the request waits as an interrupt
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    sawInterrupt.set(true);
                    throw e;
                }
            });
            assertThrows(CancelledException.class, t::await);
            assertTrue(t.isCancelled());
        });
        assertTrue(sawInterrupt.get());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10);
    }

    @Test
    void bodyCatchingInterruptedException_andReturning_completesWithValue() {
        // as with CancelledException: a body that handles the interruption and returns has a result
        int v = run(() -> {
            Task<Integer> t = createTask(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    return 7;
                }
                return 0;
            });
            sleep(0.05);
            t.cancel();
            return t.await();
        });
        assertEquals(7, v);
    }

    // ------------------------------------------------------------------ thread-locals (README)

    private static final ThreadLocal<String> MDC = new ThreadLocal<>();
    private static final InheritableThreadLocal<String> INHERITED = new InheritableThreadLocal<>();

    @Test
    void threadLocal_isPerTask_andSurvivesTheTasksSuspensions() {
        List<String> seen = run(() -> {
            Task<String> a = createTask(() -> {
                MDC.set("request-a");
                sleep(0.01);
                return MDC.get();
            });
            Task<String> b = createTask(() -> {
                sleep(0.005);
                String before = String.valueOf(MDC.get());
                MDC.set("request-b");
                sleep(0.01);
                return before + "/" + MDC.get();
            });
            return List.of(a.await(), b.await(), String.valueOf(MDC.get()));
        });
        assertEquals(List.of("request-a", "null/request-b", "null"), seen);
    }

    @Test
    void inheritableThreadLocal_isCopiedToATaskWhenItIsCreated() {
        List<String> seen = run(() -> {
            INHERITED.set("parent");
            Task<String> child = createTask(() -> {
                String got = INHERITED.get();
                INHERITED.set("child");
                return got;
            });
            String inChild = child.await();
            return List.of(inChild, INHERITED.get());
        });
        assertEquals(List.of("parent", "parent"), seen);
    }
}
