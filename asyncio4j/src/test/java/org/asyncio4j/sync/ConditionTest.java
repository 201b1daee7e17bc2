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
import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.Task;
import org.asyncio4j.TaskGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Condition behaviours ported from CPython's Lib/test/test_asyncio/test_locks.py
 * (ConditionTests): wait/notify/notify_all step by step, wait cancelled (also contested and
 * after notify), wait/notify unacquired, wait_for (awaitUntil), explicit lock, context manager,
 * timeout in block, cancelled error on wake-up and on re-acquire (test_cancelled_error_wakeup,
 * test_cancelled_error_re_aquire, test_cancelled_wakeup), repr (toString), ambiguous loops.
 */
@Timeout(10)
class ConditionTest {

    private static void settle() {
        for (int i = 0; i < 5; i++) {
            sleep(0);
        }
    }

    /** A task that waits once on {@code cond} and then records {@code id} (holding the lock). */
    private static Task<Boolean> waiter(Condition cond, List<Integer> result, int id) {
        return createTask(() -> {
            try (var _ = cond.acquire()) {
                cond.await();
                assertTrue(cond.isLocked());
                result.add(id);
            }
            return true;
        });
    }

    /**
     * A task that waits once on {@code cond}, holding the lock, and logs how {@code await} ended:
     * "returned", or "cancelled"/"interrupted" (by its group) with whether it held the lock then.
     */
    private static Task<Void> loggingWaiter(Condition cond, List<String> log) {
        return createTask(() -> {
            try (var _ = cond.acquire()) {
                try {
                    cond.await();
                    log.add("returned");
                } catch (CancelledException e) {
                    log.add("cancelled, locked=" + cond.isLocked());
                    throw e;
                } catch (ExceptionGroup e) {
                    log.add("interrupted, locked=" + cond.isLocked());
                    throw e;
                }
            }
        });
    }

    // ------------------------------------------------------------------ wait / signal

    @Test
    void await_signal_stepByStep_wakesInOrderAndReacquiresTheLock() {
        // test_wait
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            List<Task<Boolean>> ts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int id = i;
                ts.add(createTask(() -> {
                    cond.acquire();               // kept: the test releases for them
                    cond.await();
                    result.add(id);
                    return true;
                }));
            }
            settle();
            assertEquals(List.of(), result);
            assertFalse(cond.isLocked());

            cond.acquire();
            cond.signal();
            settle();
            assertEquals(List.of(), result, "woken, but the lock is still ours");
            assertTrue(cond.isLocked());

            cond.release();
            settle();
            assertEquals(List.of(1), result);
            assertTrue(cond.isLocked(), "task 1 holds it again");

            cond.signal(2);
            settle();
            assertEquals(List.of(1), result);

            cond.release();
            settle();
            assertEquals(List.of(1, 2), result);
            cond.release();
            settle();
            assertEquals(List.of(1, 2, 3), result);
            assertTrue(cond.isLocked());
            for (var t : ts) {
                assertTrue(t.await());
            }
            cond.release();
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void signal_servesWaitersInArrivalOrder() {
        List<Integer> got = runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            var ts = new ArrayList<Task<Boolean>>();
            for (int i = 0; i < 5; i++) {
                ts.add(waiter(cond, result, i));
                settle();
            }
            assertEquals(5, cond.statistics().waiters());
            for (int i = 0; i < 5; i++) {
                try (var _ = cond.acquire()) {
                    cond.signal();
                }
                settle();
                assertEquals(i + 1, result.size());
            }
            for (var t : ts) {
                t.await();
            }
            return result;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    @Test
    void signalN_wakesExactlyNInOrder() {
        // test_notify
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            var ts = new ArrayList<Task<Boolean>>();
            for (int i = 1; i <= 4; i++) {
                ts.add(waiter(cond, result, i));
            }
            settle();
            try (var _ = cond.acquire()) {
                cond.signal(1);
            }
            settle();
            assertEquals(List.of(1), result);
            try (var _ = cond.acquire()) {
                cond.signal(2);
            }
            settle();
            assertEquals(List.of(1, 2, 3), result);
            try (var _ = cond.acquire()) {
                cond.signal(0);
            }
            settle();
            assertEquals(List.of(1, 2, 3), result);
            try (var _ = cond.acquire()) {
                cond.signal(10);            // more than wait: wakes the rest
            }
            settle();
            assertEquals(List.of(1, 2, 3, 4), result);
            for (var t : ts) {
                assertTrue(t.await());
            }
        });
    }

    @Test
    void signalAll_wakesEveryWaiterInOrder() {
        // test_notify_all
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            var ts = new ArrayList<Task<Boolean>>();
            for (int i = 1; i <= 3; i++) {
                ts.add(waiter(cond, result, i));
            }
            settle();
            try (var _ = cond.acquire()) {
                cond.signalAll();
                assertEquals(0, cond.statistics().waiters());
                assertEquals(List.of(), result);
            }
            settle();
            assertEquals(List.of(1, 2, 3), result);
            for (var t : ts) {
                assertTrue(t.await());
            }
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void signalNegative_throwsIllegalArgumentException() {
        runVc(() -> {
            var cond = new Condition();
            try (var _ = cond.acquire()) {
                assertThrows(IllegalArgumentException.class, () -> cond.signal(-1));
            }
        });
    }

    @Test
    void signal_withNoWaiters_isANoOp() {
        runVc(() -> {
            var cond = new Condition();
            try (var _ = cond.acquire()) {
                cond.signal();
                cond.signalAll();
            }
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void await_withoutTheLock_throwsIllegalStateException() {
        // test_wait_unacquired
        runVc(() -> {
            var cond = new Condition();
            var e = assertThrows(IllegalStateException.class, cond::await);
            assertTrue(e.getMessage().contains("lock"), e.getMessage());
            assertFalse(cond.isLocked());
            assertEquals(0, cond.statistics().waiters());
        });
    }

    @Test
    void signal_withoutTheLock_throwsIllegalStateException() {
        // test_notify_unacquired, test_notify_all_unacquired
        runVc(() -> {
            var cond = new Condition();
            assertThrows(IllegalStateException.class, cond::signal);
            assertThrows(IllegalStateException.class, () -> cond.signal(2));
            assertThrows(IllegalStateException.class, cond::signalAll);
        });
    }

    @Test
    void release_notAcquired_throwsIllegalStateException() {
        var cond = new Condition();
        assertThrows(IllegalStateException.class, cond::release);
    }

    @Test
    void nullArguments_throwNullPointerException() {
        var e = assertThrows(NullPointerException.class, () -> new Condition(null));
        assertTrue(e.getMessage().contains("lock"), e.getMessage());
        runVc(() -> {
            var cond = new Condition();
            try (var _ = cond.acquire()) {
                var e2 = assertThrows(NullPointerException.class, () -> cond.awaitUntil(null));
                assertTrue(e2.getMessage().contains("predicate"), e2.getMessage());
            }
        });
    }

    // ------------------------------------------------------------------ awaitUntil

    @Test
    void awaitUntil_rechecksThePredicateAfterEverySignal() {
        // test_wait_for
        runVc(() -> {
            var cond = new Condition();
            boolean[] presult = {false};
            int[] checks = {0};
            var result = new ArrayList<Integer>();
            Task<Boolean> t = createTask(() -> {
                try (var _ = cond.acquire()) {
                    cond.awaitUntil(() -> { checks[0]++; return presult[0]; });
                    assertTrue(cond.isLocked());
                    result.add(1);
                }
                return true;
            });
            settle();
            assertEquals(List.of(), result);
            assertEquals(1, checks[0]);

            try (var _ = cond.acquire()) {
                cond.signal();
            }
            settle();
            assertEquals(List.of(), result);
            assertEquals(2, checks[0]);

            presult[0] = true;
            try (var _ = cond.acquire()) {
                cond.signal();
            }
            settle();
            assertEquals(List.of(1), result);
            assertEquals(3, checks[0]);
            assertTrue(t.await());
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void awaitUntil_withoutTheLock_throwsEvenIfThePredicateHoldsAtOnce() {
        // test_wait_for_unacquired lets a predicate that holds at once return without the lock;
        // api.md makes waiting without the lock an error, so the check comes first (the
        // predicate is meant to read state the lock protects).
        runVc(() -> {
            var cond = new Condition();
            int[] checks = {0};
            assertThrows(IllegalStateException.class, () -> cond.awaitUntil(() -> { checks[0]++; return true; }));
            assertThrows(IllegalStateException.class, () -> cond.awaitUntil(() -> { checks[0]++; return false; }));
            assertEquals(0, checks[0], "the predicate is not evaluated without the lock");
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void await_whileAnotherTaskHoldsTheLock_throwsIllegalStateExceptionAndLeavesItsHold() {
        runVc(() -> {
            var cond = new Condition();
            Task<Void> holder = createTask(() -> {
                try (var _ = cond.acquire()) {
                    sleep(10);
                }
            });
            settle();
            assertTrue(cond.isLocked());
            var e = assertThrows(IllegalStateException.class,
                    () -> Asyncio.timeout(Duration.ofSeconds(1), () -> { cond.await(); }));
            assertTrue(e.getMessage().contains("lock"), e.getMessage());
            assertThrows(IllegalStateException.class,
                    () -> Asyncio.timeout(Duration.ofSeconds(1), () -> { cond.awaitUntil(() -> false); }));
            assertTrue(cond.isLocked(), "the holder's lock must not be released by someone else's await");
            assertEquals(0, cond.statistics().waiters());
            holder.await();
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void signal_whileAnotherTaskHoldsTheLock_wakesAWaiterAsPythonsNotifyDoes() {
        // Python's notify checks only locked() (test_wait notifies while a woken waiter holds
        // the lock); only waiting needs the caller's own hold.
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            Task<Boolean> w = waiter(cond, result, 1);
            settle();
            Task<Void> holder = createTask(() -> {
                try (var _ = cond.acquire()) {
                    sleep(10);
                }
            });
            settle();
            cond.signal();
            holder.await();
            assertTrue(w.await());
            assertEquals(List.of(1), result);
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void signal_byTheTaskTheLockWasHandedTo_isAllowed() {
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            Task<Boolean> w = waiter(cond, result, 1);
            settle();
            cond.acquire();
            Task<Void> signaller = createTask(() -> {
                try (var _ = cond.acquire()) {    // waits: main holds the lock
                    cond.signal();
                }
            });
            settle();
            cond.release();                       // handed to the signaller
            signaller.await();
            assertTrue(w.await());
            assertEquals(List.of(1), result);
        });
    }

    @Test
    void producerConsumer_withAwaitUntil() {
        List<Integer> got = runVc(() -> {
            var cond = new Condition();
            var items = new ArrayList<Integer>();
            var consumed = new ArrayList<Integer>();
            Task<Void> consumer = createTask(() -> {
                for (int i = 0; i < 5; i++) {
                    try (var _ = cond.acquire()) {
                        cond.awaitUntil(() -> !items.isEmpty());
                        consumed.add(items.removeFirst());
                    }
                }
            });
            for (int i = 0; i < 5; i++) {
                sleep(0.1);
                try (var _ = cond.acquire()) {
                    items.add(i);
                    cond.signal();
                }
            }
            consumer.await();
            return consumed;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    // ------------------------------------------------------------------ lock handling

    @Test
    void tryWithResources_acquiresAndReleasesTheLock() {
        // test_context_manager
        runVc(() -> {
            var cond = new Condition();
            assertFalse(cond.isLocked());
            try (var _ = cond.acquire()) {
                assertTrue(cond.isLocked());
            }
            assertFalse(cond.isLocked());
            assertThrows(IllegalArgumentException.class, () -> {
                try (var _ = cond.acquire()) {
                    throw new IllegalArgumentException("x");
                }
            });
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void explicitLock_isSharedWithTheCondition() {
        // test_explicit_lock
        runVc(() -> {
            var lock = new Lock();
            var cond = new Condition(lock);
            lock.acquire();
            assertTrue(cond.isLocked());
            lock.release();
            assertFalse(cond.isLocked());
            cond.acquire();
            assertTrue(lock.isLocked());
            cond.release();
            assertFalse(lock.isLocked());

            // two conditions over one lock: waiting on one releases the shared lock
            var cond2 = new Condition(lock);
            var log = new ArrayList<String>();
            Task<Void> w = createTask(() -> {
                try (var _ = cond.acquire()) {
                    cond.await();
                    log.add("woken, locked=" + lock.isLocked());
                }
            });
            settle();
            assertFalse(lock.isLocked());
            try (var _ = cond2.acquire()) {
                cond2.signalAll();             // cond2 has no waiters
            }
            settle();
            assertEquals(List.of(), log);
            try (var _ = lock.acquire()) {
                cond.signal();
            }
            w.await();
            assertEquals(List.of("woken, locked=true"), log);
        });
    }

    @Test
    void await_timeoutInBlock_throwsAsyncTimeoutAndHoldsTheLockAgain() {
        // test_timeout_in_block
        runVc(() -> {
            var cond = new Condition();
            try (var _ = cond.acquire()) {
                assertThrows(AsyncTimeoutException.class,
                        () -> Asyncio.timeout(Duration.ofMillis(500), () -> { cond.await(); }));
                assertTrue(cond.isLocked());
                assertEquals(0, cond.statistics().waiters());
            }
            assertFalse(cond.isLocked());
        });
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void cancel_whileWaiting_reacquiresTheLockBeforeCancelledExceptionReachesTheTask() {
        // test_wait_cancel / test_wait_cancel_contested: the lock is contested by main while the waiter is cancelled
        runVc(() -> {
            var cond = new Condition();
            var log = new ArrayList<String>();
            Task<Void> a = loggingWaiter(cond, log);
            settle();
            assertEquals(1, cond.statistics().waiters());
            cond.acquire();                   // main holds the lock
            a.cancel();
            settle();
            assertFalse(a.isDone(), "it must wait for the lock before the cancellation reaches it");
            assertEquals(List.of(), log);
            assertEquals(new Condition.Statistics(true, 1, 0), cond.statistics());
            cond.release();                   // hand the lock to the cancelled task
            assertThrows(CancelledException.class, a::await);
            assertEquals(List.of("cancelled, locked=true"), log);
            assertFalse(cond.isLocked(), "released by its try-with-resources");
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void cancel_whileWaitingUncontested_throwsWithLockHeld() {
        // test_wait_cancel
        runVc(() -> {
            var cond = new Condition();
            boolean[] heldAtCatch = {false};
            Task<Void> a = createTask(() -> {
                cond.acquire();
                try {
                    cond.await();
                } catch (CancelledException e) {
                    heldAtCatch[0] = cond.isLocked();
                    throw e;
                }
            });
            settle();
            a.cancel();
            assertThrows(CancelledException.class, a::await);
            assertTrue(heldAtCatch[0]);
            assertTrue(cond.isLocked(), "the cancelled task never released");
            assertEquals(0, cond.statistics().waiters());
            cond.release();
        });
    }

    @Test
    void cancel_duringReacquireAfterSignal_stillReacquiresThenThrows() {
        // test_cancelled_error_re_aquire: woken by a signal, blocked on the lock, then cancelled
        runVc(() -> {
            var cond = new Condition();
            var log = new ArrayList<String>();
            Task<Void> a = loggingWaiter(cond, log);
            settle();
            cond.acquire();
            cond.signal();
            settle();                         // a is woken and now waits for the lock
            assertFalse(a.isDone());
            assertEquals(1, cond.statistics().lockWaiters());
            a.cancel();
            settle();
            assertFalse(a.isDone(), "it keeps waiting for the lock");
            assertEquals(1, cond.statistics().lockWaiters());
            cond.release();
            assertThrows(CancelledException.class, a::await);
            assertEquals(List.of("cancelled, locked=true"), log);
            assertFalse(cond.isLocked());
        });
    }

    @Test
    void cancel_afterLockHandedOverDuringReacquire_stillReacquiresThenThrows() {
        runVc(() -> {
            var cond = new Condition();
            var log = new ArrayList<String>();
            Task<Void> a = loggingWaiter(cond, log);
            settle();
            cond.acquire();
            cond.signal();
            settle();
            cond.release();                   // the lock is handed to a, which has not run
            a.cancel();
            assertThrows(CancelledException.class, a::await);
            assertEquals(List.of("cancelled, locked=true"), log);
            assertFalse(cond.isLocked());
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void cancel_afterSignal_whileSignallerStillHoldsLock_passesSignalToNextWaiter() {
        // test_cancelled_wakeup / test_wait_cancel_after_notify: the signalled waiter is cancelled
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            Task<Boolean> a = waiter(cond, result, 1);
            Task<Boolean> b = waiter(cond, result, 2);
            settle();
            cond.acquire();
            cond.signal();                    // wakes a
            a.cancel();                       // ... which is cancelled before it ran
            settle();                         // a gives the signal back while we hold the lock
            cond.release();
            assertThrows(CancelledException.class, a::await);
            assertTrue(b.await(), "b received the signal a could not use");
            assertEquals(List.of(2), result);
            assertFalse(cond.isLocked());
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void cancel_afterSignal_signallerReleasedAtOnce_passesSignalToNextWaiter() {
        // test_cancelled_error_wakeup: signal, release and cancel in one step, then the waiter runs
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            Task<Boolean> a = waiter(cond, result, 1);
            Task<Boolean> b = waiter(cond, result, 2);
            settle();
            try (var _ = cond.acquire()) {
                cond.signal();
            }
            a.cancel();
            var ea = assertThrows(RuntimeException.class, a::await);
            assertInstanceOf(CancelledException.class, ea, "the cancelled waiter must end cancelled, got " + ea);
            Asyncio.waitFor(b, Duration.ofSeconds(5));
            assertEquals(List.of(2), result);
            assertFalse(cond.isLocked());
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void cancel_duringReacquireAfterSignal_passesTheSignalToTheNextWaiter() {
        // Python's wait() notifies another waiter when anything leaves it after the task may
        // have been notified: a signal consumed by a waiter that then ends cancelled is not lost.
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            Task<Boolean> a = waiter(cond, result, 1);
            Task<Boolean> b = waiter(cond, result, 2);
            settle();
            assertEquals(2, cond.statistics().waiters());
            try (var _ = cond.acquire()) {
                cond.signal();                    // a is woken, and waits for the lock
                settle();
                assertEquals(1, cond.statistics().lockWaiters());
                a.cancel();                       // while it re-acquires
                settle();
            }
            assertThrows(CancelledException.class, a::await);
            settle();
            assertTrue(b.isDone(), "b must receive the signal a consumed and could not use");
            assertTrue(b.await());
            assertEquals(List.of(2), result);
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void await_interruptedByItsGroupWhileReacquiring_throwsOnlyOnceTheLockIsHeldAgain() {
        // Issue 8, item 4: the group's interruption is a cancellation to await's cleanup.
        runVc(() -> {
            var cond = new Condition();
            var log = new ArrayList<String>();
            Task<Void> a = loggingWaiter(cond, log);
            settle();
            Releaser mine = cond.acquire();
            cond.signal();
            settle();                             // a is woken and waits for the lock
            assertEquals(1, cond.statistics().lockWaiters());
            ExceptionGroup g = GroupInterruption.interrupt(a);
            settle();
            assertFalse(a.isDone(), "a must wait for the lock before the interruption leaves await");
            assertTrue(cond.isLocked(), "main still holds the lock");
            assertEquals(1, cond.statistics().lockWaiters());
            mine.close();                         // hands the lock to a
            assertSame(g, assertThrows(ExceptionGroup.class, a::await));
            assertEquals(List.of("interrupted, locked=true"), log);
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void await_interruptedByItsGroupWhileWaitingForASignal_reacquiresTheLockBeforeThrowing() {
        runVc(() -> {
            var cond = new Condition();
            var log = new ArrayList<String>();
            Task<Void> a = loggingWaiter(cond, log);
            settle();
            Releaser mine = cond.acquire();
            GroupInterruption.interrupt(a);
            settle();
            assertFalse(a.isDone(), "a must wait for the lock main holds");
            mine.close();
            assertThrows(ExceptionGroup.class, a::await);
            assertEquals(List.of("interrupted, locked=true"), log);
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void await_tryFormTaskGroupInterruptsWhileReacquiring_mutualExclusionHolds() {
        // Issue 8, item 4, as a user meets it: a's sibling fails while a re-acquires the lock
        // main holds. Whatever a's await then does, a's releaser must not release main's hold.
        runVc(() -> {
            var cond = new Condition();
            var log = new ArrayList<String>();
            Task<Void> a = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        sleep(1);
                        throw new IllegalStateException("sibling failed");
                    });
                    try (var _ = cond.acquire()) {
                        cond.await();
                    }
                }
            });
            settle();                             // a waits for a signal
            Task<Void> c;
            try (var _ = cond.acquire()) {
                log.add("main in");
                cond.signal();
                sleep(2);                         // a re-acquires; its sibling fails meanwhile
                c = createTask(() -> {
                    try (var _ = cond.acquire()) {
                        log.add("c in");
                    }
                });
                settle();
                assertTrue(cond.isLocked());
                log.add("main out");
            }
            assertThrows(ExceptionGroup.class, a::await);
            c.await();
            assertEquals(List.of("main in", "main out", "c in"), log, "c got in while main held the lock");
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    @Test
    void cancel_whileWaiting_othersStillServedInOrder() {
        List<Integer> got = runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            var ts = new ArrayList<Task<Boolean>>();
            for (int i = 0; i < 5; i++) {
                ts.add(waiter(cond, result, i));
                settle();
            }
            ts.get(1).cancel();
            ts.get(3).cancel();
            settle();
            assertEquals(3, cond.statistics().waiters());
            for (int i = 0; i < 3; i++) {
                try (var _ = cond.acquire()) {
                    cond.signal();
                }
                settle();
            }
            for (var t : ts) {
                try { t.await(); } catch (CancelledException ignored) { }
            }
            assertFalse(cond.isLocked());
            return result;
        });
        assertEquals(List.of(0, 2, 4), got);
    }

    // ------------------------------------------------------------------ toString, statistics

    @Test
    void toString_showsStateAndWaiters() {
        // test_repr
        runVc(() -> {
            var cond = new Condition();
            assertEquals("Condition[unlocked]", cond.toString());
            cond.acquire();
            assertEquals("Condition[locked]", cond.toString());
            cond.release();
            var result = new ArrayList<Integer>();
            Task<Boolean> a = waiter(cond, result, 1);
            Task<Boolean> b = waiter(cond, result, 2);
            settle();
            assertEquals("Condition[unlocked, waiters=2]", cond.toString());
            assertEquals(new Condition.Statistics(false, 0, 2), cond.statistics());
            try (var _ = cond.acquire()) {
                cond.signalAll();
                assertEquals("Condition[locked]", cond.toString());
                assertEquals(new Condition.Statistics(true, 0, 0), cond.statistics());
                settle();
                assertEquals(new Condition.Statistics(true, 2, 0), cond.statistics(), "both wait for the lock now");
            }
            a.await();
            b.await();
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
    }

    // ------------------------------------------------------------------ loop confinement

    @Test
    void uncontendedUse_inTwoConsecutiveRuns_works() {
        var cond = new Condition();
        Asyncio.run(() -> { try (var _ = cond.acquire()) { cond.signalAll(); } });
        Asyncio.run(() -> { try (var _ = cond.acquire()) { cond.signal(); } });
        assertFalse(cond.isLocked());
    }

    @Test
    void boundCondition_usedFromPlainThreadWhileLoopRuns_throwsIllegalStateException() {
        runVc(() -> {
            var cond = new Condition();
            var result = new ArrayList<Integer>();
            Task<Boolean> a = waiter(cond, result, 1);
            settle();
            cond.acquire();
            RuntimeException e = toThread(() -> {
                try {
                    cond.signal();
                    return null;
                } catch (RuntimeException x) {
                    return x;
                }
            });
            assertInstanceOf(IllegalStateException.class, e);
            assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
            assertEquals(1, cond.statistics().waiters(), "nothing was signalled");
            cond.signal();
            cond.release();
            a.await();
        });
    }

    @Test
    void boundCondition_usedFromASecondLoop_throwsIllegalStateException() {
        // test_ambiguous_loops
        var cond = new Condition();
        runVc(() -> {
            var result = new ArrayList<Integer>();
            Task<Boolean> a = waiter(cond, result, 1);
            settle();
            try (var _ = cond.acquire()) {
                cond.signal();
            }
            a.await();
        });
        var e = assertThrows(IllegalStateException.class, () -> runVc(() -> {
            try (var _ = cond.acquire()) {
                cond.signal();
            }
        }));
        assertTrue(e.getMessage().contains("belongs to"), e.getMessage());
        assertFalse(cond.isLocked(), "the lock taken in the second loop was released on the way out");
    }
}
