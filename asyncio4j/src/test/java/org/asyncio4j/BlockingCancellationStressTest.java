package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.asyncio4j.BlockingCancellationTest.Conn;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many tasks on one loop (real clock) run toy blocking queries against {@link ToyBackend}, some
 * through {@code cancellable} (the hook cancels the query, as JDBC's {@code Statement.cancel()}),
 * some plainly (the interrupt stops them and closes their connection), some under short
 * timeouts, while a controller cancels random ones. Checks: every task ends with its result or
 * cancelled, never with a driver's (or any) failure; a hook ran only for a task that was
 * cancelled or whose timeout expired; every connection used only through {@code cancellable}
 * is still usable; the loop reported nothing and nothing is left running.
 * Scale with {@code -Dasyncio4j.stress.scale=N}.
 */
@Tag("stress")
@Timeout(120)
@Tag("fast-only")   // cooperative blocking: JDK blocking calls inside tasks park only the task
class BlockingCancellationStressTest {

    private static final int SCALE = Math.max(1, Integer.getInteger("asyncio4j.stress.scale", 1));

    /** One worker's plan and what happened to it. */
    static final class Worker {
        final String name;
        final boolean throughRegions;
        final Conn conn;
        final String key;
        final long[] queryMillis;             // each query's server time
        final long[] timeoutMillis;           // 0: no timeout around that query
        final long[] pauseMillis;             // an asyncio sleep before each query
        int timeouts;
        Task<Integer> task;
        boolean cancelledByController;

        Worker(String name, boolean throughRegions, Conn conn, Random rnd, int queries) {
            this.name = name;
            this.throughRegions = throughRegions;
            this.conn = conn;
            this.key = ToyBackend.keyOf(conn);
            queryMillis = new long[queries];
            timeoutMillis = new long[queries];
            pauseMillis = new long[queries];
            for (int i = 0; i < queries; i++) {
                queryMillis[i] = 1 + rnd.nextInt(40);
                timeoutMillis[i] = rnd.nextInt(4) == 0 ? 5 + rnd.nextInt(40) : 0;
                pauseMillis[i] = rnd.nextInt(10);
            }
        }

        /** The worker's body: its queries, in order; a timed-out plain query ends it (its connection is gone). */
        int body(Set<String> hooked) throws Exception {
            // As pgjdbc does (Statement.cancel() marks the statement CANCELING, and the query's
            // end waits for that to finish): a cancel in flight when the query returns must not
            // land on the next query. The hook runs in its own task and may still be sending when
            // the region ends; asyncio4j does not wait for it (a hook may never return).
            java.util.concurrent.locks.ReentrantLock cancelInFlight = new java.util.concurrent.locks.ReentrantLock();
            ThrowingRunnable hook = () -> {
                cancelInFlight.lock();
                try {
                    hooked.add(name);
                    conn.cancel(key);
                } finally {
                    cancelInFlight.unlock();
                }
            };
            int done = 0;
            for (int i = 0; i < queryMillis.length; i++) {
                Asyncio.sleep(pauseMillis[i] / 1000.0);
                String request = "sleep " + queryMillis[i];
                java.util.concurrent.Callable<String> query = throughRegions
                        ? () -> Asyncio.cancellable(hook, () -> {
                            try {
                                return conn.query(request);
                            } finally {
                                cancelInFlight.lock();    // waits for a cancel in flight
                                cancelInFlight.unlock();
                            }
                        })
                        : () -> conn.query(request);
                try {
                    if (timeoutMillis[i] > 0) {
                        Asyncio.timeout(Duration.ofMillis(timeoutMillis[i]), query);
                    } else {
                        query.call();
                    }
                    done++;
                } catch (AsyncTimeoutException e) {
                    timeouts++;
                    if (!throughRegions) {
                        return done;
                    }
                }
            }
            return done;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void randomCancelsAndTimeouts_ofBlockingQueries_endAsResultsOrCancellations(long seed) throws Exception {
        Random rnd = new Random(seed);
        int workers = 24 * SCALE;
        List<String> problems = new CopyOnWriteArrayList<>();
        Set<String> hooked = ConcurrentHashMap.newKeySet();
        List<Worker> all = new ArrayList<>();
        int[] cancels = {0};
        int[] withdrawn = {0};
        try (ToyBackend db = new ToyBackend()) {
            Asyncio.run(() -> {
                Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> problems.add("report: " + ctx.message() + " " + ctx.exception()));
                for (int i = 0; i < workers; i++) {
                    boolean regions = rnd.nextInt(4) != 0;
                    all.add(new Worker((regions ? "region-" : "plain-") + i, regions, new Conn(db.port()), rnd, 8));
                }
                for (Worker w : all) {
                    w.task = Asyncio.createTask(() -> w.body(hooked), w.name);
                }
                Task<Void> controller = Asyncio.createTask(() -> {
                    // Until every worker is done: now and then cancel a live one, sometimes twice in
                    // one step (a timeout and a group at once), or (a region worker) cancel and
                    // withdraw in one step, which must leave it running, and run no hook for it.
                    while (all.stream().anyMatch(w -> !w.task.isDone())) {
                        Asyncio.sleep(rnd.nextInt(15) / 1000.0);
                        List<Worker> live = all.stream().filter(w -> !w.task.isDone()).toList();
                        if (live.isEmpty() || rnd.nextBoolean()) {
                            continue;
                        }
                        Worker w = live.get(rnd.nextInt(live.size()));
                        int action = rnd.nextInt(6);
                        if (action == 0 && w.throughRegions && !w.cancelledByController) {
                            w.task.cancel();
                            w.task.uncancel();
                            withdrawn[0]++;
                            continue;
                        }
                        if (w.task.cancel()) {
                            w.cancelledByController = true;
                            cancels[0]++;
                        }
                        if (action == 1) {
                            w.task.cancel();
                        }
                    }
                }, "controller");
                controller.await();
                Asyncio.gatherSettled(all.stream().map(w -> (Future<?>) w.task).toList());
                // Hook tasks may still be in their cancel's I/O: give them a real second.
                for (int i = 0; i < 200 && Asyncio.allTasks().size() > 1; i++) {
                    Asyncio.sleep(0.005);
                }
                if (Asyncio.allTasks().size() > 1) {
                    problems.add("left running: " + Asyncio.allTasks());
                }
                return null;
            });
            int ok = 0, cancelled = 0, usable = 0;
            for (Worker w : all) {
                Task<Integer> t = w.task;
                if (t.isCancelled()) {
                    cancelled++;
                    if (!w.cancelledByController) {
                        problems.add(w.name + " ended cancelled, but nobody cancelled it");
                    }
                } else if (t.state() == java.util.concurrent.Future.State.SUCCESS) {
                    ok++;
                } else {
                    problems.add(w.name + " failed: " + t.exceptionNow());
                }
                if (hooked.contains(w.name) && !w.cancelledByController && w.timeouts == 0) {
                    problems.add("a hook ran for " + w.name + ", which was neither cancelled nor timed out");
                }
                if (w.throughRegions) {
                    if (ToyBackend.usable(w.conn)) {
                        usable++;
                    } else {
                        problems.add(w.name + "'s connection, used only through cancellable, is not usable");
                    }
                }
                w.conn.close();
            }
            System.out.printf("BlockingCancellationStressTest seed %d: %d workers (%d ok, %d cancelled), %d cancels, "
                    + "%d withdrawn, %d timeouts, %d tasks hooked, %d cancels hit a query, %d region connections usable%n",
                    seed, all.size(), ok, cancelled, cancels[0], withdrawn[0], all.stream().mapToInt(w -> w.timeouts).sum(),
                    hooked.size(), db.cancelsThatHit.get(), usable);
        }
        assertEquals(List.of(), problems);
    }
}
