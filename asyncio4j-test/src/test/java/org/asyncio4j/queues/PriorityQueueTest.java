package org.asyncio4j.queues;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.queues.QueueTesting.drain;
import static org.asyncio4j.queues.QueueTesting.runBriefly;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.asyncio4j.test.AsyncioTest;
import org.junit.jupiter.api.Test;

/**
 * PriorityQueue behaviours ported from CPython's Lib/test/test_asyncio/test_queues.py
 * (PriorityQueueTests plus the shared Queue behaviours run against a PriorityQueue): smallest
 * first in natural order or a comparator's, bounds, waiting getters, join, shutdown.
 *
 * <p>Skipped (Python-only): tuples {@code (priority, item)} compared element-wise (a comparator
 * does that in Java).
 *
 * <p>A test that needs a loop is an {@link AsyncioTest}: its body is the loop's main task, on the
 * virtual clock.
 */
class PriorityQueueTest {

    record Job(String name, int priority) {
    }

    @Test
    void getNowait_returnsSmallestFirstInNaturalOrder() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        for (int i : new int[] {1, 3, 2}) {
            q.putNowait(i);
        }
        assertEquals(List.of(1, 2, 3), drain(q));
    }

    @AsyncioTest
    void get_returnsSmallestFirstAcrossInterleavedPutsAndGets() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        q.put(5);
        q.put(1);
        q.put(4);
        assertEquals(1, q.get());
        q.put(0);
        q.put(3);
        assertEquals(0, q.get());
        assertEquals(3, q.get());
        assertEquals(4, q.get());
        assertEquals(5, q.get());
    }

    @Test
    void comparator_definesTheOrder() {
        PriorityQueue<String> q = new PriorityQueue<>(Comparator.comparingInt(String::length));
        for (String s : List.of("ccc", "a", "dddd", "bb")) {
            q.putNowait(s);
        }
        assertEquals(List.of("a", "bb", "ccc", "dddd"), drain(q));

        PriorityQueue<Job> jobs = new PriorityQueue<>(Comparator.comparingInt(Job::priority).reversed());
        jobs.putNowait(new Job("low", 1));
        jobs.putNowait(new Job("high", 9));
        jobs.putNowait(new Job("mid", 5));
        assertEquals(List.of("high", "mid", "low"), drain(jobs).stream().map(Job::name).toList());
    }

    @Test
    void nullComparator_meansNaturalOrder() {
        PriorityQueue<Integer> q = new PriorityQueue<>(0, null);
        q.putNowait(2);
        q.putNowait(1);
        assertEquals(List.of(1, 2), drain(q));
    }

    @Test
    void boundedWithComparator_hasCapacityAndOrder() {
        PriorityQueue<Integer> q = new PriorityQueue<>(2, Comparator.reverseOrder());
        assertEquals(2, q.maxSize());
        q.putNowait(1);
        q.putNowait(2);
        assertTrue(q.isFull());
        assertThrows(QueueFullException.class, () -> q.putNowait(3));
        assertEquals(List.of(2, 1), drain(q));
    }

    @Test
    void maxSize_zeroOrNegative_meansUnbounded() {
        for (PriorityQueue<Integer> q : List.of(new PriorityQueue<Integer>(0), new PriorityQueue<Integer>(-1))) {
            assertEquals(0, q.maxSize());
            for (int i = 0; i < 500; i++) {
                q.putNowait(500 - i);
            }
            assertFalse(q.isFull());
            assertEquals(1, q.getNowait());
        }
    }

    @Test
    void getNowait_onEmpty_throwsQueueEmptyException() {
        assertThrows(QueueEmptyException.class, () -> new PriorityQueue<Integer>().getNowait());
    }

    @AsyncioTest
    void put_suspendsWhileFull_andTheWaitingItemIsOrderedOnInsert() {
        PriorityQueue<Integer> q = new PriorityQueue<>(2);
        q.putNowait(5);
        q.putNowait(3);
        Task<Void> p = createTask(() -> q.put(1));
        runBriefly();
        assertFalse(p.isDone());
        assertEquals(3, q.get());
        p.await();
        assertEquals(List.of(1, 5), drain(q));
    }

    @AsyncioTest
    void wokenGetter_takesTheSmallestItemPresentWhenItRuns() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        Task<Integer> g = createTask(() -> q.get());
        runBriefly();
        q.putNowait(5);                  // wakes g
        q.putNowait(1);                  // arrives before g runs
        assertEquals(1, g.await());
        assertEquals(List.of(5), drain(q));
    }

    @AsyncioTest
    void waitingGetters_areServedInArrivalOrder() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        List<String> got = new ArrayList<>();
        List<Task<Void>> getters = new ArrayList<>();
        for (String name : List.of("g1", "g2")) {
            getters.add(createTask(() -> {
                got.add(name + "=" + q.get());
            }));
            sleep(0);
        }
        q.putNowait(7);
        sleep(0);
        q.putNowait(3);
        gather(getters);
        assertEquals(List.of("g1=7", "g2=3"), got);
    }

    @Test
    void nonComparableItem_inNaturalOrder_isRejectedAndTheQueueIsUnchanged() {
        PriorityQueue<Object> q = new PriorityQueue<>();
        q.putNowait(1);
        assertThrows(ClassCastException.class, () -> q.putNowait(new Object()));
        assertEquals(1, q.size());
        assertEquals(1, q.statistics().unfinishedTasks());
        assertEquals(1, q.getNowait());
    }

    @Test
    void nullItem_isRejectedWithNullPointerException() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        assertThrows(NullPointerException.class, () -> q.putNowait(null));
        assertTrue(q.isEmpty());
    }

    @AsyncioTest
    void taskDoneAndJoin_work() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        q.putNowait(2);
        q.putNowait(1);
        Task<Void> joiner = createTask(() -> q.join());
        assertEquals(1, q.get());
        q.taskDone();
        runBriefly();
        assertFalse(joiner.isDone());
        assertEquals(2, q.get());
        q.taskDone();
        joiner.await();
        assertThrows(IllegalStateException.class, q::taskDone);
    }

    @AsyncioTest
    void shutdown_gettersDrainInPriorityOrderThenQueueShutDownException() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        q.putNowait(3);
        q.putNowait(1);
        q.putNowait(2);
        q.shutdown();
        assertThrows(QueueShutDownException.class, () -> q.put(0));
        assertEquals(1, q.get());
        assertEquals(2, q.get());
        assertEquals(3, q.get());
        assertThrows(QueueShutDownException.class, q::get);
    }

    @AsyncioTest
    void shutdownImmediate_dropsItemsAndReleasesJoin() {
        PriorityQueue<Integer> q = new PriorityQueue<>();
        q.putNowait(3);
        q.putNowait(1);
        Task<Void> joiner = createTask(() -> q.join());
        runBriefly();
        q.shutdown(true);
        joiner.await();
        assertTrue(q.isEmpty());
        assertThrows(QueueShutDownException.class, q::getNowait);
    }

    @Test
    void toString_namesThePriorityQueue() {
        PriorityQueue<Integer> q = new PriorityQueue<>(3);
        q.putNowait(1);
        assertTrue(q.toString().startsWith("PriorityQueue"), q.toString());
        assertTrue(q.toString().contains("size=1"), q.toString());
        assertTrue(q.toString().contains("maxSize=3"), q.toString());
    }
}
