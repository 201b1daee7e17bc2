package org.asyncio4j.sync;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.CancellationHarness.everySuspensionPoint;
import static org.asyncio4j.CancellationHarness.named;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

import org.asyncio4j.Task;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lock, Condition, Semaphore and BoundedSemaphore under the cancellation harness: each scenario
 * runs once per suspension point of its worker tasks, and exactly there the suspended worker is
 * cancelled (or interrupted as its try-form TaskGroup would); then again with one chosen worker
 * stopped at each point instead, whichever task suspends there, which also lands the stop just
 * after a wake-up was scheduled and before the woken worker ran. Every run checks: the injection is
 * not lost (the stopped worker ends by it, the others normally), mutual exclusion (or the permit
 * bound) held throughout, and the primitive is balanced at the end (unlocked, every permit back,
 * nobody waiting); for Condition also that {@code await} left holding the lock and that no item
 * or signal was lost.
 */
@Timeout(120)
class SyncCancellationTest {

    @ParameterizedTest
    @EnumSource(Injection.Mode.class)
    void lock_stoppedAtEverySuspensionPoint_mutualExclusionHoldsAndTheLockEndsUnlocked(Injection.Mode mode) {
        Injection.forEveryVictim(3, victim -> holdersScenario(mode, victim, 3, 1, () -> {
            var lock = new Lock();
            return new Guarded(lock::acquire, () -> {
                assertFalse(lock.isLocked(), "the lock ends unlocked");
                assertEquals(new Lock.Statistics(false, 0), lock.statistics());
            });
        }));
    }

    @ParameterizedTest
    @EnumSource(Injection.Mode.class)
    void condition_stoppedAtEverySuspensionPoint_awaitLeavesHoldingTheLock_noItemOrSignalLost(Injection.Mode mode) {
        Injection.forEveryVictim(5, victim -> conditionScenario(mode, victim));
    }

    private static void conditionScenario(Injection.Mode mode, int victim) {
        int points = everySuspensionPoint(named("w-"), run -> {
            List<Task<Void>> workers = new ArrayList<>();   // producers, then consumers
            Injection inj = Injection.install(run, mode, victim, workers);
            var lock = new Lock();
            var cond = new Condition(lock);
            Deque<Integer> items = new ArrayDeque<>();
            List<Integer> produced = new ArrayList<>();
            List<Integer> got = new ArrayList<>();
            boolean[] done = {false};
            List<Task<Void>> producers = new ArrayList<>();
            List<Task<Void>> consumers = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int id = p;
                producers.add(createTask(() -> {
                    for (int k = 0; k < 3; k++) {
                        sleep(0.01 + 0.003 * id);   // staggered: one signal per item, no slack
                        try (var _ = cond.acquire()) {
                            items.add(10 * id + k);
                            produced.add(10 * id + k);
                            cond.signal();
                            sleep(0.005);   // holds the lock: the signalled consumer re-acquires contended
                        }
                    }
                }, "w-producer-" + p));
            }
            for (int c = 0; c < 3; c++) {
                consumers.add(createTask(() -> {
                    while (true) {
                        try (var _ = cond.acquire()) {
                            try {
                                cond.awaitUntil(() -> !items.isEmpty() || done[0]);
                            } finally {
                                assertTrue(lock.heldByCaller(), "await left without the caller's hold of the lock");
                            }
                            if (items.isEmpty()) {
                                return;
                            }
                            got.add(items.poll());
                        }
                    }
                }, "w-consumer-" + c));
            }
            workers.addAll(producers);
            workers.addAll(consumers);
            Injection.awaitProducersThenCheckNothingLeft(producers, consumers, items::size, items);
            try (var _ = cond.acquire()) {
                done[0] = true;
                cond.signalAll();
            }
            Injection.awaitAll(consumers);
            inj.checkEnds(workers);
            List<Integer> accounted = new ArrayList<>(got);
            accounted.addAll(items);
            accounted.sort(null);
            produced.sort(null);
            assertEquals(produced, accounted, "every item produced is got exactly once or still there");
            assertEquals(new Condition.Statistics(false, 0, 0), cond.statistics());
        });
        assertTrue(points >= 10, "suspension points: " + points);
    }

    @ParameterizedTest
    @EnumSource(Injection.Mode.class)
    void semaphore_stoppedAtEverySuspensionPoint_neverMoreHoldersThanPermits_everyPermitBack(Injection.Mode mode) {
        Injection.forEveryVictim(4, victim -> holdersScenario(mode, victim, 4, 2, () -> semaphore(new Semaphore(2))));
    }

    @ParameterizedTest
    @EnumSource(Injection.Mode.class)
    void boundedSemaphore_stoppedAtEverySuspensionPoint_everyPermitBack_boundIntact(Injection.Mode mode) {
        Injection.forEveryVictim(4, victim -> holdersScenario(mode, victim, 4, 2, () -> {
            var sem = new BoundedSemaphore(2);
            Guarded g = semaphore(sem);
            return new Guarded(g.acquire(), () -> {
                g.checkBalanced().run();
                assertThrows(IllegalStateException.class, sem::release, "the bound still holds");
            });
        }));
    }

    /** A primitive under test: how to take it, and the check that it ends balanced. */
    private record Guarded(Supplier<Releaser> acquire, Runnable checkBalanced) {
    }

    private static Guarded semaphore(Semaphore sem) {
        return new Guarded(sem::acquire,
                () -> assertEquals(new Semaphore.Statistics(2, 0), sem.statistics(), "every permit back, nobody waiting"));
    }

    /**
     * {@code workers} tasks each take the primitive twice, holding it across a sleep; at most
     * {@code permits} may hold it at once, and it ends balanced.
     */
    private static void holdersScenario(Injection.Mode mode, int victim, int workerCount, int permits, Supplier<Guarded> make) {
        int points = everySuspensionPoint(named("w-"), run -> {
            List<Task<Void>> workers = new ArrayList<>();
            Injection inj = Injection.install(run, mode, victim, workers);
            Guarded g = make.get();
            int[] inside = {0};
            for (int i = 0; i < workerCount; i++) {
                workers.add(createTask(() -> {
                    for (int k = 0; k < 2; k++) {
                        try (var _ = g.acquire().get()) {
                            assertTrue(++inside[0] <= permits, "more holders than " + permits);
                            try {
                                sleep(0.01);
                            } finally {
                                inside[0]--;
                            }
                        }
                    }
                }, "w-" + i));
            }
            Injection.awaitAll(workers);
            inj.checkEnds(workers);
            g.checkBalanced().run();
        });
        assertTrue(points >= 2 * workerCount, "suspension points: " + points);
    }
}
