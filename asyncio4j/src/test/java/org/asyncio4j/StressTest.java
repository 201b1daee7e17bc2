package org.asyncio4j;

import static org.asyncio4j.Asyncio.allTasks;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.gatherSettled;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.asyncio4j.internal.carrier.Carrier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A random mix of thousands of tasks (sleeps, yields, cancels of random other tasks, nested
 * gathers, task groups with failing children, timeouts) on a virtual clock. It checks the
 * loop's core invariants: every step runs on the loop thread, never two at once, every task
 * ends in a known state, and nothing is left behind.
 * Scale with {@code -Dasyncio4j.stress.scale=N}.
 */
@Tag("stress")
@Timeout(120)
class StressTest {

    private static final int SCALE = Math.max(1, Integer.getInteger("asyncio4j.stress.scale", 1));
    private static final int TOP_LEVEL_TASKS = 3000 * SCALE;
    private static final boolean FAST = Asyncio.carrierMode() == CarrierMode.FAST;

    /** The failure the test plants on purpose. */
    static final class Planted extends RuntimeException {
        Planted(String message) {
            super(message, null, false, false);
        }
    }

    /** Loop-confined state of one run (plain fields: the point is that no two steps overlap). */
    static final class World {
        final Random rnd;
        final Thread loopThread;
        final List<Task<Object>> topLevel = new ArrayList<>();
        final List<Task<Object>> all = new ArrayList<>();
        int inside;
        int maxInside;
        int offLoop;
        int notInTask;
        long sections;
        int cancelsSent;
        int timeoutsHit;
        int groupFailures;
        final AtomicInteger unexpectedReports = new AtomicInteger();

        World(long seed, Thread loopThread) {
            this.rnd = new Random(seed);
            this.loopThread = loopThread;
        }

        /** Opens a non-suspending section. */
        void enter() {
            // The fast mode carries every step on the loop thread; the portable mode runs it on
            // the task's own thread while the loop thread waits (the counter below checks that).
            if (FAST && Carrier.currentCarrierThread() != loopThread) {
                offLoop++;
            }
            if (currentTask() == null) {
                notInTask++;
            }
            inside++;
            if (inside > maxInside) {
                maxInside = inside;
            }
            sections++;
        }

        void exit() {
            inside--;
        }

        int nextInt(int bound) {
            enter();
            try {
                return rnd.nextInt(bound);
            } finally {
                exit();
            }
        }

        void sleepRandom(double maxSeconds) {
            enter();
            double s = rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble() * maxSeconds;
            exit();
            sleep(s);
            enter();
            exit();
        }

        Task<Object> spawn(int id, int depth, String name) {
            enter();
            try {
                Task<Object> t = createTask(() -> body(id, depth), name);
                all.add(t);
                return t;
            } finally {
                exit();
            }
        }

        /** One task's random behaviour; returns its id on success. */
        Object body(int id, int depth) throws Exception {
            int kind = nextInt(depth >= 2 ? 6 : 8);
            switch (kind) {
                case 0 -> sleepRandom(0.05);
                case 1 -> {
                    int n = nextInt(5);
                    for (int i = 0; i < n; i++) {
                        sleep(0);
                        enter();
                        exit();
                    }
                }
                case 2 -> {
                    sleepRandom(0.02);
                    enter();
                    Task<Object> victim = topLevel.get(rnd.nextInt(topLevel.size()));
                    if (victim != currentTask()) {
                        victim.cancel("stress cancel");
                        cancelsSent++;
                    }
                    exit();
                    sleep(0);
                }
                case 3 -> {
                    sleepRandom(0.01);
                    enter();
                    exit();
                    throw new Planted("planted " + id);
                }
                case 4 -> {
                    enter();
                    Duration limit = Duration.ofMillis(1 + rnd.nextInt(20));
                    exit();
                    try {
                        Asyncio.timeout(limit, () -> sleepRandom(0.04));
                    } catch (AsyncTimeoutException e) {
                        enter();
                        timeoutsHit++;
                        exit();
                    }
                }
                case 5 -> {
                    sleepRandom(0.01);
                    sleepRandom(0.01);
                }
                case 6 -> {
                    int n = 1 + nextInt(4);
                    List<Task<Object>> kids = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        kids.add(spawn(id * 10 + i, depth + 1, "gather-kid-" + id + "-" + i));
                    }
                    List<Object> results = gather(kids);
                    enter();
                    String wrong = null;
                    for (int i = 0; i < n; i++) {
                        if (!Integer.valueOf(id * 10 + i).equals(results.get(i))) {
                            wrong = "gather result " + i + " of " + id + " was " + results.get(i);
                        }
                    }
                    exit();
                    if (wrong != null) {
                        throw new AssertionError(wrong);
                    }
                }
                default -> {
                    int n = 1 + nextInt(4);
                    try (var tg = new TaskGroup()) {
                        for (int i = 0; i < n; i++) {
                            int kidId = id * 10 + i;
                            int d = depth + 1;
                            enter();
                            try {
                                all.add(tg.createTask(() -> body(kidId, d), "group-kid-" + id + "-" + i));
                            } finally {
                                exit();
                            }
                        }
                        sleepRandom(0.01);
                    } catch (ExceptionGroup g) {
                        enter();
                        groupFailures++;
                        exit();
                        throw g;
                    }
                }
            }
            return id;
        }
    }

    static boolean isExpected(Throwable t) {
        if (t instanceof Planted || t instanceof CancelledException) {
            return true;
        }
        if (t instanceof ExceptionGroup g) {
            return !g.exceptions().isEmpty() && g.exceptions().stream().allMatch(StressTest::isExpected);
        }
        return false;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomTasks_runOnlyOnLoopThread_neverTwoAtOnce_andEndInKnownStates(long seed) {
        World w = new World(seed, Thread.currentThread());
        List<String> problems = new ArrayList<>();
        run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> {
                if (!isExpected(ctx.exception())) {
                    w.unexpectedReports.incrementAndGet();
                    problems.add("report: " + ctx.message() + " " + ctx.exception());
                }
            });
            Task<?> main = currentTask();
            for (int i = 0; i < TOP_LEVEL_TASKS; i++) {
                Task<Object> t = w.spawn(i, 0, "top-" + i);
                w.enter();
                w.topLevel.add(t);
                w.exit();
            }
            List<Future<Object>> settled = gatherSettled(w.topLevel);
            assertEquals(TOP_LEVEL_TASKS, settled.size());
            // gather leaves the siblings of a failed child running (as Python): let them end
            for (int i = 0; i < 10_000 && allTasks().size() > 1; i++) {
                sleep(0.01);
            }
            assertEquals(Set.of(main), allTasks());
            return null;
        }, RunOptions.defaults().withVirtualClock(true));

        int ok = 0, failed = 0, cancelled = 0;
        for (Task<Object> t : w.all) {
            switch (t.state()) {
                case SUCCESS -> {
                    ok++;
                    String name = t.getName();
                    String expectedId = name.substring(name.lastIndexOf('-') + 1);
                    if (name.startsWith("top-") && !String.valueOf(t.resultNow()).equals(expectedId)) {
                        problems.add(name + " returned " + t.resultNow());
                    }
                }
                case FAILED -> {
                    failed++;
                    Throwable e = t.exceptionNow();
                    if (!isExpected(e)) {
                        problems.add(t.getName() + " failed with " + e
                                + (e instanceof CompletionException ? " cause " + e.getCause() : ""));
                    }
                }
                case CANCELLED -> cancelled++;
                default -> problems.add(t.getName() + " is not done: " + t);
            }
        }
        System.out.printf("StressTest seed %d: %d tasks (%d ok, %d failed, %d cancelled), %d sections, "
                + "%d cancels, %d timeouts, %d group failures%n", seed, w.all.size(), ok, failed, cancelled,
                w.sections, w.cancelsSent, w.timeoutsHit, w.groupFailures);
        assertEquals(0, w.offLoop, "steps ran off the loop thread");
        assertEquals(0, w.notInTask, "steps ran outside a task");
        assertEquals(1, w.maxInside, "two steps overlapped");
        assertEquals(0, w.inside);
        assertEquals(List.of(), problems.stream().limit(20).toList());
        assertEquals(w.all.size(), ok + failed + cancelled);
        // the mix really happened
        assertTrue(ok > 0 && failed > 0 && cancelled > 0,
                "ok=" + ok + " failed=" + failed + " cancelled=" + cancelled);
        assertTrue(w.cancelsSent > 0 && w.timeoutsHit > 0 && w.groupFailures > 0,
                "cancels=" + w.cancelsSent + " timeouts=" + w.timeoutsHit + " groupFailures=" + w.groupFailures);
        assertTrue(w.all.size() > TOP_LEVEL_TASKS, "no nested tasks were made");
    }
    /**
     * The minimised form of what seed 2 found: the body of a TaskGroup received the group's
     * ExceptionGroup, then the task was cancelled from outside while close() waited for a child
     * that finishes slowly after its cancellation. close() must not throw the very exception the
     * body is already throwing (try-with-resources would call {@code g.addSuppressed(g)}, which
     * fails with "Self-suppression not permitted").
     */
    @org.junit.jupiter.api.Test
    @Timeout(10)
    void taskGroup_outerCancelWhileCloseWaits_afterBodyGotGroup_endsWithGroupOrCancel() {
        Planted planted = new Planted("child fails");
        Throwable[] outcome = new Throwable[1];
        boolean[] cancelled = new boolean[1];
        run(() -> {
            Task<Void> outer = createTask(() -> {
                try (var tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        try {
                            sleep(10);
                        } catch (CancelledException e) {
                            sleep(1);          // slow cleanup after the group cancelled it
                            throw e;
                        }
                    });
                    tg.createTask(() -> {
                        sleep(0.1);
                        throw planted;
                    });
                    sleep(10);                 // the group is delivered to the body here
                }
            });
            sleep(0.5);                        // close() now waits for the slow child
            outer.cancel("from outside");
            try {
                outer.await();
            } catch (Throwable e) {
                outcome[0] = e;
            }
            cancelled[0] = outer.isCancelled();
        }, RunOptions.defaults().withVirtualClock(true));
        if (!cancelled[0]) {
            assertTrue(outcome[0] instanceof ExceptionGroup, "outer ended with " + outcome[0]);
            ExceptionGroup g = (ExceptionGroup) outcome[0];
            assertEquals(List.of(planted), g.exceptions());
        }
    }
}
