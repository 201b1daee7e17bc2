package org.asyncio4j.sync;

import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Barrier behaviours ported from CPython's Lib/test/test_asyncio/test_locks.py (BarrierTests):
 * parties, filling one task / task by task / twice, return values (arrival indices), draining
 * state and tasks blocked while draining, reset while tasks wait, abort (also when a task
 * fails) and reset after abort, repr (toString); plus cancellation of a waiter and loop
 * confinement.
 */
@Timeout(10)
class BarrierTest {

    private static void settle() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    // ------------------------------------------------------------------ construction

    @Test
    void parties_lessThanOne_throwsIllegalArgumentException() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Barrier(-3));
    }

    @Test
    void newBarrier_reportsPartiesAndIsEmpty() {
        // test_barrier_parties
        var b = new Barrier(5);
        assertEquals(5, b.parties());
        assertEquals(0, b.waiting());
        assertFalse(b.isBroken());
        assertEquals(new Barrier.Statistics(5, 0, "filling"), b.statistics());
    }

    // ------------------------------------------------------------------ filling

    @Test
    void onePartyBarrier_returnsZeroAtOnce_everyTime() {
        // test_filling_one_task, test_filling_one_task_twice
        runVc(() -> {
            var b = new Barrier(1);
            assertEquals(0, b.await());
            assertEquals(0, b.await());
            assertEquals(0, b.waiting());
            assertFalse(b.isBroken());
            assertEquals("filling", b.statistics().state());
        });
    }

    @Test
    void await_suspendsUntilAllPartiesArrive() {
        // test_filling_task_by_task
        runVc(() -> {
            var b = new Barrier(3);
            Task<Integer> t1 = createTask(() -> b.await());
            settle();
            assertEquals(1, b.waiting());
            assertFalse(t1.isDone());
            Task<Integer> t2 = createTask(() -> b.await());
            settle();
            assertEquals(2, b.waiting());
            assertFalse(t1.isDone() || t2.isDone());
            int mine = b.await();
            assertEquals(2, mine, "the last to arrive gets parties-1");
            assertEquals(0, t1.await());
            assertEquals(1, t2.await());
            assertEquals(0, b.waiting());
            assertFalse(b.isBroken());
        });
    }

    @Test
    void await_returnsArrivalIndicesInArrivalOrder() {
        // test_filling_tasks_check_return_value
        runVc(() -> {
            int n = 5;
            var b = new Barrier(n);
            var tasks = new ArrayList<Task<Integer>>();
            for (int i = 0; i < n; i++) {
                tasks.add(createTask(() -> b.await()));
                settle();                   // task i arrives before task i+1
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, tasks.get(i).await());
            }
        });
    }

    @Test
    void barrier_canBeReusedForSeveralRounds() {
        // test_filling_tasks_wait_twice
        runVc(() -> {
            int n = 3;
            var b = new Barrier(n);
            var rounds = new ArrayList<List<Integer>>();
            var perRound = new ArrayList<Integer>();
            var tasks = new ArrayList<Task<List<Integer>>>();
            for (int i = 0; i < n; i++) {
                tasks.add(createTask(() -> {
                    var mine = new ArrayList<Integer>();
                    for (int r = 0; r < 4; r++) {
                        mine.add(b.await());
                        sleep(0.01);
                    }
                    return mine;
                }));
            }
            Set<Integer> round0 = new HashSet<>();
            for (var t : tasks) {
                var mine = t.await();
                assertEquals(4, mine.size());
                rounds.add(mine);
                round0.add(mine.get(0));
            }
            assertEquals(Set.of(0, 1, 2), round0);
            for (int r = 0; r < 4; r++) {
                perRound.clear();
                for (var mine : rounds) {
                    perRound.add(mine.get(r));
                }
                assertEquals(Set.of(0, 1, 2), new HashSet<>(perRound), "round " + r);
            }
            assertEquals(0, b.waiting());
            assertEquals("filling", b.statistics().state());
        });
    }

    @Test
    void tripping_drainsBeforeTheNextRound_andLateArrivalsBlockUntilDrained() {
        // test_draining_state, test_blocking_tasks_while_draining
        runVc(() -> {
            var b = new Barrier(2);
            var log = new ArrayList<String>();
            Task<Integer> a = createTask(() -> { int i = b.await(); log.add("a" + i); return i; });
            settle();
            Task<Integer> late = createTask(() -> { int i = b.await(); log.add("late" + i); return i; });
            int mine = b.await();                  // trips; a is woken but has not left
            assertEquals(1, mine);
            // main is done with the round; a and late have not run
            assertEquals("draining", b.statistics().state());
            assertEquals(0, b.waiting(), "nobody counts as waiting while draining");
            settle();
            assertEquals(List.of("a0"), log, "late waited for the drain, then started round two");
            assertEquals("filling", b.statistics().state());
            assertEquals(1, b.waiting());
            assertEquals(1, b.await(), "main completes round two as its second arrival");
            assertEquals(0, late.await());
            assertEquals(0, a.await());
        });
    }

    // ------------------------------------------------------------------ reset and abort

    @Test
    void reset_whileTasksWait_theyGetBrokenBarrierException_andBarrierIsUsableAgain() {
        // test_reset_barrier_while_tasks_waiting
        runVc(() -> {
            var b = new Barrier(3);
            Task<Integer> t1 = createTask(() -> b.await());
            Task<Integer> t2 = createTask(() -> b.await());
            settle();
            assertEquals(2, b.waiting());
            b.reset();
            assertEquals("resetting", b.statistics().state());
            var e1 = assertThrows(BrokenBarrierException.class, t1::await);
            assertThrows(BrokenBarrierException.class, t2::await);
            assertNotNull(e1.getMessage());
            assertFalse(b.isBroken(), "reset does not break it");
            assertEquals("filling", b.statistics().state());
            assertEquals(0, b.waiting());

            var again = new ArrayList<Task<Integer>>();
            for (int i = 0; i < 3; i++) {
                again.add(createTask(() -> b.await()));
                settle();
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(i, again.get(i).await());
            }
        });
    }

    @Test
    void reset_withNoWaiters_keepsItFilling() {
        // test_reset_barrier
        runVc(() -> {
            var b = new Barrier(1);
            b.reset();
            assertEquals(0, b.waiting());
            assertFalse(b.isBroken());
            assertEquals(0, b.await());
        });
    }

    @Test
    void abort_wakesWaitersWithBrokenBarrierException_andLaterArrivalsFailUntilReset() {
        // test_abort_barrier, test_abort_barrier_when_exception_then_resetting
        runVc(() -> {
            var b = new Barrier(3);
            Task<Integer> t1 = createTask(() -> b.await());
            Task<Integer> t2 = createTask(() -> b.await());
            settle();
            b.abort();
            assertTrue(b.isBroken());
            assertThrows(BrokenBarrierException.class, t1::await);
            assertThrows(BrokenBarrierException.class, t2::await);
            assertEquals(0, b.waiting());

            var e = assertThrows(BrokenBarrierException.class, b::await);
            assertEquals("Barrier aborted", e.getMessage());
            Task<Integer> late = createTask(() -> b.await());
            assertThrows(BrokenBarrierException.class, late::await);
            assertTrue(b.isBroken(), "still broken");
            assertEquals("broken", b.statistics().state());

            b.reset();
            assertFalse(b.isBroken());
            var again = new ArrayList<Task<Integer>>();
            for (int i = 0; i < 3; i++) {
                again.add(createTask(() -> b.await()));
            }
            Set<Integer> idx = new HashSet<>();
            for (var t : again) {
                idx.add(t.await());
            }
            assertEquals(Set.of(0, 1, 2), idx);
        });
    }

    @Test
    void abort_whenOnePartyFails_othersGetBrokenBarrierException() {
        // test_abort_barrier_when_exception
        runVc(() -> {
            var b = new Barrier(4);
            var results = new ArrayList<String>();
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                tasks.add(createTask(() -> {
                    try {
                        int idx = b.await();
                        if (id == 1) {
                            throw new IllegalStateException("boom");
                        }
                        sleep(0.01);
                        b.await();                    // round two: aborted by task 1
                        results.add("passed");
                    } catch (IllegalStateException e) {
                        b.abort();
                    } catch (BrokenBarrierException e) {
                        results.add("broken");
                    }
                }));
            }
            for (var t : tasks) {
                t.await();
            }
            assertEquals(List.of("broken", "broken", "broken"), results);
            assertTrue(b.isBroken());
        });
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancel_whileWaiting_leavesTheCountConsistent() {
        runVc(() -> {
            var b = new Barrier(3);
            Task<Integer> t1 = createTask(() -> b.await());
            Task<Integer> t2 = createTask(() -> b.await());
            settle();
            assertEquals(2, b.waiting());
            t1.cancel();
            assertThrows(CancelledException.class, t1::await);
            assertEquals(1, b.waiting(), "the cancelled party no longer counts");
            Task<Integer> t3 = createTask(() -> b.await());
            settle();
            assertEquals(2, b.waiting());
            assertFalse(t2.isDone(), "two live parties of three: not tripped");
            b.await();                                    // the third live party trips it
            t2.await();
            t3.await();
            assertEquals(0, b.waiting());
            assertEquals("filling", b.statistics().state());
            assertFalse(b.isBroken());
            // a further clean round numbers arrivals 0..2
            var again = new ArrayList<Task<Integer>>();
            for (int i = 0; i < 3; i++) {
                again.add(createTask(() -> b.await()));
                settle();
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(i, again.get(i).await());
            }
        });
    }

    @Test
    void cancel_afterTrippingWokeTheWaiter_othersPassAndBarrierRefills() {
        runVc(() -> {
            var b = new Barrier(3);
            Task<Integer> t1 = createTask(() -> b.await());
            Task<Integer> t2 = createTask(() -> b.await());
            settle();
            assertEquals(2, b.await());          // trips: t1 and t2 woken
            t1.cancel();                          // t1 cancelled before it ran
            var r1 = assertThrows(RuntimeException.class, t1::await);
            assertInstanceOf(CancelledException.class, r1);
            assertEquals(1, t2.await());
            assertEquals("filling", b.statistics().state(), "all parties left the drain");
            assertEquals(0, b.waiting());
            var again = new ArrayList<Task<Integer>>();
            for (int i = 0; i < 3; i++) {
                again.add(createTask(() -> b.await()));
                settle();
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(i, again.get(i).await());
            }
        });
    }

    @Test
    void cancel_whileBlockedByDrain_takesNoPlace() {
        runVc(() -> {
            var b = new Barrier(2);
            Task<Integer> a = createTask(() -> b.await());
            settle();
            Task<Integer> blocked = createTask(() -> b.await());
            assertEquals(1, b.await());          // trips; a not yet left: draining
            settle();
            assertEquals(0, a.await());
            // blocked has started round two by now
            assertEquals(1, b.waiting());
            blocked.cancel();
            assertThrows(CancelledException.class, blocked::await);
            assertEquals(0, b.waiting());
        });
    }

    // ------------------------------------------------------------------ toString, statistics

    @Test
    void toString_showsStateAndWaiters() {
        // test_repr
        runVc(() -> {
            var b = new Barrier(3);
            assertEquals("Barrier[filling, waiters=0/3]", b.toString());
            Task<Integer> t1 = createTask(() -> b.await());
            Task<Integer> t2 = createTask(() -> b.await());
            settle();
            assertEquals("Barrier[filling, waiters=2/3]", b.toString());
            assertEquals(new Barrier.Statistics(3, 2, "filling"), b.statistics());
            b.abort();
            assertEquals("Barrier[broken, waiters=0/3]", b.toString());
            assertEquals(new Barrier.Statistics(3, 0, "broken"), b.statistics());
            assertThrows(BrokenBarrierException.class, t1::await);
            assertThrows(BrokenBarrierException.class, t2::await);
        });
    }

    // ------------------------------------------------------------------ loop confinement

    @Test
    void awaitOutsideATask_throwsIllegalStateException() {
        var b = new Barrier(2);
        var e = assertThrows(IllegalStateException.class, b::await);
        assertTrue(e.getMessage().contains("task"), e.getMessage());
        assertEquals(0, b.waiting());
    }

    @Test
    void boundBarrier_usedFromPlainThreadWhileLoopRuns_throwsIllegalStateException() {
        runVc(() -> {
            var b = new Barrier(2);
            Task<Integer> t = createTask(() -> b.await());
            settle();
            RuntimeException e = toThread(() -> {
                try {
                    b.abort();
                    return null;
                } catch (RuntimeException x) {
                    return x;
                }
            });
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
            assertFalse(b.isBroken());
            assertEquals(1, b.waiting());
            assertEquals(1, b.await());
            assertEquals(0, t.await());
        });
    }

    @Test
    void boundBarrier_usedFromASecondLoop_throwsIllegalStateException() {
        // test_ambiguous_loops
        var b = new Barrier(2);
        runVc(() -> {
            Task<Integer> t = createTask(() -> b.await());
            settle();                            // t waited: bound to this loop
            b.await();
            t.await();
        });
        var e = assertThrows(IllegalStateException.class, () -> runVc(() -> { b.await(); }));
        assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
        assertEquals(0, b.waiting());
    }

    @Test
    void uncontendedUse_inTwoConsecutiveRuns_works() {
        // Python 3.10+: a Barrier(1) never waits, so it never binds to a loop
        var b = new Barrier(1);
        assertEquals(0, (int) Asyncio.run(() -> b.await()));
        assertEquals(0, (int) Asyncio.run(() -> b.await()));
        assertFalse(b.isBroken());
    }

    @Test
    void gatheredParties_allReturnDistinctIndices() {
        List<Integer> got = runVc(() -> {
            var b = new Barrier(4);
            var tasks = new ArrayList<Future<Integer>>();
            for (int i = 0; i < 4; i++) {
                tasks.add(createTask(() -> b.await()));
            }
            return gather(tasks);
        });
        assertEquals(List.of(0, 1, 2, 3), got);
    }
}
