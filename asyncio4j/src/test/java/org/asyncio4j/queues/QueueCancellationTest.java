package org.asyncio4j.queues;

import static org.asyncio4j.Asyncio.*;
import static org.asyncio4j.CancellationHarness.everySuspensionPoint;
import static org.asyncio4j.CancellationHarness.named;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.Task;
import org.asyncio4j.sync.Injection;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Queue get/put under the cancellation harness: three producers and three consumers move items
 * through a bounded and an unbounded queue, and the run is repeated once per suspension point of
 * theirs, cancelling (or interrupting, as its try-form TaskGroup would) the suspended task
 * exactly there; then again stopping one chosen worker at each point instead, whichever task
 * suspends there (so also just after a put or get woke it, before it ran). Every run checks: the injection is not lost; no wake-up is lost (consumers
 * still running leave the queue empty); and, in FIFO order, the items taken followed by those
 * still in the queue are exactly the items put (none lost, none duplicated, a cancelled put
 * inserted nothing).
 */
@Timeout(120)
class QueueCancellationTest {

    @ParameterizedTest
    @EnumSource(Injection.Mode.class)
    void boundedQueue_stoppedAtEverySuspensionPoint_noItemLostOrDuplicated_fifoKept(Injection.Mode mode) {
        Injection.forEveryVictim(6, victim -> {
            scenario(mode, 1, victim);      // every take frees the only slot: a lost wake-up deadlocks
            scenario(mode, 2, victim);
        });
    }

    @ParameterizedTest
    @EnumSource(Injection.Mode.class)
    void unboundedQueue_stoppedAtEverySuspensionPoint_noItemLostOrDuplicated_fifoKept(Injection.Mode mode) {
        Injection.forEveryVictim(6, victim -> scenario(mode, 0, victim));
    }

    private static void scenario(Injection.Mode mode, int maxSize, int victim) {
        int points = everySuspensionPoint(named("w-"), run -> {
            List<Task<Void>> workers = new ArrayList<>();   // producers, then consumers
            Injection inj = Injection.install(run, mode, victim, workers);
            Queue<Integer> q = new Queue<>(maxSize);
            List<Integer> inserted = new ArrayList<>();    // in the order the puts returned
            List<Integer> taken = new ArrayList<>();       // in the order the gets returned
            List<Task<Void>> producers = new ArrayList<>();
            List<Task<Void>> consumers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                int id = p;
                producers.add(createTask(() -> {
                    for (int k = 0; k < 4; k++) {
                        int x = 100 * id + k;
                        q.put(x);
                        inserted.add(x);
                        if (k % 2 == 1) {
                            sleep(0.005 * (id + 1));    // bursts of two: putters wait on a bounded queue
                        }
                    }
                }, "w-producer-" + p));
            }
            for (int c = 0; c < 3; c++) {
                int id = c;
                consumers.add(createTask(() -> {
                    while (true) {
                        Integer x;
                        try {
                            x = q.get();
                        } catch (QueueShutDownException e) {
                            return;
                        }
                        taken.add(x);
                        sleep(0.001 * (id + 1));        // faster than the producers: getters wait too
                    }
                }, "w-consumer-" + c));
            }
            workers.addAll(producers);
            workers.addAll(consumers);
            Injection.awaitProducersThenCheckNothingLeft(producers, consumers, q::size, q);
            q.shutdown();
            Injection.awaitAll(consumers);
            inj.checkEnds(workers);
            List<Integer> out = new ArrayList<>(taken);
            while (!q.isEmpty()) {
                out.add(q.getNowait());
            }
            assertEquals(inserted, out, "taken, then left in the queue, must be exactly what was put, in order");
            assertEquals(0, q.statistics().getters());
            assertEquals(0, q.statistics().putters());
        });
        assertTrue(points >= 12, "suspension points: " + points);
    }
}
