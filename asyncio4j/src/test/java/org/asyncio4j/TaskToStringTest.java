package org.asyncio4j;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.TestLoops.runVc;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Task.toString()}: a pending task names what it waits for and the first frame of its
 * own code ({@code Task[pending name=fetch-3 waiting=Future[pending] at Crawler.fetch(Crawler.java:41)]});
 * a done task shows its outcome as before.
 */
@Timeout(10)
class TaskToStringTest {

    private static final String HERE = "TaskToStringTest\\.java:\\d+\\)";

    static Object fetch(Future<?> f) {
        return f.await();
    }

    @Test
    void pendingTask_awaitingAFuture_namesTheFutureAndWhereItWaits() {
        runVc(() -> {
            Future<Object> f = getRunningLoop().createFuture();
            Task<Object> t = createTask(() -> fetch(f), "fetch-3");
            sleep(0);
            assertMatches("Task\\[pending name=fetch-3 waiting=Future\\[pending\\] at TaskToStringTest\\.fetch\\(" + HERE + "\\]",
                    t.toString());
            f.setResult(1);
            t.await();
        });
    }

    @Test
    void pendingTask_awaitingATask_namesItWithoutItsOwnDetails() {
        runVc(() -> {
            Task<Void> inner = createTask(() -> sleep(5), "inner");
            Task<Void> outer = createTask(() -> inner.await(), "outer");
            sleep(1);
            assertMatches("Task\\[pending name=outer waiting=Task\\[pending name=inner\\] at TaskToStringTest\\.lambda\\$.*\\(" + HERE + "\\]",
                    outer.toString());
            outer.await();
        });
    }

    @Test
    void pendingTask_sleeping_saysSleep() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(5), "napper");
            sleep(1);
            assertMatches("Task\\[pending name=napper waiting=sleep at TaskToStringTest\\.lambda\\$.*\\(" + HERE + "\\]", t.toString());
            t.cancel();
        });
    }

    @Test
    void pendingTask_inAGather_saysGatherAndHowManyAreDone() {
        runVc(() -> {
            Task<Integer> a = createTask(() -> 1);
            Task<Void> b = createTask(() -> sleep(5));
            Task<Object> t = createTask(() -> gather(a, b), "gathering");
            sleep(1);
            assertMatches("Task\\[pending name=gathering waiting=Future\\[pending gather, 1 of 2 done\\] at .*", t.toString());
            t.await();
        });
    }

    @Test
    @Tag("fast-only")   // a task seen while it is blocked in a JDK call
    void pendingTask_blockedInAJdkCall_namesTheCall() {
        runVc(() -> {
            LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
            Task<String> taker = createTask(() -> q.take(), "taker");
            Task<Void> sleeper = createTask(() -> Thread.sleep(10_000), "sleeper");
            sleep(0.01);
            assertMatches("Task\\[pending name=taker waiting=LinkedBlockingQueue\\.take at TaskToStringTest\\.lambda\\$.*\\(" + HERE + "\\]",
                    taker.toString());
            assertMatches("Task\\[pending name=sleeper waiting=Thread\\.sleep at .*", sleeper.toString());
            q.put("x");
            assertEquals("x", taker.await());
            sleeper.cancel();
            assertThrows(CancelledException.class, sleeper::await);
        });
    }

    @Test
    @Tag("fast-only")   // a task seen while it is blocked in a JDK call
    void pendingTask_blockedEnteringASynchronizedBlock_saysMonitor() {
        Object lock = new Object();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            synchronized (lock) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        holder.start();
        runVc(() -> {
            held.await();
            Task<Void> t = createTask(() -> {
                synchronized (lock) {
                    lock.notifyAll();
                }
            }, "entering");
            while (!t.toString().contains("waiting=")) {
                sleep(0.01);
            }
            assertMatches("Task\\[pending name=entering waiting=monitor at TaskToStringTest\\.lambda\\$.*\\(" + HERE + "\\]", t.toString());
            release.countDown();
            t.await();
        });
    }

    @Test
    void currentTask_showsWhereItRuns_withoutWaiting() {
        runVc(() -> {
            String s = currentTask().toString();
            assertMatches("Task\\[pending name=Task-1 at TaskToStringTest\\.lambda\\$.*\\(" + HERE + "\\]", s);
        });
    }

    @Test
    void taskNotStartedYet_isNameOnly() {
        runVc(() -> {
            Task<Void> t = createTask(() -> { }, "later");
            assertEquals("Task[pending name=later]", t.toString());
            t.await();
        });
    }

    @Test
    void doneTasks_showTheirOutcome_asBefore() {
        runVc(() -> {
            Task<Integer> ok = createTask(() -> 42, "ok");
            Task<Void> bad = createTask(() -> {
                throw new IllegalStateException("bad");
            }, "bad");
            Task<Void> gone = createTask(() -> sleep(5), "gone");
            sleep(0);
            gone.cancel();
            sleep(0);
            assertEquals("Task[finished result=42 name=ok]", ok.toString());
            assertEquals("Task[finished exception=java.lang.IllegalStateException: bad name=bad]", bad.toString());
            assertEquals("Task[cancelled name=gone]", gone.toString());
            bad.exceptionNow();
        });
    }

    @Test
    void toString_fromAnotherThread_ofASuspendedTask_namesWhereItWaits() {
        runVc(() -> {
            Task<Void> t = createTask(() -> sleep(5), "remote");
            sleep(0.1);
            String s = toThread(() -> t.toString());
            assertMatches("Task\\[pending name=remote waiting=sleep at TaskToStringTest\\.lambda\\$.*\\(" + HERE + "\\]", s);
            t.cancel();
        });
    }

    @Test
    void toString_ofATaskQueuedToRun_doesNotDisturbItsTurn() {
        String s = readWhileQueued(Task::toString);
        assertEquals("Task[pending name=queued]", s);
    }

    @Test
    void getStack_ofATaskQueuedToRun_isEmpty_andDoesNotDisturbItsTurn() {
        StackTraceElement[] queued = readWhileQueued(Task::getStack);
        assertEquals(0, queued.length);
    }

    /**
     * Reads a task named "queued" with {@code read} while it is woken and queued to run, and
     * checks the read did not let it run out of turn: a callback queued after the read, before
     * the task's second turn, runs before that turn.
     */
    private static <R> R readWhileQueued(java.util.function.Function<Task<Void>, R> read) {
        return runVc(() -> {
            List<String> order = new ArrayList<>();
            Future<Object> first = getRunningLoop().createFuture();
            Future<Object> second = getRunningLoop().createFuture();
            Task<Void> t = createTask(() -> {
                first.await();
                order.add("t resumed");
                second.await();
                order.add("t resumed again");
            }, "queued");
            sleep(0);
            assertTrue(t.getStack().length > 0, "a suspended task's stack is read");
            first.setResult(null);                                  // t is queued to run
            getRunningLoop().callSoon(() -> second.setResult(null)); // runs after t's first turn, queues it again
            R seen = read.apply(t);
            getRunningLoop().callSoon(() -> order.add("callback"));  // queued before t's second turn
            t.await();
            assertEquals(List.of("t resumed", "callback", "t resumed again"), order);
            return seen;
        });
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(actual.matches(regex), () -> "expected to match " + regex + "\n but was " + actual);
    }
}
