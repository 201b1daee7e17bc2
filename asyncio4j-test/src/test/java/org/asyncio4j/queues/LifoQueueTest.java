package org.asyncio4j.queues;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.queues.QueueTesting.drain;
import static org.asyncio4j.queues.QueueTesting.runBriefly;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.asyncio4j.test.AsyncioTest;
import org.junit.jupiter.api.Test;

/**
 * LifoQueue behaviours ported from CPython's Lib/test/test_asyncio/test_queues.py (LifoQueueTests
 * plus the shared Queue behaviours run against a LifoQueue): newest first, bounds, waiting getters
 * and putters, cancellation, join, shutdown.
 *
 * <p>A test that needs a loop is an {@link AsyncioTest}: its body is the loop's main task, on the
 * virtual clock.
 */
class LifoQueueTest {

    @Test
    void getNowait_returnsNewestFirst() {
        LifoQueue<Integer> q = new LifoQueue<>();
        for (int i : new int[] {1, 3, 2}) {
            q.putNowait(i);
        }
        assertEquals(List.of(2, 3, 1), drain(q));
    }

    @AsyncioTest
    void get_interleavedWithPut_returnsNewestFirst() {
        LifoQueue<String> q = new LifoQueue<>();
        q.put("a");
        q.put("b");
        assertEquals("b", q.get());
        q.put("c");
        assertEquals("c", q.get());
        assertEquals("a", q.get());
    }

    @Test
    void bounded_putNowaitWhenFull_throwsQueueFullException() {
        LifoQueue<Integer> q = new LifoQueue<>(2);
        assertEquals(2, q.maxSize());
        q.putNowait(1);
        q.putNowait(2);
        assertTrue(q.isFull());
        assertThrows(QueueFullException.class, () -> q.putNowait(3));
        assertEquals(List.of(2, 1), drain(q));
        assertThrows(QueueEmptyException.class, q::getNowait);
    }

    @Test
    void maxSize_zeroOrNegative_meansUnbounded() {
        for (LifoQueue<Integer> q : List.of(new LifoQueue<Integer>(0), new LifoQueue<Integer>(-3))) {
            assertEquals(0, q.maxSize());
            for (int i = 0; i < 500; i++) {
                q.putNowait(i);
            }
            assertFalse(q.isFull());
            assertEquals(499, q.getNowait());
        }
    }

    @AsyncioTest
    void put_suspendsWhileFull_andItsItemBecomesTheTop() {
        LifoQueue<Integer> q = new LifoQueue<>(2);
        q.putNowait(1);
        q.putNowait(2);
        Task<Void> p = createTask(() -> q.put(3));
        runBriefly();
        assertFalse(p.isDone());
        assertEquals(2, q.get());
        p.await();
        assertEquals(List.of(3, 1), drain(q));
    }

    @AsyncioTest
    void wokenGetter_takesTheNewestItemPresentWhenItRuns() {
        LifoQueue<String> q = new LifoQueue<>();
        Task<String> g = createTask(() -> q.get());
        runBriefly();
        q.putNowait("old");              // wakes g
        q.putNowait("new");              // arrives before g runs
        assertEquals("new", g.await());
        assertEquals(List.of("old"), drain(q));
    }

    @AsyncioTest
    void get_cancelledAfterWakeUp_leavesTheItemForTheNextGetter() {
        LifoQueue<String> q = new LifoQueue<>();
        Task<String> t1 = createTask(() -> q.get());
        Task<String> t2 = createTask(() -> q.get());
        runBriefly();
        q.putNowait("a");
        t1.cancel();
        runBriefly();
        assertTrue(t1.isCancelled());
        assertEquals("a", t2.resultNow());
    }

    @AsyncioTest
    void put_cancelledAfterWakeUp_passesTheSlotOnAndInsertsNothing() {
        LifoQueue<String> q = new LifoQueue<>(1);
        q.putNowait("x");
        Task<Void> p1 = createTask(() -> q.put("a"));
        Task<Void> p2 = createTask(() -> q.put("b"));
        runBriefly();
        assertEquals("x", q.getNowait());
        p1.cancel();
        runBriefly();
        assertTrue(p1.isCancelled());
        p2.await();
        assertEquals(List.of("b"), drain(q));
    }

    @AsyncioTest
    void taskDoneAndJoin_work() {
        LifoQueue<Integer> q = new LifoQueue<>();
        assertThrows(IllegalStateException.class, q::taskDone);
        q.putNowait(1);
        Task<Void> joiner = createTask(() -> q.join());
        runBriefly();
        assertFalse(joiner.isDone());
        q.get();
        q.taskDone();
        joiner.await();
    }

    @AsyncioTest
    void shutdown_gettersDrainNewestFirstThenQueueShutDownException() {
        LifoQueue<Integer> q = new LifoQueue<>();
        q.putNowait(1);
        q.putNowait(2);
        q.shutdown();
        assertThrows(QueueShutDownException.class, () -> q.putNowait(3));
        assertEquals(2, q.get());
        assertEquals(1, q.get());
        assertThrows(QueueShutDownException.class, q::get);
    }

    @AsyncioTest
    void shutdownImmediate_failsWaitingGettersAndPutters() {
        LifoQueue<Integer> empty = new LifoQueue<>();
        Task<Integer> g = createTask(() -> empty.get());
        LifoQueue<Integer> full = new LifoQueue<>(1);
        full.putNowait(1);
        Task<Void> p = createTask(() -> full.put(2));
        runBriefly();
        empty.shutdown(true);
        full.shutdown(true);
        assertThrows(QueueShutDownException.class, g::await);
        assertThrows(QueueShutDownException.class, p::await);
        assertTrue(full.isEmpty());
    }

    @Test
    void nullItem_isRejectedWithNullPointerException() {
        LifoQueue<Integer> q = new LifoQueue<>();
        assertThrows(NullPointerException.class, () -> q.putNowait(null));
        assertTrue(q.isEmpty());
    }

    @Test
    void toString_namesTheLifoQueue() {
        LifoQueue<Integer> q = new LifoQueue<>();
        assertTrue(q.toString().startsWith("LifoQueue"), q.toString());
        assertTrue(q.toString().contains("size=0"), q.toString());
    }
}
