package org.asyncio4j.sync;

import static org.asyncio4j.TestLoops.runVc;
import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.Future;
import org.asyncio4j.Order;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Semaphore and BoundedSemaphore behaviours ported from CPython's
 * Lib/test/test_asyncio/test_locks.py (SemaphoreTests): initial values, acquire/release and
 * value, FIFO order (test_acquire_fifo_order*), cancellation before and after being woken
 * (test_acquire_cancel, test_acquire_cancel_before_awoken, test_acquire_hang,
 * test_acquire_no_hang), bounded release, repr (toString), ambiguous loops.
 */
@Timeout(10)
class SemaphoreTest {

    private static void settle() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    private static void awaitQuietly(Future<?> f) {
        try {
            f.await();
        } catch (CancelledException ignored) {
            // expected for cancelled tasks
        }
    }

    // ------------------------------------------------------------------ construction and basics

    @Test
    void negativeInitialValue_throwsIllegalArgumentException() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-1));
    }

    @Test
    void initialValueZero_isLocked() {
        var sem = new Semaphore(0);
        assertTrue(sem.isLocked());
        assertEquals(0, sem.value());
    }

    @Test
    void defaultUse_acquireDecrementsAndReleaseIncrements() {
        runVc(() -> {
            var sem = new Semaphore(3);
            assertFalse(sem.isLocked());
            sem.acquire();
            assertEquals(2, sem.value());
            sem.acquire();
            sem.acquire();
            assertEquals(0, sem.value());
            assertTrue(sem.isLocked());
            sem.release();
            assertEquals(1, sem.value());
            assertFalse(sem.isLocked());
            sem.release();
            sem.release();
            assertEquals(3, sem.value());
            sem.release();                        // an unbounded semaphore may go above its start
            assertEquals(4, sem.value());
        });
    }

    @Test
    void acquire_withPermit_doesNotSuspend() {
        var order = new Order();
        runVc(() -> {
            var sem = new Semaphore(1);
            order.expect(1);
            Task<Void> other = createTask(() -> order.expect(3));
            try (var _ = sem.acquire()) {
                order.expect(2);
                assertEquals(0, sem.value());
            }
            assertEquals(1, sem.value());
            other.await();
            order.finish(4);
        });
    }

    @Test
    void tryWithResources_returnsPermitOnException() {
        var sem = new Semaphore(2);
        var boom = new IllegalStateException("boom");
        var thrown = assertThrows(IllegalStateException.class, () -> runVc(() -> {
            try (var _ = sem.acquire()) {
                assertEquals(1, sem.value());
                sleep(0.1);
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        assertEquals(2, sem.value());
    }

    @Test
    void semaphore_limitsConcurrency() {
        int max = runVc(() -> {
            var sem = new Semaphore(2);
            int[] inside = {0, 0};
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 6; i++) {
                tasks.add(createTask(() -> {
                    try (var _ = sem.acquire()) {
                        inside[0]++;
                        inside[1] = Math.max(inside[1], inside[0]);
                        sleep(0.1);
                        inside[0]--;
                    }
                }));
            }
            for (var t : tasks) {
                t.await();
            }
            assertEquals(2, sem.value());
            return inside[1];
        });
        assertEquals(2, max);
    }

    @Test
    void acquire_stepByStep_releasesWakeWaitersInOrder() {
        // test_acquire: Semaphore(3); c1..c3 take the permits, c4 waits; releases wake in order
        runVc(() -> {
            var sem = new Semaphore(3);
            var result = new ArrayList<Integer>();
            sem.acquire();
            sem.acquire();
            assertFalse(sem.isLocked());
            Task<Void> t1 = createTask(() -> { sem.acquire(); result.add(1); });
            Task<Void> t2 = createTask(() -> { sem.acquire(); result.add(2); });
            Task<Void> t3 = createTask(() -> { sem.acquire(); result.add(3); });
            settle();
            assertEquals(List.of(1), result);
            assertTrue(sem.isLocked());
            assertEquals(2, sem.statistics().waiters());
            assertEquals(0, sem.value());
            Task<Void> t4 = createTask(() -> { sem.acquire(); result.add(4); });
            sem.release();
            sem.release();
            assertEquals(0, sem.value(), "permits are handed to waiters, not counted");
            settle();
            assertEquals(List.of(1, 2, 3), result);
            assertTrue(sem.isLocked());
            assertFalse(t4.isDone());
            sem.release();
            settle();
            assertEquals(List.of(1, 2, 3, 4), result);
            t1.await(); t2.await(); t3.await(); t4.await();
            for (int i = 0; i < 6; i++) {
                sem.release();
            }
            assertEquals(6, sem.value());
        });
    }

    // ------------------------------------------------------------------ fairness

    @Test
    void acquire_waitersServedInArrivalOrder() {
        // test_acquire_fifo_order: five tasks queue on Semaphore(0)
        List<Integer> got = runVc(() -> {
            var sem = new Semaphore(0);
            var order = new ArrayList<Integer>();
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 5; i++) {
                int id = i;
                tasks.add(createTask(() -> {
                    sem.acquire();
                    order.add(id);
                }));
                settle();
            }
            assertEquals(5, sem.statistics().waiters());
            for (int i = 0; i < 5; i++) {
                sem.release();
                settle();
                assertEquals(i + 1, order.size());
            }
            for (var t : tasks) {
                t.await();
            }
            assertEquals(0, sem.value());
            return order;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    @Test
    void acquire_fifoWithSleepingHolders() {
        // test_acquire_fifo_order_2 flavour: Semaphore(1), holders sleep, order of entry is arrival order
        List<Integer> got = runVc(() -> {
            var sem = new Semaphore(1);
            var order = new ArrayList<Integer>();
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 5; i++) {
                int id = i;
                tasks.add(createTask(() -> {
                    try (var _ = sem.acquire()) {
                        order.add(id);
                        sleep(0.01 * (5 - id));
                    }
                }));
            }
            for (var t : tasks) {
                t.await();
            }
            assertEquals(1, sem.value());
            return order;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    @Test
    void release_wokenWaiterIsNotOvertakenByAFreshAcquire() {
        List<String> got = runVc(() -> {
            var sem = new Semaphore(0);
            var order = new ArrayList<String>();
            Task<Void> a = createTask(() -> {
                sem.acquire();
                order.add("A");
                sem.release();
            });
            settle();
            sem.release();                   // A woken, not yet run
            assertEquals(0, sem.value());
            sem.acquire();                   // must wait behind A
            order.add("main");
            a.await();
            sem.release();
            assertEquals(1, sem.value());
            return order;
        });
        assertEquals(List.of("A", "main"), got);
    }

    @Test
    void release_wokenWaiterIsNotOvertakenByATaskThatRunsFirst() {
        List<String> got = runVc(() -> {
            var sem = new Semaphore(0);
            var order = new ArrayList<String>();
            Task<Void> a = createTask(() -> { try (var _ = sem.acquire()) { order.add("A"); } });
            settle();
            Task<Void> c = createTask(() -> { try (var _ = sem.acquire()) { order.add("C"); } });
            sem.release();                   // wakes A; C was scheduled before A's wake-up
            a.await();
            c.await();
            assertEquals(1, sem.value());
            return order;
        });
        assertEquals(List.of("A", "C"), got);
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancel_whileWaiting_takesNoPermit() {
        // test_acquire_cancel
        runVc(() -> {
            var sem = new Semaphore(0);
            Task<Void> t = createTask(() -> { sem.acquire(); });
            settle();
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertEquals(0, sem.statistics().waiters());
            sem.release();
            assertEquals(1, sem.value(), "the cancelled waiter took nothing");
            assertFalse(sem.isLocked());
        });
    }

    @Test
    void cancel_beforeAwoken_nextLiveWaiterGetsThePermit() {
        // test_acquire_cancel_before_awoken
        runVc(() -> {
            var sem = new Semaphore(0);
            Task<Void> t1 = createTask(() -> { sem.acquire(); });
            Task<Void> t2 = createTask(() -> { sem.acquire(); });
            Task<Void> t3 = createTask(() -> { sem.acquire(); });
            Task<Void> t4 = createTask(() -> { sem.acquire(); });
            settle();
            t1.cancel();
            t2.cancel();
            sem.release();
            settle();
            assertTrue(t1.isCancelled());
            assertTrue(t2.isCancelled());
            assertTrue(t3.isDone() && !t3.isCancelled());
            assertFalse(t4.isDone());
            assertEquals(0, sem.value());
            t4.cancel();
            awaitQuietly(t4);
            assertEquals(0, sem.value());
            assertEquals(0, sem.statistics().waiters());
        });
    }

    @Test
    void cancel_hang_releaseAfterCancelledWaiterFreesThePermit() {
        // test_acquire_hang
        runVc(() -> {
            var sem = new Semaphore(0);
            Task<Void> t1 = createTask(() -> { sem.acquire(); });
            Task<Void> t2 = createTask(() -> { sem.acquire(); });
            settle();
            t1.cancel();
            assertTrue(sem.isLocked());
            settle();
            sem.release();
            settle();
            assertTrue(t2.isDone() && !t2.isCancelled());
            assertTrue(sem.isLocked());
            assertEquals(0, sem.value());
        });
    }

    @Test
    void cancel_afterWakeupScheduled_permitPassesToNextWaiter() {
        // test_acquire_no_hang: c1 releases and cancels c2 in the same step; the permit is not lost
        runVc(() -> {
            var sem = new Semaphore(1);
            Task<Void>[] t2 = new Task[1];
            Task<Void> t1 = createTask(() -> {
                try (var _ = sem.acquire()) {
                    sleep(0);
                }
                t2[0].cancel();
            });
            t2[0] = createTask(() -> {
                try (var _ = sem.acquire()) {
                    fail("t2 must not get the permit");
                }
            });
            var results = gatherSettled(t1, t2[0]);
            assertNull(results.get(0).resultNow());
            assertTrue(results.get(1).isCancelled());
            assertEquals(1, sem.value(), "the permit came back");
            Asyncio.waitFor(createTask(() -> { sem.acquire(); }), Duration.ofSeconds(1));
            assertEquals(0, sem.value());
        });
    }

    @Test
    void cancel_afterWakeupScheduled_nextWaiterGetsPermitAndValueIsRestored() {
        runVc(() -> {
            var sem = new Semaphore(1);
            var log = new ArrayList<String>();
            sem.acquire();
            Task<Void> a = createTask(() -> { try (var _ = sem.acquire()) { log.add("A"); } });
            Task<Void> b = createTask(() -> {
                try (var _ = sem.acquire()) {
                    log.add("B value=" + sem.value());
                }
            });
            settle();
            assertEquals(2, sem.statistics().waiters());
            sem.release();                   // A woken
            a.cancel();                      // ... and cancelled before it ran
            assertThrows(CancelledException.class, a::await);
            b.await();
            assertEquals(List.of("B value=0"), log);
            assertEquals(1, sem.value(), "back to the initial value");
            assertEquals(0, sem.statistics().waiters());
            assertFalse(sem.isLocked());
        });
    }

    @Test
    void cancel_waiterCancelledThenPermitFreed_newArrivalTakesItAtOnce() {
        // the cancelled waiter has not run yet when a new task arrives with a permit free
        runVc(() -> {
            var sem = new Semaphore(1);
            sem.acquire();
            Task<Void> a = createTask(() -> { sem.acquire(); });
            settle();
            Task<Void> c = createTask(() -> { sem.acquire(); });   // ready before a resumes
            a.cancel();
            sem.release();                   // no live waiter: the permit is counted
            settle();
            assertTrue(a.isCancelled());
            assertTrue(c.isDone(), "c arrived with a free permit and no live waiter: " + sem);
            assertEquals(0, sem.value());
            assertEquals(0, sem.statistics().waiters());
        });
    }

    @Test
    void cancel_manyRandomCancellations_valueNeverLeaksNorGoesNegative() {
        runVc(() -> {
            var sem = new Semaphore(3);
            int[] inside = {0, 0};
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 30; i++) {
                int id = i;
                tasks.add(createTask(() -> {
                    try (var _ = sem.acquire()) {
                        assertTrue(sem.value() >= 0);
                        inside[0]++;
                        inside[1] = Math.max(inside[1], inside[0]);
                        try {
                            sleep(0.01 * (1 + id % 3));
                        } finally {
                            inside[0]--;
                        }
                    }
                }));
            }
            for (int round = 0; round < 5; round++) {
                sleep(0.005);
                for (int i = round; i < 30; i += 5) {
                    if (i % 2 == 0) {
                        tasks.get(i).cancel();
                    }
                }
                // a release-and-cancel race: the next woken waiter gets cancelled at once
                assertTrue(sem.value() >= 0);
            }
            for (var t : tasks) {
                awaitQuietly(t);
            }
            assertTrue(inside[1] <= 3, "at most 3 inside, saw " + inside[1]);
            assertEquals(3, sem.value());
            assertEquals(0, sem.statistics().waiters());
        });
    }

    // ------------------------------------------------------------------ BoundedSemaphore

    @Test
    void boundedSemaphore_releaseAboveInitial_throwsIllegalStateException() {
        // test_release_not_acquired
        runVc(() -> {
            var sem = new BoundedSemaphore(1);
            var e = assertThrows(IllegalStateException.class, sem::release);
            assertTrue(e.getMessage().contains("too many"), e.getMessage());
            assertEquals(1, sem.value());
            sem.acquire();
            sem.release();
            assertThrows(IllegalStateException.class, sem::release);
            assertEquals(1, sem.value());
        });
    }

    @Test
    void boundedSemaphore_releaseNoWaiters_restoresValue() {
        // test_release_no_waiters
        runVc(() -> {
            var sem = new BoundedSemaphore(1);
            sem.acquire();
            assertTrue(sem.isLocked());
            sem.release();
            assertFalse(sem.isLocked());
            assertEquals(1, sem.value());
        });
    }

    @Test
    void boundedSemaphore_handsPermitsToWaitersAndStaysBounded() {
        runVc(() -> {
            var sem = new BoundedSemaphore(2);
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 5; i++) {
                tasks.add(createTask(() -> { try (var _ = sem.acquire()) { sleep(0.01); } }));
            }
            for (var t : tasks) {
                t.await();
            }
            assertEquals(2, sem.value());
            assertThrows(IllegalStateException.class, sem::release);
        });
    }

    @Test
    void boundedSemaphore_cancelAfterWakeup_doesNotBreakTheBound() {
        runVc(() -> {
            var sem = new BoundedSemaphore(1);
            sem.acquire();
            Task<Void> a = createTask(() -> { try (var _ = sem.acquire()) { } });
            settle();
            sem.release();
            a.cancel();
            assertThrows(CancelledException.class, a::await);
            assertEquals(1, sem.value());
            assertThrows(IllegalStateException.class, sem::release);
        });
    }

    @Test
    void releaser_closedTwice_returnsOnlyOnePermit() {
        runVc(() -> {
            var sem = new Semaphore(1);
            Releaser r = sem.acquire();
            assertEquals(0, sem.value());
            r.close();
            r.close();
            assertEquals(1, sem.value(), "one acquisition, one permit back");
        });
    }

    @Test
    void boundedSemaphore_releaserClosedTwice_secondCloseIsANoOp() {
        runVc(() -> {
            var sem = new BoundedSemaphore(2);
            Releaser r = sem.acquire();
            Releaser other = sem.acquire();
            r.close();
            r.close();                            // must not return other's permit
            assertEquals(1, sem.value());
            other.close();
            assertEquals(2, sem.value());
        });
    }

    // ------------------------------------------------------------------ toString, statistics

    @Test
    void toString_showsStateValueAndWaiters() {
        runVc(() -> {
            var sem = new Semaphore(1);
            assertEquals("Semaphore[unlocked, value=1]", sem.toString());
            sem.acquire();
            assertEquals("Semaphore[locked, value=0]", sem.toString());
            Task<Void> a = createTask(() -> { try (var _ = sem.acquire()) { } });
            Task<Void> b = createTask(() -> { try (var _ = sem.acquire()) { } });
            settle();
            assertEquals("Semaphore[locked, value=0, waiters=2]", sem.toString());
            sem.release();
            a.await();
            b.await();
            assertEquals("Semaphore[unlocked, value=1]", sem.toString());
            assertEquals("BoundedSemaphore[unlocked, value=3]", new BoundedSemaphore(3).toString());
        });
    }

    @Test
    void statistics_reportValueAndWaiters() {
        runVc(() -> {
            var sem = new Semaphore(1);
            assertEquals(new Semaphore.Statistics(1, 0), sem.statistics());
            sem.acquire();
            Task<Void> a = createTask(() -> { try (var _ = sem.acquire()) { } });
            Task<Void> b = createTask(() -> { try (var _ = sem.acquire()) { } });
            Task<Void> c = createTask(() -> { try (var _ = sem.acquire()) { } });
            settle();
            assertEquals(new Semaphore.Statistics(0, 3), sem.statistics());
            c.cancel();
            settle();
            assertEquals(new Semaphore.Statistics(0, 2), sem.statistics());
            sem.release();
            assertEquals(new Semaphore.Statistics(0, 1), sem.statistics());
            a.await();
            b.await();
            assertEquals(new Semaphore.Statistics(1, 0), sem.statistics());
        });
    }

    // ------------------------------------------------------------------ loop confinement

    @Test
    void uncontendedUse_inTwoConsecutiveRuns_works() {
        var sem = new Semaphore(1);
        Asyncio.run(() -> { try (var _ = sem.acquire()) { sleep(0); } });
        Asyncio.run(() -> { try (var _ = sem.acquire()) { sleep(0); } });
        assertEquals(1, sem.value());
    }

    @Test
    void waitOutsideATask_throwsIllegalStateException() {
        var sem = new Semaphore(0);
        var e = assertThrows(IllegalStateException.class, sem::acquire);
        assertTrue(e.getMessage().contains("task"), e.getMessage());
        assertEquals(0, sem.value());
        assertEquals(0, sem.statistics().waiters());
    }

    @Test
    void boundSemaphore_usedFromPlainThreadWhileLoopRuns_throwsIllegalStateException() {
        runVc(() -> {
            var sem = new Semaphore(0);
            Task<Void> a = createTask(() -> { sem.acquire(); });
            settle();
            RuntimeException e = toThread(() -> {
                try {
                    sem.release();
                    return null;
                } catch (RuntimeException x) {
                    return x;
                }
            });
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
            assertEquals(0, sem.value());
            assertFalse(a.isDone());
            sem.release();
            a.await();
        });
    }

    @Test
    void boundSemaphore_usedFromASecondLoop_throwsIllegalStateException() {
        var sem = new Semaphore(0);
        runVc(() -> {
            Task<Void> a = createTask(() -> { sem.acquire(); });
            settle();
            sem.release();
            a.await();
        });
        var e = assertThrows(IllegalStateException.class, () -> runVc(() -> { sem.release(); }));
        assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
        assertEquals(0, sem.value());
    }
}
