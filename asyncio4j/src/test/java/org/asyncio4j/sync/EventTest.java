package org.asyncio4j.sync;

import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Order;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Event behaviours ported from CPython's Lib/test/test_asyncio/test_locks.py (EventTests): wait,
 * wait on a set event, wait cancelled, clear, clear with waiters, repr (toString), ambiguous
 * loops; plus cancellation after the wake-up and setting from another thread through
 * callSoonThreadsafe.
 */
@Timeout(10)
class EventTest {

    private static void settle() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    @Test
    void newEvent_isNotSet() {
        var ev = new Event();
        assertFalse(ev.isSet());
        assertEquals(new Event.Statistics(false, 0), ev.statistics());
    }

    @Test
    void setAndClear_toggleTheFlag() {
        // test_clear
        var ev = new Event();
        ev.set();
        assertTrue(ev.isSet());
        ev.set();
        assertTrue(ev.isSet());
        ev.clear();
        assertFalse(ev.isSet());
        ev.clear();
        assertFalse(ev.isSet());
    }

    @Test
    void await_wakesAllWaitersInArrivalOrderWhenSet() {
        // test_wait: c1, c2 wait; c3 created; set -> Python gives [3, 1, 2] because c3 had not
        // started; here likewise the already-waiting tasks are woken in arrival order
        List<Integer> got = runVc(() -> {
            var ev = new Event();
            var result = new ArrayList<Integer>();
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 1; i <= 5; i++) {
                int id = i;
                tasks.add(createTask(() -> { ev.await(); result.add(id); }));
                settle();
            }
            assertEquals(List.of(), result);
            assertEquals(5, ev.statistics().waiters());
            Task<Void> late = createTask(() -> { ev.await(); result.add(6); });
            ev.set();
            assertEquals(0, ev.statistics().waiters());
            for (var t : tasks) {
                t.await();
                assertNull(t.resultNow());
            }
            late.await();
            return result;
        });
        assertEquals(List.of(6, 1, 2, 3, 4, 5), got, "the not-yet-started task runs first, then waiters in order");
    }

    @Test
    void await_onSetEvent_returnsWithoutSuspending() {
        // test_wait_on_set
        var order = new Order();
        runVc(() -> {
            var ev = new Event();
            ev.set();
            order.expect(1);
            Task<Void> other = createTask(() -> order.expect(3));
            ev.await();
            order.expect(2);
            other.await();
            order.finish(4);
        });
    }

    @Test
    void await_onSetEvent_worksOutsideALoop() {
        var ev = new Event();
        ev.set();
        ev.await();
        assertTrue(ev.isSet());
    }

    @Test
    void await_unsetOutsideATask_throwsIllegalStateException() {
        var ev = new Event();
        var e = assertThrows(IllegalStateException.class, ev::await);
        assertTrue(e.getMessage().contains("task"), e.getMessage());
    }

    @Test
    void cancel_whileWaiting_throwsCancelledAndLeavesNoWaiter() {
        // test_wait_cancel
        runVc(() -> {
            var ev = new Event();
            Task<Void> w = createTask(() -> { ev.await(); });
            Task<Void> other = createTask(() -> { ev.await(); });
            settle();
            assertEquals(2, ev.statistics().waiters());
            w.cancel("stop");
            var e = assertThrows(CancelledException.class, w::await);
            assertTrue(w.isCancelled());
            assertEquals(1, ev.statistics().waiters());
            ev.set();
            other.await();
            assertTrue(other.isDone() && !other.isCancelled());
            assertEquals(0, ev.statistics().waiters());
            assertNotNull(e);
        });
    }

    @Test
    void cancel_whileWaiting_messageReachesTheWaiter() {
        String msg = runVc(() -> {
            var ev = new Event();
            Task<String> w = createTask(() -> {
                try {
                    ev.await();
                    return "woken";
                } catch (CancelledException e) {
                    return "cancelled: " + e.getMessage();
                }
            });
            settle();
            w.cancel("bye");
            return w.await();
        });
        assertEquals("cancelled: bye", msg);
    }

    @Test
    void cancel_afterSetWokeTheWaiter_throwsCancelledException() {
        runVc(() -> {
            var ev = new Event();
            var log = new ArrayList<String>();
            Task<Void> a = createTask(() -> {
                try {
                    ev.await();
                    log.add("A returned");
                } catch (CancelledException e) {
                    log.add("A cancelled");
                    throw e;
                }
            });
            Task<Void> b = createTask(() -> { ev.await(); log.add("B returned"); });
            settle();
            ev.set();                   // both woken
            a.cancel();                 // A cancelled before it ran
            assertThrows(CancelledException.class, a::await);
            b.await();
            assertEquals(List.of("A cancelled", "B returned"), log);
            assertTrue(ev.isSet(), "the cancelled waiter does not touch the flag");
            assertEquals(0, ev.statistics().waiters());
        });
    }

    @Test
    void clear_afterSetBeforeWaiterRuns_waiterStillReturns() {
        // test_clear_with_waiters
        runVc(() -> {
            var ev = new Event();
            var result = new ArrayList<Integer>();
            Task<Boolean> t = createTask(() -> { ev.await(); result.add(1); return true; });
            settle();
            assertEquals(List.of(), result);
            ev.set();
            ev.clear();
            assertFalse(ev.isSet());
            ev.set();
            ev.set();
            assertEquals(0, ev.statistics().waiters(), "a woken waiter leaves the queue at once");
            settle();
            assertEquals(List.of(1), result);
            assertTrue(t.isDone());
            assertTrue(t.resultNow());
        });
    }

    @Test
    void clear_thenAwait_waitsForTheNextSet() {
        runVc(() -> {
            var ev = new Event();
            ev.set();
            ev.clear();
            Task<Void> w = createTask(() -> { ev.await(); });
            settle();
            assertFalse(w.isDone());
            assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(Duration.ofSeconds(5), () -> { ev.await(); }));
            assertEquals(1, ev.statistics().waiters(), "the timed-out wait left the queue");
            ev.set();
            w.await();
        });
    }

    @Test
    void set_fromPlainThreadThroughCallSoonThreadsafe_wakesWaiter() {
        String r = Asyncio.run(() -> {
            var ev = new Event();
            EventLoop loop = getRunningLoop();
            Task<String> w = createTask(() -> { ev.await(); return "woken"; });
            sleep(0);
            var thread = Thread.ofPlatform().start(() -> loop.callSoonThreadsafe(ev::set));
            String v = Asyncio.waitFor(w, Duration.ofSeconds(5));
            thread.join();
            return v;
        });
        assertEquals("woken", r);
    }

    @Test
    void toString_showsStateAndWaiters() {
        // test_repr
        runVc(() -> {
            var ev = new Event();
            assertEquals("Event[unset]", ev.toString());
            ev.set();
            assertEquals("Event[set]", ev.toString());
            ev.clear();
            Task<Void> a = createTask(() -> { ev.await(); });
            Task<Void> b = createTask(() -> { ev.await(); });
            settle();
            assertEquals("Event[unset, waiters=2]", ev.toString());
            assertEquals(new Event.Statistics(false, 2), ev.statistics());
            ev.set();
            assertEquals("Event[set]", ev.toString());
            assertEquals(new Event.Statistics(true, 0), ev.statistics());
            a.await();
            b.await();
        });
    }

    @Test
    void uncontendedUse_inTwoConsecutiveRuns_works() {
        var ev = new Event();
        Asyncio.run(() -> { ev.set(); ev.await(); });
        Asyncio.run(() -> { ev.await(); ev.clear(); });
        assertFalse(ev.isSet());
    }

    @Test
    void boundEvent_usedFromPlainThreadWhileLoopRuns_throwsIllegalStateException() {
        runVc(() -> {
            var ev = new Event();
            Task<Void> w = createTask(() -> { ev.await(); });
            settle();
            RuntimeException e = toThread(() -> {
                try {
                    ev.set();
                    return null;
                } catch (RuntimeException x) {
                    return x;
                }
            });
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
            assertFalse(ev.isSet());
            assertFalse(w.isDone());
            ev.set();
            w.await();
        });
    }

    @Test
    void boundEvent_usedFromASecondLoop_throwsIllegalStateException() {
        // test_ambiguous_loops
        var ev = new Event();
        runVc(() -> {
            Task<Void> w = createTask(() -> { ev.await(); });
            settle();
            ev.set();
            w.await();
        });
        var e = assertThrows(IllegalStateException.class, () -> runVc(() -> { ev.clear(); }));
        assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
        assertTrue(ev.isSet());
    }
}
