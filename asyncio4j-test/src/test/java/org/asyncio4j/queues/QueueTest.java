package org.asyncio4j.queues;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.queues.QueueTesting.drain;
import static org.asyncio4j.queues.QueueTesting.runBriefly;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.RunOptions;
import org.asyncio4j.Task;
import org.asyncio4j.test.AsyncioTest;
import org.asyncio4j.test.Order;
import org.junit.jupiter.api.Test;

/**
 * FIFO queue behaviours ported from CPython's Lib/test/test_asyncio/test_queues.py (QueueBasicTests,
 * QueueGetTests, QueuePutTests, the join/task_done tests and Python 3.13's shutdown tests): order,
 * bounds, the nowait variants, fairness of waiting getters and putters, cancellation safety
 * (including the races where the cancellation lands after the wake-up was scheduled),
 * taskDone/join, shutdown and shutdown(immediate), toString/statistics, null items, loop
 * confinement and a long producer/consumer run.
 *
 * <p>Skipped (Python-only): the {@code loop=} constructor argument, {@code repr} with {@code id()},
 * a float {@code maxsize}, {@code _format()}, poking at {@code _getters}/{@code _putters} directly.
 *
 * <p>A test that needs a loop is an {@link AsyncioTest}: its body is the loop's main task, on the
 * virtual clock.
 */
class QueueTest {

    private static final RunOptions VC = RunOptions.defaults().withVirtualClock(true);

    private static double now() {
        return getRunningLoop().time();
    }


    // ------------------------------------------------------------------ basics

    @Test
    void getNowait_returnsItemsInFifoOrder() {
        Queue<Integer> q = new Queue<>();
        for (int i : new int[] {1, 3, 2}) {
            q.putNowait(i);
        }
        assertEquals(List.of(1, 3, 2), List.of(q.getNowait(), q.getNowait(), q.getNowait()));
    }

    @AsyncioTest
    void get_inTasks_returnsItemsInFifoOrder() {
        Queue<String> q = new Queue<>();
        q.put("a");
        q.put("b");
        q.put("c");
        assertEquals(List.of("a", "b", "c"), List.of(q.get(), q.get(), q.get()));
    }

    @Test
    void isEmpty_tracksWhetherItemsAreHeld() {
        Queue<Integer> q = new Queue<>();
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        q.putNowait(1);
        assertFalse(q.isEmpty());
        assertEquals(1, q.size());
        assertEquals(1, q.getNowait());
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
    }

    @Test
    void isFull_onlyForABoundedQueueAtCapacity() {
        Queue<Integer> unbounded = new Queue<>();
        assertFalse(unbounded.isFull());
        Queue<Integer> q = new Queue<>(2);
        assertEquals(2, q.maxSize());
        q.putNowait(1);
        assertFalse(q.isFull());
        q.putNowait(2);
        assertTrue(q.isFull());
        q.getNowait();
        assertFalse(q.isFull());
    }

    @Test
    void maxSize_zeroOrNegative_meansUnbounded() {
        for (Queue<Integer> q : List.of(new Queue<Integer>(), new Queue<Integer>(0), new Queue<Integer>(-5))) {
            assertEquals(0, q.maxSize());
            for (int i = 0; i < 1000; i++) {
                q.putNowait(i);
            }
            assertFalse(q.isFull());
            assertEquals(1000, q.size());
        }
    }

    @Test
    void putNowait_onFullQueue_throwsQueueFullExceptionAndInsertsNothing() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        assertThrows(QueueFullException.class, () -> q.putNowait(2));
        assertEquals(1, q.size());
        assertEquals(1, q.statistics().unfinishedTasks());
        assertEquals(1, q.getNowait());
        assertThrows(QueueEmptyException.class, q::getNowait);
    }

    @Test
    void getNowait_onEmptyQueue_throwsQueueEmptyException() {
        Queue<Integer> q = new Queue<>();
        assertThrows(QueueEmptyException.class, q::getNowait);
        q.putNowait(7);
        assertEquals(7, q.getNowait());
        assertThrows(QueueEmptyException.class, q::getNowait);
    }

    @Test
    void queueExceptions_areUnchecked() {
        assertInstanceOf(RuntimeException.class, new QueueFullException());
        assertInstanceOf(RuntimeException.class, new QueueEmptyException());
        assertInstanceOf(RuntimeException.class, new QueueShutDownException());
    }

    // ------------------------------------------------------------------ suspending put / get

    @AsyncioTest
    void put_suspendsWhileFull_andResumesWhenAnItemIsTaken() {
        Queue<Integer> q = new Queue<>(2);
        List<Integer> havePut = new ArrayList<>();
        Task<Boolean> putter = createTask(() -> {
            for (int i = 0; i < 3; i++) {
                q.put(i);
                havePut.add(i);
            }
            return true;
        });
        sleep(0.01);
        assertEquals(List.of(0, 1), havePut, "the putter blocks after two items");
        assertTrue(q.isFull());
        assertFalse(putter.isDone());
        assertEquals(0, q.getNowait());
        sleep(0.01);
        assertEquals(List.of(0, 1, 2), havePut);
        assertEquals(1, q.getNowait());
        assertEquals(2, q.getNowait());
        assertTrue(putter.isDone());
        assertTrue(putter.resultNow());
        assertEquals(0.02, now(), 0.005);
    }

    @AsyncioTest
    void put_onUnboundedQueue_neverSuspends() {
        Queue<Integer> q = new Queue<>();
        Order o = new Order();
        createTask(() -> o.expect(3));
        o.expect(1);
        for (int i = 0; i < 100; i++) {
            q.put(i);
        }
        o.expect(2);                          // put on an unbounded queue must not give the loop up
        sleep(0);
        o.finish(4);
        assertEquals(100, q.size());
    }

    @AsyncioTest
    void get_withItemAvailable_doesNotSuspend() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        Order o = new Order();
        createTask(() -> o.expect(3));
        o.expect(1);
        assertEquals(1, q.get());
        o.expect(2);                          // the get did not give the loop up
        sleep(0);
        o.finish(4);
    }

    @AsyncioTest
    void get_suspendsUntilAnItemIsPut() {
        Queue<Integer> q = new Queue<>();
        AtomicBoolean finished = new AtomicBoolean();
        getRunningLoop().callLater(0.01, () -> q.putNowait(1));
        Task<Integer> getter = createTask(() -> {
            int v = q.get();
            finished.set(true);
            return v;
        });
        sleep(0);
        assertFalse(finished.get());
        assertEquals(1, q.statistics().getters());
        assertEquals(1, getter.await());
        assertTrue(finished.get());
        assertEquals(0.01, now(), 0.005);
    }

    @AsyncioTest
    void put_suspendsUntilASlotIsFree() {
        Queue<Integer> q = new Queue<>(1);
        AtomicBoolean finished = new AtomicBoolean();
        getRunningLoop().callLater(0.01, () -> q.getNowait());
        Task<Void> putter = createTask(() -> {
            q.put(1);
            q.put(2);
            finished.set(true);
        });
        sleep(0);
        assertFalse(finished.get());
        assertEquals(1, q.statistics().putters());
        putter.await();
        assertTrue(finished.get());
        assertEquals(0.01, now(), 0.005);
        assertEquals(List.of(2), drain(q));
    }

    @AsyncioTest
    void get_withWaitingPutters_letsThemInInOrder() {
        Queue<String> q = new Queue<>(1);
        createTask(() -> q.put("a"));
        createTask(() -> q.put("b"));
        runBriefly();
        assertEquals("a", q.get());
        assertEquals("b", q.get());
    }

    @AsyncioTest
    void put_withWaitingGetter_handsTheItemToIt() {
        Queue<String> q = new Queue<>();
        Task<String> getter = createTask(() -> q.get());
        runBriefly();
        q.put("a");
        assertEquals("a", getter.await());
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void waitFor_get_itemArrivingBeforeTheTimeout_isReturned() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> getter = createTask(() -> waitFor(() -> q.get(), Duration.ofMillis(51)));
        sleep(0.01);
        q.putNowait(1);
        assertEquals(1, getter.await());
        assertEquals(0.01, now(), 0.005);
    }

    // ------------------------------------------------------------------ fairness

    @AsyncioTest
    void waitingGetters_areServedInArrivalOrder() {
        Queue<Integer> q = new Queue<>();
        List<String> got = new ArrayList<>();
        List<Task<Void>> getters = new ArrayList<>();
        for (String name : List.of("g1", "g2", "g3")) {
            getters.add(createTask(() -> {
                got.add(name + "=" + q.get());
            }));
            sleep(0);
        }
        assertEquals(3, q.statistics().getters());
        q.putNowait(1);
        q.putNowait(2);
        q.putNowait(3);
        gather(getters);
        assertEquals(List.of("g1=1", "g2=2", "g3=3"), got);
    }

    @AsyncioTest
    void getNowait_withAWokenGetterPending_takesTheItem_andTheGetterWaitsAgainFirstInLine() {
        // Python's model: a woken getter has taken nothing until it runs, so isEmpty(), size()
        // and getNowait() agree; the overtaken getter keeps its place at the head of the line.
        Queue<String> q = new Queue<>();
        List<String> got = new ArrayList<>();
        Task<Void> g1 = createTask(() -> { got.add("g1=" + q.get()); });
        runBriefly();
        Task<Void> g2 = createTask(() -> { got.add("g2=" + q.get()); });
        runBriefly();
        q.putNowait("a");                       // wakes g1, which has not run yet
        assertEquals(1, q.size());
        assertFalse(q.isEmpty());
        assertEquals("a", q.getNowait(), "not empty, so getNowait succeeds");
        runBriefly();                           // g1 finds nothing and waits again
        assertEquals(2, q.statistics().getters());
        q.putNowait("b");
        q.putNowait("c");
        gather(g1, g2);
        assertEquals(List.of("g1=b", "g2=c"), got, "g1 kept its place ahead of g2");
    }

    @AsyncioTest
    void waitingPutters_areServedInArrivalOrder() {
        Queue<String> q = new Queue<>(1);
        q.putNowait("first");
        List<Task<Void>> putters = new ArrayList<>();
        for (String item : List.of("p1", "p2", "p3")) {
            putters.add(createTask(() -> q.put(item)));
            sleep(0);
        }
        assertEquals(3, q.statistics().putters());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(q.get());
        }
        gather(putters);
        assertEquals(List.of("first", "p1", "p2", "p3"), got);
    }

    @AsyncioTest
    void putNowait_withAWokenPutterPending_succeedsWhileNotFull_andThePutterWaitsAgainFirstInLine() {
        // Issue 8, item 9: putNowait threw QueueFullException while size()==0 and
        // isFull()==false (a slot reserved for a woken putter). Now isFull()==false means
        // putNowait succeeds; the overtaken putter keeps its place at the head of the line.
        Queue<String> q = new Queue<>(1);
        q.putNowait("x");
        Task<Void> p1 = createTask(() -> q.put("p1"));
        runBriefly();
        Task<Void> p2 = createTask(() -> q.put("p2"));
        runBriefly();
        assertEquals("x", q.getNowait());      // wakes p1, which has not run yet
        assertEquals(0, q.size());
        assertFalse(q.isFull());
        q.putNowait("newcomer");                // not full, so it must succeed
        assertTrue(q.isFull());
        runBriefly();                           // p1 finds the queue full and waits again
        assertEquals(2, q.statistics().putters());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(q.get());
        }
        gather(p1, p2);
        assertEquals(List.of("newcomer", "p1", "p2"), got, "p1 kept its place ahead of p2");
    }

    @Test
    void putNowait_onFullQueue_messageStatesSizeAndMaxSize() {
        Queue<Integer> q = new Queue<>(2);
        q.putNowait(1);
        q.putNowait(2);
        var e = assertThrows(QueueFullException.class, () -> q.putNowait(3));
        assertTrue(e.getMessage().contains("size 2") && e.getMessage().contains("maxSize 2"), e.getMessage());
    }

    @AsyncioTest
    void wokenGettersAndPutters_manyOvertaken_keepTheirArrivalOrder() {
        Queue<Integer> q = new Queue<>();
        List<String> got = new ArrayList<>();
        List<Task<Void>> getters = new ArrayList<>();
        for (String name : List.of("g1", "g2", "g3")) {
            getters.add(createTask(() -> { got.add(name + "=" + q.get()); }));
            runBriefly();
        }
        q.putNowait(1);                         // wakes g1
        q.putNowait(2);                         // wakes g2
        assertEquals(1, q.getNowait());        // both overtaken before they run
        assertEquals(2, q.getNowait());
        runBriefly();                           // g1, then g2, wait again ahead of g3
        assertEquals(3, q.statistics().getters());
        q.putNowait(10);
        q.putNowait(20);
        q.putNowait(30);
        gather(getters);
        assertEquals(List.of("g1=10", "g2=20", "g3=30"), got);
    }

    @AsyncioTest
    void isEmptyAndIsFull_alwaysAgreeWithTheNowaitCalls_underManyProducersAndConsumers() {
        Queue<Integer> q = new Queue<>(3);
        java.util.Random rnd = new java.util.Random(42);
        List<Integer> got = new ArrayList<>();
        List<Task<Void>> tasks = new ArrayList<>();
        int[] next = {0};
        for (int p = 0; p < 4; p++) {
            tasks.add(createTask(() -> {
                for (int i = 0; i < 50; i++) {
                    q.put(next[0]++);
                    sleep(0.001 * rnd.nextInt(3));
                }
            }));
        }
        for (int c = 0; c < 4; c++) {
            tasks.add(createTask(() -> {
                for (int i = 0; i < 50; i++) {
                    got.add(q.get());
                    sleep(0.001 * rnd.nextInt(3));
                }
            }));
        }
        int probes = 0;
        while (!tasks.stream().allMatch(Task::isDone)) {
            if (!q.isFull() && rnd.nextInt(4) == 0) {
                q.putNowait(-1);                // must not throw: isFull() said there is room
                probes++;
            }
            if (!q.isEmpty() && rnd.nextInt(2) == 0) {
                Integer x = q.getNowait();      // must not throw: isEmpty() said there is one
                if (x != -1) {
                    got.add(x);
                }
            }
            sleep(0.001);
        }
        while (!q.isEmpty()) {
            Integer x = q.getNowait();
            if (x != -1) {
                got.add(x);
            }
        }
        assertTrue(probes > 0);
        got.removeIf(x -> x == -1);
        assertEquals(200, got.size());
        assertEquals(200, new java.util.HashSet<>(got).size(), "every item got exactly once");
    }

    // ------------------------------------------------------------------ cancellation safety

    @AsyncioTest
    void get_cancelledWhileWaiting_takesNothingAndIsNotCounted() {
        Queue<Integer> q = new Queue<>();
        assertThrows(AsyncTimeoutException.class, () -> waitFor(() -> q.get(), Duration.ofMillis(10)));
        assertEquals(0, q.statistics().getters(), "a cancelled getter is not held as waiting");
        q.putNowait(1);
        assertEquals(1, q.size());
        assertEquals(1, q.getNowait());
    }

    @AsyncioTest
    void get_cancelledBeforeAnItemArrives_nextGetterReceivesIt() {
        Queue<String> q = new Queue<>();
        Task<String> t1 = createTask(() -> q.get());
        Task<String> t2 = createTask(() -> q.get());
        runBriefly();
        t1.cancel();
        runBriefly();
        assertTrue(t1.isCancelled());
        q.putNowait("a");
        runBriefly();
        assertEquals("a", t2.resultNow());
    }

    @AsyncioTest
    void get_cancelledAfterItsWakeUpWasScheduled_leavesTheItemForTheNextGetter() {
        Queue<String> q = new Queue<>();
        Task<String> t1 = createTask(() -> q.get());
        Task<String> t2 = createTask(() -> q.get());
        runBriefly();
        q.putNowait("a");          // wakes t1 with a reservation on "a"
        assertTrue(t1.cancel());   // lands before t1 ran
        runBriefly();
        assertTrue(t1.isCancelled());
        assertEquals("a", t2.resultNow());
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void get_cancelledAfterWakeUp_itemOrderIsPreservedForLaterGetters() {
        Queue<String> q = new Queue<>();
        Task<String> t1 = createTask(() -> q.get());
        Task<String> t2 = createTask(() -> q.get());
        Task<String> t3 = createTask(() -> q.get());
        runBriefly();
        q.putNowait("a");          // reserved for t1
        q.putNowait("b");          // reserved for t2
        t1.cancel();
        runBriefly();
        assertTrue(t1.isCancelled());
        assertEquals("a", t2.resultNow());
        assertEquals("b", t3.resultNow());
        assertTrue(q.isEmpty());
        assertEquals(2, q.statistics().unfinishedTasks());
    }

    @AsyncioTest
    void get_cancelledAfterWakeUpWithNoOtherGetter_itemStaysInTheQueue() {
        Queue<String> q = new Queue<>();
        Task<String> t1 = createTask(() -> q.get());
        runBriefly();
        q.putNowait("a");
        t1.cancel();
        runBriefly();
        assertTrue(t1.isCancelled());
        assertEquals(1, q.size());
        assertEquals("a", q.getNowait(), "the cancelled getter's reservation must be released");
    }

    @AsyncioTest
    void getter_cancelledAfterWakeUp_consumerSeesCancelledException() {
        Queue<String> q = new Queue<>();
        Task<String> t1 = createTask(() -> q.get());
        runBriefly();
        q.putNowait("a");
        t1.cancel("stop");
        CancelledException e = assertThrows(CancelledException.class, t1::await);
        assertEquals("stop", e.getMessage());
        assertEquals(List.of("a"), drain(q));
    }

    @AsyncioTest
    void put_cancelledWhileWaiting_neverInserts() {
        Queue<String> q = new Queue<>(1);
        Task<Void> putA = createTask(() -> q.put("a"));
        Task<Void> putB = createTask(() -> q.put("b"));
        Task<Void> putX = createTask(() -> q.put("X"));
        runBriefly();
        assertTrue(putA.isDone());
        assertFalse(putB.isDone());
        putX.cancel();
        runBriefly();
        assertTrue(putX.isCancelled());
        assertEquals(1, q.statistics().putters(), "a cancelled putter is not held as waiting");
        assertEquals("a", q.getNowait());
        runBriefly();
        assertEquals("b", q.getNowait());
        putB.await();
        runBriefly();
        assertTrue(q.isEmpty(), "the cancelled put must not have inserted X");
        assertEquals(2, q.statistics().unfinishedTasks());
    }

    @AsyncioTest
    void put_timingOutOnAFullQueue_insertsNothing() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        assertThrows(AsyncTimeoutException.class, () -> waitFor(() -> {
            q.put(2);
            return null;
        }, Duration.ofMillis(10)));
        assertEquals(0, q.statistics().putters());
        assertEquals(List.of(1), drain(q));
        q.putNowait(3);
        assertEquals(List.of(3), drain(q));
    }

    @AsyncioTest
    void put_cancelledAfterItsWakeUpWasScheduled_passesTheSlotToTheNextPutter() {
        Queue<String> q = new Queue<>(1);
        q.putNowait("x");
        Task<Void> p1 = createTask(() -> q.put("a"));
        Task<Void> p2 = createTask(() -> q.put("b"));
        runBriefly();
        assertEquals(2, q.statistics().putters());
        assertEquals("x", q.getNowait());   // wakes p1 with the free slot
        assertTrue(p1.cancel());            // lands before p1 ran
        runBriefly();
        assertTrue(p1.isCancelled());
        assertTrue(p2.isDone(), "p2 must get the slot p1 gave back");
        p2.await();
        assertEquals(List.of("b"), drain(q), "the cancelled put must not insert");
    }

    @AsyncioTest
    void put_cancelledAfterWakeUpWithNoOtherPutter_slotIsFreeForNewcomers() {
        Queue<String> q = new Queue<>(1);
        q.putNowait("x");
        Task<Void> p1 = createTask(() -> q.put("a"));
        runBriefly();
        q.getNowait();
        p1.cancel();
        runBriefly();
        assertTrue(p1.isCancelled());
        assertTrue(q.isEmpty());
        q.putNowait("newcomer");            // the reserved slot was released
        assertEquals(List.of("newcomer"), drain(q));
    }

    // ------------------------------------------------------------------ taskDone / join

    @Test
    void taskDone_withNothingUnfinished_throwsIllegalStateException() {
        Queue<Integer> q = new Queue<>();
        assertThrows(IllegalStateException.class, q::taskDone);
        q.putNowait(1);
        q.getNowait();
        q.taskDone();
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    @AsyncioTest
    void join_returnsOnceEveryItemIsMarkedDone() {
        Queue<Integer> q = new Queue<>();
        for (int i = 0; i < 100; i++) {
            q.putNowait(i);
        }
        AtomicInteger sum = new AtomicInteger();
        List<Task<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            workers.add(createTask(() -> {
                while (true) {
                    int item = q.get();
                    sleep(0.001);
                    sum.addAndGet(item);
                    q.taskDone();
                }
            }));
        }
        q.join();
        assertEquals(4950, sum.get());
        assertEquals(0, q.statistics().unfinishedTasks());
        workers.forEach(Task::cancel);
    }

    @AsyncioTest
    void join_onAQueueWithNothingUnfinished_returnsAtOnce() {
        Queue<Integer> q = new Queue<>();
        Order o = new Order();
        createTask(() -> o.expect(3));
        o.expect(1);
        q.join();
        q.join();
        o.expect(2);                          // join on an empty queue must not suspend
        sleep(0);
        o.finish(4);
    }

    @AsyncioTest
    void join_waitsForTaskDoneNotMerelyForTheItemsToBeTaken() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.putNowait(2);
        Task<Double> joiner = createTask(() -> {
            q.join();
            return now();
        });
        q.getNowait();
        q.getNowait();
        sleep(1);
        assertFalse(joiner.isDone(), "items taken but not done");
        q.taskDone();
        sleep(1);
        assertFalse(joiner.isDone(), "one item still unfinished");
        q.taskDone();
        assertEquals(2.0, joiner.await(), 0.05);
    }

    @AsyncioTest
    void join_wakesEveryJoiner() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        List<Task<Void>> joiners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            joiners.add(createTask(() -> q.join()));
        }
        runBriefly();
        assertTrue(joiners.stream().noneMatch(Task::isDone));
        q.getNowait();
        q.taskDone();
        runBriefly();
        assertTrue(joiners.stream().allMatch(Task::isDone));
    }

    // ------------------------------------------------------------------ shutdown

    @AsyncioTest
    void shutdown_ofEmptyQueue_putAndGetThrowQueueShutDownException() {
        Queue<Integer> q = new Queue<>();
        assertFalse(q.isShutdown());
        q.shutdown();
        assertTrue(q.isShutdown());
        assertThrows(QueueShutDownException.class, () -> q.put(1));
        assertThrows(QueueShutDownException.class, () -> q.putNowait(1));
        assertThrows(QueueShutDownException.class, q::get);
        assertThrows(QueueShutDownException.class, q::getNowait);
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void shutdown_keepsItemsForGetters_thenGetThrowsQueueShutDownException() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.putNowait(2);
        q.putNowait(3);
        q.shutdown();
        assertThrows(QueueShutDownException.class, () -> q.putNowait(4));
        assertEquals(1, q.get());
        assertEquals(2, q.getNowait());
        assertEquals(3, q.get());
        assertThrows(QueueShutDownException.class, q::get);
        assertThrows(QueueShutDownException.class, q::getNowait);
    }

    @AsyncioTest
    void shutdown_joinStillWaitsForTheRemainingItemsToBeDone() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.putNowait(2);
        q.shutdown();
        Task<Void> joiner = createTask(() -> q.join());
        runBriefly();
        assertFalse(joiner.isDone());
        q.get();
        q.taskDone();
        runBriefly();
        assertFalse(joiner.isDone());
        q.get();
        q.taskDone();
        joiner.await();
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    @AsyncioTest
    void shutdown_wakesWaitingPuttersWithQueueShutDownException() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        Task<Void> p1 = createTask(() -> q.put(2));
        Task<Void> p2 = createTask(() -> q.put(3));
        runBriefly();
        assertEquals(2, q.statistics().putters());
        q.shutdown();
        assertThrows(QueueShutDownException.class, p1::await);
        assertThrows(QueueShutDownException.class, p2::await);
        assertEquals(0, q.statistics().putters());
        assertEquals(List.of(1), drain(q), "the putters' items were not inserted");
    }

    @AsyncioTest
    void shutdown_wakesWaitingGettersOfAnEmptyQueueWithQueueShutDownException() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> g1 = createTask(() -> q.get());
        Task<Integer> g2 = createTask(() -> q.get());
        runBriefly();
        q.shutdown();
        assertThrows(QueueShutDownException.class, g1::await);
        assertThrows(QueueShutDownException.class, g2::await);
        assertEquals(0, q.statistics().getters());
    }

    @AsyncioTest
    void shutdown_afterAPutterWasWoken_putterFailsAndInsertsNothing() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        Task<Void> p = createTask(() -> q.put(2));
        runBriefly();
        assertEquals(1, q.getNowait());       // wakes p with the free slot
        q.shutdown();
        assertThrows(QueueShutDownException.class, p::await);
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void shutdown_afterAGetterWasWoken_getterStillGetsItsItem() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();
        q.putNowait(1);                       // wakes g with a reservation
        q.shutdown();
        assertEquals(1, g.await());
    }

    @AsyncioTest
    void shutdownImmediate_dropsItemsReleasesJoinAndFailsGets() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.putNowait(2);
        q.putNowait(3);
        Task<Void> joiner = createTask(() -> q.join());
        runBriefly();
        assertFalse(joiner.isDone());
        q.shutdown(true);
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        joiner.await();
        assertEquals(0, q.statistics().unfinishedTasks());
        assertThrows(QueueShutDownException.class, q::get);
        assertThrows(QueueShutDownException.class, q::getNowait);
        assertThrows(QueueShutDownException.class, () -> q.put(4));
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    @AsyncioTest
    void shutdownImmediate_itemsTakenButNotDone_stillHoldJoin() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.putNowait(2);
        assertEquals(1, q.getNowait());       // taken, not done
        q.shutdown(true);                      // drops 2
        assertEquals(1, q.statistics().unfinishedTasks());
        Task<Void> joiner = createTask(() -> q.join());
        runBriefly();
        assertFalse(joiner.isDone());
        q.taskDone();
        joiner.await();
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    @AsyncioTest
    void shutdownImmediate_failsWaitingGetters() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();
        q.shutdown(true);
        assertThrows(QueueShutDownException.class, g::await);
    }

    @AsyncioTest
    void shutdownImmediate_afterAGetterWasWoken_getterFails() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();
        q.putNowait(1);                       // wakes g, then the item is dropped
        q.shutdown(true);
        assertThrows(QueueShutDownException.class, g::await);
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void shutdownImmediate_wakesWaitingPutters() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        Task<Void> p = createTask(() -> q.put(2));
        runBriefly();
        q.shutdown(true);
        assertThrows(QueueShutDownException.class, p::await);
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void shutdown_calledTwiceOrImmediateAfterGraceful_isAllowed() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.shutdown();
        q.shutdown();
        assertEquals(1, q.size());
        q.shutdown(true);
        assertTrue(q.isEmpty());
        assertTrue(q.isShutdown());
        q.shutdown(false);
        assertTrue(q.isShutdown());
    }

    @Test
    void shutdown_outsideAnyLoop_works() {
        Queue<Integer> q = new Queue<>();
        q.putNowait(1);
        q.shutdown();
        assertEquals(1, q.getNowait());
        assertThrows(QueueShutDownException.class, q::getNowait);
        assertThrows(QueueShutDownException.class, () -> q.putNowait(2));
    }

    // ------------------------------------------------------------------ toString, statistics

    @Test
    void toString_showsClassSizeAndMaxSize() {
        Queue<Integer> q = new Queue<>();
        assertTrue(q.toString().startsWith("Queue"), q.toString());
        assertTrue(q.toString().contains("size=0"), q.toString());
        assertFalse(q.toString().contains("maxSize"), q.toString());
        Queue<Integer> b = new Queue<>(5);
        b.putNowait(1);
        assertTrue(b.toString().contains("size=1"), b.toString());
        assertTrue(b.toString().contains("maxSize=5"), b.toString());
        assertTrue(b.toString().contains("unfinished=1"), b.toString());
        b.shutdown();
        assertTrue(b.toString().contains("shut down"), b.toString());
    }

    @AsyncioTest
    void toString_showsWaitingGettersAndPutters() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();
        assertTrue(q.toString().contains("getters=1"), q.toString());
        q.putNowait(0);
        g.await();
        assertFalse(q.toString().contains("getters"), q.toString());

        Queue<Integer> b = new Queue<>(1);
        b.putNowait(1);
        Task<Void> p = createTask(() -> b.put(2));
        runBriefly();
        assertTrue(b.toString().contains("putters=1"), b.toString());
        b.getNowait();
        p.await();
        assertFalse(b.toString().contains("putters"), b.toString());
    }

    @AsyncioTest
    void statistics_reportsSizeCapacityWaitersUnfinishedAndShutdown() {
        Queue<Integer> q = new Queue<>(2);
        assertEquals(new Queue.Statistics(0, 2, 0, 0, 0, false), q.statistics());
        q.putNowait(1);
        q.putNowait(2);
        Task<Void> p = createTask(() -> q.put(3));
        runBriefly();
        assertEquals(new Queue.Statistics(2, 2, 0, 1, 2, false), q.statistics());
        assertEquals(1, q.get());
        p.await();
        q.taskDone();
        assertEquals(new Queue.Statistics(2, 2, 0, 0, 2, false), q.statistics());
        q.getNowait();
        q.getNowait();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();
        assertEquals(new Queue.Statistics(0, 2, 1, 0, 2, false), q.statistics());
        q.shutdown();
        assertThrows(QueueShutDownException.class, g::await);
        assertEquals(new Queue.Statistics(0, 2, 0, 0, 2, true), q.statistics());
    }

    // ------------------------------------------------------------------ arguments, confinement

    @AsyncioTest
    void nullItem_isRejectedWithNullPointerException() {
        Queue<String> q = new Queue<>();
        NullPointerException e = assertThrows(NullPointerException.class, () -> q.putNowait(null));
        assertTrue(String.valueOf(e.getMessage()).contains("item"), e.getMessage());
        assertThrows(NullPointerException.class, () -> q.put(null));
        assertTrue(q.isEmpty());
        assertEquals(0, q.statistics().unfinishedTasks());
    }

    @Test
    void queueCreatedOutsideALoop_isUsableInsideOne() {
        Queue<Integer> q = new Queue<>(1);
        q.putNowait(1);
        int v = Asyncio.run(() -> {
            Task<Void> p = createTask(() -> q.put(2));
            int a = q.get();
            p.await();
            return a * 10 + q.get();
        }, VC);
        assertEquals(12, v);
    }

    @Test
    void get_thatMustWait_outsideATask_throwsIllegalStateException() {
        Queue<Integer> q = new Queue<>();
        assertThrows(IllegalStateException.class, q::get);
        Queue<Integer> full = new Queue<>(1);
        full.putNowait(1);
        assertThrows(IllegalStateException.class, () -> full.put(2));
        assertEquals(1, full.size());
    }

    @AsyncioTest
    void queueThatWaitedInALoop_usedFromAPlainThreadWhileTheLoopRuns_throwsIllegalStateException() {
        Queue<Integer> q = new Queue<>();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();                          // g waits: the queue is bound to this loop
        Throwable fromThread = toThread(() -> {
            try {
                q.putNowait(1);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertInstanceOf(IllegalStateException.class, fromThread);
        assertTrue(q.isEmpty());
        assertFalse(g.isDone());
        q.putNowait(2);
        assertEquals(2, g.await());
    }

    @Test
    void queueThatWaitedInOneLoop_usedFromAnotherLoop_throwsIllegalStateException() {
        Queue<Integer> q = new Queue<>();
        Asyncio.run(() -> {
            Task<Integer> g = createTask(() -> q.get());
            runBriefly();
            q.putNowait(1);
            g.await();
        }, VC);
        Asyncio.run(() -> {
            assertThrows(IllegalStateException.class, () -> q.putNowait(2));
            assertThrows(IllegalStateException.class, q::get);
        }, VC);
    }

    // ------------------------------------------------------------------ producer / consumer

    @AsyncioTest
    void producerAndConsumer_move10000ItemsThroughABoundedQueueInOrderExactlyOnce() {
        int n = 10_000;
        Queue<Integer> q = new Queue<>(100);
        AtomicInteger maxSeen = new AtomicInteger();
        Task<Void> producer = createTask(() -> {
            for (int i = 0; i < n; i++) {
                q.put(i);
                maxSeen.accumulateAndGet(q.size(), Math::max);
                if (i % 37 == 0) {
                    sleep(0);
                }
            }
            q.shutdown();
        });
        Task<List<Integer>> consumer = createTask(() -> {
            List<Integer> out = new ArrayList<>();
            while (true) {
                int v;
                try {
                    v = q.get();
                } catch (QueueShutDownException e) {
                    return out;
                }
                out.add(v);
                q.taskDone();
                if (v % 53 == 0) {
                    sleep(0);
                }
            }
        });
        producer.await();
        List<Integer> received = consumer.await();
        assertTrue(maxSeen.get() <= 100, "size never exceeds maxSize: " + maxSeen.get());
        assertEquals(0, q.statistics().unfinishedTasks());
        assertEquals(n, received.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, received.get(i), "item at index " + i);
        }
    }

    @AsyncioTest
    void severalProducersAndConsumers_everyItemArrivesExactlyOnce() {
        Queue<Integer> q = new Queue<>(3);
        List<Integer> got = new ArrayList<>();
        List<Task<Void>> producers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int base = p * 1000;
            producers.add(createTask(() -> {
                for (int i = 0; i < 250; i++) {
                    q.put(base + i);
                }
            }));
        }
        List<Task<Void>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            consumers.add(createTask(() -> {
                while (true) {
                    got.add(q.get());
                    q.taskDone();
                }
            }));
        }
        gather(producers);
        q.join();
        consumers.forEach(Task::cancel);
        assertEquals(1000, got.size());
        assertEquals(1000, got.stream().distinct().count());
    }
}
