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
import org.asyncio4j.Order;
import org.asyncio4j.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lock behaviours ported from CPython's Lib/test/test_asyncio/test_locks.py (LockTests): acquire
 * and release, FIFO hand-over, cancellation while waiting and after the wake-up was scheduled
 * (test_cancel_race, test_cancel_release_race, test_finished_waiter_cancelled), misuse, the
 * context manager (try-with-resources), repr (toString), ambiguous loops (loop confinement).
 */
@Timeout(10)
class LockTest {

    /** Lets every ready task run until it suspends again (Python's test_utils.run_briefly, a few times). */
    private static void settle() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    // ------------------------------------------------------------------ basics

    @Test
    void seed_lockAroundSleep_returnsBodysValue() {
        var lock = new Lock();
        int v = runVc(() -> {
            try (var _ = lock.acquire()) {
                sleep(1);
                return 10;
            }
        });
        assertEquals(10, v);
        assertFalse(lock.isLocked());
    }

    @Test
    void acquire_uncontended_locksWithoutSuspending() {
        var order = new Order();
        runVc(() -> {
            var lock = new Lock();
            order.expect(1);
            Task<Void> other = createTask(() -> order.expect(3));
            Releaser r = lock.acquire();            // must not let `other` run
            order.expect(2);
            assertTrue(lock.isLocked());
            r.close();
            other.await();
            order.finish(4);
        });
    }

    @Test
    void release_unlocksTheLock() {
        runVc(() -> {
            var lock = new Lock();
            assertFalse(lock.isLocked());
            lock.acquire();
            assertTrue(lock.isLocked());
            lock.release();
            assertFalse(lock.isLocked());
            // and it can be taken again
            lock.acquire();
            assertTrue(lock.isLocked());
            lock.release();
        });
    }

    @Test
    void release_notAcquired_throwsIllegalStateException() {
        var lock = new Lock();
        var e = assertThrows(IllegalStateException.class, lock::release);
        assertTrue(e.getMessage().contains("not acquired"), e.getMessage());
        runVc(() -> {
            var e2 = assertThrows(IllegalStateException.class, lock::release);
            assertNotNull(e2.getMessage());
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void releaser_closedTwice_secondCloseIsANoOp() {
        runVc(() -> {
            var lock = new Lock();
            Releaser r = lock.acquire();
            r.close();
            assertFalse(lock.isLocked());
            r.close();
            assertFalse(lock.isLocked());
            assertThrows(IllegalStateException.class, lock::release, "the lock stays unlocked");
        });
    }

    @Test
    void releaser_closedTwice_doesNotReleaseTheNextHoldersLock() {
        runVc(() -> {
            var lock = new Lock();
            var log = new ArrayList<String>();
            Releaser r = lock.acquire();
            Task<Void> b = createTask(() -> {
                try (var _ = lock.acquire()) {
                    log.add("b in");
                    sleep(1);
                    log.add("b out");
                }
            });
            settle();                             // b waits for the lock
            r.close();                            // hands it to b
            settle();
            assertEquals(List.of("b in"), log);
            r.close();                            // a stale second close
            assertTrue(lock.isLocked(), "b's hold must survive another acquisition's second close");
            Task<Void> c = createTask(() -> {
                try (var _ = lock.acquire()) {
                    log.add("c in");
                }
            });
            gather(b, c);
            assertEquals(List.of("b in", "b out", "c in"), log, "c must not get in while b holds the lock");
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void releaser_afterAnExplicitRelease_doesNotReleaseAnotherTasksHold() {
        runVc(() -> {
            var lock = new Lock();
            Task<Void> b = createTask(() -> {
                lock.acquire();                   // holds it until main releases it below
            });
            try (var _ = lock.acquire()) {
                lock.release();                   // released explicitly inside the block
                b.await();                        // b now holds the lock
                assertTrue(lock.isLocked());
            }                                     // this block's releaser must not release b's hold
            assertTrue(lock.isLocked(), "b still holds the lock");
            lock.release();
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void release_whileTheLockIsHandedToAWaiterThatHasNotRun_throwsIllegalStateException() {
        // Python: between the hand-over and the waiter's resumption the lock is not acquired
        // by anyone, and release() raises RuntimeError('Lock is not acquired.').
        runVc(() -> {
            var lock = new Lock();
            lock.acquire();
            Task<Void> a = createTask(() -> {
                try (var _ = lock.acquire()) {
                    sleep(0);
                }
            });
            settle();
            lock.release();                       // handed to a, which has not run
            var e = assertThrows(IllegalStateException.class, lock::release);
            assertTrue(e.getMessage().contains("not acquired"), e.getMessage());
            a.await();
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void tryWithResources_releasesOnNormalExit() {
        runVc(() -> {
            var lock = new Lock();
            try (var _ = lock.acquire()) {
                assertTrue(lock.isLocked());
            }
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void tryWithResources_releasesOnException() {
        var lock = new Lock();
        var boom = new IllegalArgumentException("boom");
        var thrown = assertThrows(IllegalArgumentException.class, () -> runVc(() -> {
            try (var _ = lock.acquire()) {
                sleep(0.1);
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        assertFalse(lock.isLocked());
        assertEquals(0, boom.getSuppressed().length, "releasing must not add an exception");
    }

    @Test
    void lock_isNotReentrant_secondAcquireBySameTaskWaits() {
        runVc(() -> {
            var lock = new Lock();
            try (var _ = lock.acquire()) {
                assertThrows(AsyncTimeoutException.class,
                        () -> Asyncio.timeout(Duration.ofMillis(100), () -> { lock.acquire(); }));
                assertTrue(lock.isLocked());
                assertEquals(0, lock.statistics().waiters(), "the timed-out acquire left the queue");
            }
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void release_byAnotherTask_isAllowed() {
        runVc(() -> {
            var lock = new Lock();
            lock.acquire();
            createTask(() -> lock.release()).await();
            assertFalse(lock.isLocked());
        });
    }

    // ------------------------------------------------------------------ fairness

    @Test
    void acquire_waitersServedInArrivalOrder() {
        List<Integer> got = runVc(() -> {
            var lock = new Lock();
            var order = new ArrayList<Integer>();
            lock.acquire();
            var tasks = new ArrayList<Task<Void>>();
            for (int i = 0; i < 5; i++) {
                int id = i;
                tasks.add(createTask(() -> {
                    try (var _ = lock.acquire()) {
                        order.add(id);
                        sleep(0.01);
                    }
                }));
                settle();          // task i is queued before task i+1 arrives
            }
            assertEquals(5, lock.statistics().waiters());
            lock.release();
            for (var t : tasks) {
                t.await();
            }
            assertFalse(lock.isLocked());
            return order;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    @Test
    void acquire_stepByStep_eachReleaseWakesExactlyTheNextWaiter() {
        // test_acquire: c1, c2 wait; release -> [1]; c3 arrives; release -> [1, 2]; release -> [1, 2, 3]
        runVc(() -> {
            var lock = new Lock();
            var result = new ArrayList<Integer>();
            lock.acquire();
            Task<Boolean> t1 = createTask(() -> { lock.acquire(); result.add(1); return true; });
            Task<Boolean> t2 = createTask(() -> { lock.acquire(); result.add(2); return true; });
            settle();
            assertEquals(List.of(), result);

            lock.release();
            settle();
            assertEquals(List.of(1), result);
            settle();
            assertEquals(List.of(1), result);

            Task<Boolean> t3 = createTask(() -> { lock.acquire(); result.add(3); return true; });
            lock.release();
            settle();
            assertEquals(List.of(1, 2), result);

            lock.release();
            settle();
            assertEquals(List.of(1, 2, 3), result);
            assertTrue(t1.isDone() && t1.resultNow());
            assertTrue(t2.isDone() && t2.resultNow());
            assertTrue(t3.isDone() && t3.resultNow());
            assertTrue(lock.isLocked(), "t3 never released");
            lock.release();
        });
    }

    @Test
    void release_wokenWaiterIsNotOvertakenByAFreshAcquire() {
        List<String> got = runVc(() -> {
            var lock = new Lock();
            var order = new ArrayList<String>();
            lock.acquire();
            Task<Void> a = createTask(() -> {
                try (var _ = lock.acquire()) {
                    order.add("A");
                }
            });
            settle();
            lock.release();                       // A is woken but has not run
            assertTrue(lock.isLocked(), "the lock is handed to A, not freed");
            try (var _ = lock.acquire()) {        // a fresh attempt in the same step must wait
                order.add("main");
            }
            a.await();
            assertFalse(lock.isLocked());
            return order;
        });
        assertEquals(List.of("A", "main"), got);
    }

    @Test
    void release_wokenWaiterIsNotOvertakenByATaskThatRunsFirst() {
        List<String> got = runVc(() -> {
            var lock = new Lock();
            var order = new ArrayList<String>();
            lock.acquire();
            Task<Void> a = createTask(() -> {
                try (var _ = lock.acquire()) {
                    order.add("A");
                }
            });
            settle();                             // A waits
            Task<Void> c = createTask(() -> {     // ready before A's wake-up is scheduled
                assertTrue(lock.isLocked(), "C runs before A and must see the lock handed to A");
                try (var _ = lock.acquire()) {
                    order.add("C");
                }
            });
            lock.release();
            a.await();
            c.await();
            assertFalse(lock.isLocked());
            return order;
        });
        assertEquals(List.of("A", "C"), got);
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancel_whileWaiting_throwsCancelledAndTakesNothing() {
        // test_acquire_cancel
        runVc(() -> {
            var lock = new Lock();
            lock.acquire();
            Task<Void> t = createTask(() -> { lock.acquire(); });
            settle();
            assertEquals(1, lock.statistics().waiters());
            t.cancel();
            var e = assertThrows(CancelledException.class, t::await);
            assertNotNull(e);
            assertTrue(t.isCancelled());
            assertEquals(0, lock.statistics().waiters());
            assertTrue(lock.isLocked(), "still held by main");
            lock.release();
            assertFalse(lock.isLocked(), "the cancelled waiter did not receive the lock");
        });
    }

    @Test
    void cancel_whileWaiting_othersUnaffected() {
        List<String> got = runVc(() -> {
            var lock = new Lock();
            var order = new ArrayList<String>();
            lock.acquire();
            Task<Void> a = createTask(() -> { try (var _ = lock.acquire()) { order.add("A"); } });
            Task<Void> b = createTask(() -> { try (var _ = lock.acquire()) { order.add("B"); } });
            Task<Void> c = createTask(() -> { try (var _ = lock.acquire()) { order.add("C"); } });
            settle();
            b.cancel();
            settle();
            assertEquals(2, lock.statistics().waiters());
            lock.release();
            a.await();
            c.await();
            assertThrows(CancelledException.class, b::await);
            assertFalse(lock.isLocked());
            assertEquals(0, lock.statistics().waiters());
            return order;
        });
        assertEquals(List.of("A", "C"), got);
    }

    @Test
    void cancel_raceWithRelease_nextWaiterGetsTheLock() {
        // test_cancel_race: A holds the lock, B and C wait; B is cancelled and A releases in the same step
        runVc(() -> {
            var lock = new Lock();
            var fa = getRunningLoop().<Void>createFuture();
            var log = new ArrayList<String>();
            Task<Void> ta = createTask(() -> {
                lock.acquire();
                try { fa.await(); } finally { log.add("A"); lock.release(); }
            });
            settle();
            assertTrue(lock.isLocked());
            Task<Void> tb = createTask(() -> { lock.acquire(); try { log.add("B"); } finally { lock.release(); } });
            settle();
            assertEquals(1, lock.statistics().waiters());
            Task<Void> tc = createTask(() -> { lock.acquire(); try { log.add("C"); } finally { lock.release(); } });
            settle();
            assertEquals(2, lock.statistics().waiters());

            fa.setResult(null);
            tb.cancel();
            settle();
            assertFalse(lock.isLocked());
            assertTrue(ta.isDone());
            assertTrue(tb.isCancelled());
            assertTrue(tc.isDone());
            tc.await();
            assertEquals(List.of("A", "C"), log);
            assertEquals(0, lock.statistics().waiters());
        });
    }

    @Test
    void cancel_afterWakeupScheduled_lockPassesToNextWaiter() {
        // test_cancel_release_race: release wakes A; in the same step A is cancelled
        runVc(() -> {
            var lock = new Lock();
            var log = new ArrayList<String>();
            lock.acquire();
            Task<Void> a = createTask(() -> {
                try (var _ = lock.acquire()) { log.add("A"); }
            });
            Task<Void> b = createTask(() -> {
                try (var _ = lock.acquire()) {
                    log.add("B");
                    log.add("B sees locked=" + lock.isLocked());
                }
            });
            settle();
            assertEquals(2, lock.statistics().waiters());
            lock.release();           // A woken, has not run
            assertTrue(a.cancel());   // the cancellation lands after the wake-up
            settle();
            assertThrows(CancelledException.class, a::await);
            assertTrue(a.isCancelled());
            b.await();
            assertEquals(List.of("B", "B sees locked=true"), log);
            assertFalse(lock.isLocked(), "the lock must not stay locked forever");
            assertEquals(0, lock.statistics().waiters());
            // and it still works
            try (var _ = lock.acquire()) {
                assertTrue(lock.isLocked());
            }
        });
    }

    @Test
    void cancel_afterWakeupScheduled_withoutOtherWaiters_unlocks() {
        runVc(() -> {
            var lock = new Lock();
            lock.acquire();
            Task<Void> a = createTask(() -> { lock.acquire(); });
            settle();
            lock.release();
            a.cancel();
            assertThrows(CancelledException.class, a::await);
            assertFalse(lock.isLocked());
            assertEquals(0, lock.statistics().waiters());
            assertEquals("Lock[unlocked]", lock.toString());
        });
    }

    @Test
    void cancel_finishedWaiterCancelled_laterWaiterStillWoken() {
        // test_finished_waiter_cancelled: a waiter arrives, the first is cancelled, then the lock is released
        runVc(() -> {
            var lock = new Lock();
            Task<Void> ta = createTask(() -> { lock.acquire(); });
            settle();
            assertTrue(lock.isLocked());
            assertTrue(ta.isDone());
            Task<Void> tb = createTask(() -> { lock.acquire(); });
            settle();
            assertEquals(1, lock.statistics().waiters());
            Task<Void> tc = createTask(() -> { lock.acquire(); });
            tb.cancel();
            lock.release();
            settle();
            assertTrue(tb.isCancelled());
            assertTrue(lock.isLocked(), "tc, which arrived when the lock was free, must hold it: " + lock);
            assertEquals(0, lock.statistics().waiters());
            assertTrue(tb.isCancelled());
            Asyncio.waitFor(tc, Duration.ofSeconds(1));
            assertTrue(lock.isLocked(), "tc holds it");
            lock.release();
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void cancel_manyWaitersCancelled_lockNeverLeaks() {
        runVc(() -> {
            var lock = new Lock();
            var tasks = new ArrayList<Task<Void>>();
            int[] inside = {0};
            int[] maxInside = {0};
            for (int i = 0; i < 20; i++) {
                tasks.add(createTask(() -> {
                    try (var _ = lock.acquire()) {
                        inside[0]++;
                        maxInside[0] = Math.max(maxInside[0], inside[0]);
                        try {
                            sleep(0.01);
                        } finally {
                            inside[0]--;
                        }
                    }
                }));
            }
            settle();
            for (int i = 1; i < 20; i += 3) {
                tasks.get(i).cancel();
            }
            sleep(0.005);
            for (int i = 2; i < 20; i += 4) {
                tasks.get(i).cancel();
            }
            for (var t : tasks) {
                try { t.await(); } catch (CancelledException ignored) { }
            }
            assertEquals(1, maxInside[0], "mutual exclusion");
            assertFalse(lock.isLocked());
            assertEquals(0, lock.statistics().waiters());
        });
    }

    // ------------------------------------------------------------------ toString, statistics

    @Test
    void toString_showsStateAndWaiterCount() {
        runVc(() -> {
            var lock = new Lock();
            assertEquals("Lock[unlocked]", lock.toString());
            lock.acquire();
            assertEquals("Lock[locked]", lock.toString());
            Task<Void> a = createTask(() -> { try (var _ = lock.acquire()) { } });
            Task<Void> b = createTask(() -> { try (var _ = lock.acquire()) { } });
            settle();
            assertEquals("Lock[locked, waiters=2]", lock.toString());
            lock.release();
            a.await();
            b.await();
            assertEquals("Lock[unlocked]", lock.toString());
        });
    }

    @Test
    void statistics_reportLockedAndWaiters() {
        runVc(() -> {
            var lock = new Lock();
            assertEquals(new Lock.Statistics(false, 0), lock.statistics());
            lock.acquire();
            assertEquals(new Lock.Statistics(true, 0), lock.statistics());
            Task<Void> a = createTask(() -> { try (var _ = lock.acquire()) { } });
            Task<Void> b = createTask(() -> { try (var _ = lock.acquire()) { } });
            settle();
            assertEquals(new Lock.Statistics(true, 2), lock.statistics());
            b.cancel();
            settle();
            assertEquals(new Lock.Statistics(true, 1), lock.statistics());
            lock.release();
            assertEquals(new Lock.Statistics(true, 0), lock.statistics(), "handed to a, which has not run");
            a.await();
            assertEquals(new Lock.Statistics(false, 0), lock.statistics());
        });
    }

    // ------------------------------------------------------------------ loop confinement

    @Test
    void uncontendedUse_inTwoConsecutiveRuns_works() {
        var lock = new Lock();
        assertEquals(1, (int) Asyncio.run(() -> { try (var _ = lock.acquire()) { return 1; } }));
        assertEquals(2, (int) Asyncio.run(() -> { try (var _ = lock.acquire()) { return 2; } }));
        // also outside any loop, uncontended
        try (var _ = lock.acquire()) {
            assertTrue(lock.isLocked());
        }
        assertFalse(lock.isLocked());
    }

    @Test
    void contendedAcquire_outsideATask_throwsIllegalStateException() {
        var lock = new Lock();
        lock.acquire();
        var e = assertThrows(IllegalStateException.class, lock::acquire);
        assertTrue(e.getMessage().contains("task"), e.getMessage());
        lock.release();
        assertFalse(lock.isLocked());
        assertEquals(0, lock.statistics().waiters());
    }

    @Test
    void boundLock_usedFromPlainThreadWhileLoopRuns_throwsIllegalStateException() {
        runVc(() -> {
            var lock = new Lock();
            lock.acquire();
            Task<Void> a = createTask(() -> { try (var _ = lock.acquire()) { } });
            settle();                                 // a waited: the lock is bound to this loop
            RuntimeException e = toThread(() -> {
                try {
                    lock.release();
                    return null;
                } catch (RuntimeException x) {
                    return x;
                }
            });
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
            assertTrue(e.getMessage().contains("callSoonThreadsafe"), e.getMessage());
            assertTrue(lock.isLocked(), "the failed release changed nothing");
            assertEquals(1, lock.statistics().waiters());
            lock.release();
            a.await();
        });
    }

    @Test
    void boundLock_usedFromASecondLoop_throwsIllegalStateException() {
        var lock = new Lock();
        runVc(() -> {
            lock.acquire();
            Task<Void> a = createTask(() -> { try (var _ = lock.acquire()) { } });
            settle();
            lock.release();
            a.await();
        });
        assertFalse(lock.isLocked());
        var e = assertThrows(IllegalStateException.class, () -> runVc(() -> { lock.acquire(); }));
        assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
        assertFalse(lock.isLocked());
    }

    @Test
    void boundLock_waitedInOneLoop_waitInASecondLoop_throwsIllegalStateException() {
        var lock = new Lock();
        runVc(() -> {
            lock.acquire();
            Task<Void> a = createTask(() -> { try (var _ = lock.acquire()) { } });
            settle();
            lock.release();
            a.await();
        });
        try (var r = Asyncio.newEventLoop()) {
            // a second loop that is not the bound one: from its task even an uncontended acquire fails
            var e = assertThrows(IllegalStateException.class,
                    () -> r.runUntilComplete(() -> { lock.acquire(); return null; }));
            assertNotNull(e.getMessage());
        }
    }
}
