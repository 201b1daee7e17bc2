package org.asyncio4j;

import static org.asyncio4j.Asyncio.allTasks;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.gatherSettled;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.shield;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.timeout;
import static org.asyncio4j.Asyncio.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.asyncio4j.sync.Event;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seeded cancellation storm: per seed, 100,000 tasks in random structures (plain sleeps and
 * yields, gather, gatherSettled, waitFor on a task or a callable, timeout, shield, Events,
 * planted failures, nested try-form TaskGroups) on the virtual clock, while random tasks cancel
 * random other tasks at random moments: about 14% of the tasks get a cancel that takes.
 *
 * <p>The invariant, for every such cancel: the task never ends with a normal result. It ends
 * cancelled, or failed where a failure took the cancellation's place (gather raising a child's
 * failure, a group's ExceptionGroup: Python 3.13 ends such a task failed too). No body here calls
 * {@code uncancel()} or catches a CancelledException, so a normal end after a cancel that took
 * is a <em>lost cancel</em>; and since the bodies do catch what they expect (AsyncTimeoutException
 * from their own timeout and waitFor, their group's ExceptionGroup, which Python 3.13 still ends
 * cancelled when the cancel came from outside), a cancel converted into one of those shows as
 * lost too. Also checked: {@code cancelling()} is at least the number of cancels that took,
 * every failure is a planted one, gather loses no result, and no task is left at the end.
 *
 * <p>One line per seed: {@code seed=S tasks=N cancels=C lost=L}. Scale with
 * {@code -Dasyncio4j.stress.scale=N}. TaskGroups are in the mix unless
 * {@code -Dasyncio4j.storm.groups=false}: with them, a
 * task outside a group cancels the group's body a few yields after it started, in step with
 * children that fail after a few yields, so the cancel also lands between a child's failure and
 * the body's next step (issue 8, item 3). The TaskGroup before its rewrite lost 14-24 cancels
 * per seed that way.
 */
@Tag("stress")
@Timeout(300)
class CancellationStormTest {

    private static final int SCALE = Math.max(1, Integer.getInteger("asyncio4j.stress.scale", 1));
    private static final int TASKS = 100_000 * SCALE;
    private static final boolean GROUPS = Boolean.parseBoolean(System.getProperty("asyncio4j.storm.groups", "true"));
    private static final int ROUND = 4_000;          // top-level tasks per round
    private static final int WINDOW = 1_000;         // cancel targets: among the last WINDOW tasks made
    private static final int DEEPEST = 3;

    enum Kind { PLAIN, YIELDS, CANCELLER, FAIL, EVENT, GATHER, SETTLED, WAIT_FOR, WAIT_FOR_CALLABLE, TIMEOUT, SHIELD, GROUP }

    /** Weights per kind, in Kind order; GROUP only with the flag. */
    private static final int[] WEIGHTS = {14, 6, 38, 5, 7, 10, 6, 9, 4, 12, 6, 9};

    /** The failure the storm plants on purpose. */
    static final class Planted extends RuntimeException {
        Planted(String message) {
            super(message, null, false, false);
        }
    }

    static boolean isPlanted(Throwable t) {
        if (t instanceof Planted) {
            return true;
        }
        if (t instanceof ExceptionGroup g) {
            return !g.exceptions().isEmpty() && g.exceptions().stream().allMatch(CancellationStormTest::isPlanted);
        }
        return false;
    }

    /** Loop-confined state of one seed's run. */
    static final class Storm {
        final Random rnd;
        final boolean groups;
        final int weightSum;
        int created;
        final Task<?>[] recent = new Task<?>[WINDOW];
        final Map<Task<?>, Integer> tookByTask = new IdentityHashMap<>();   // this round's victims
        final Map<Task<?>, Kind> kinds = new IdentityHashMap<>();           // this round's tasks
        int cancels, lost, inconsistent, timeouts, groupFailures, swallowedGroups;
        final List<String> problems = new ArrayList<>();

        Storm(long seed, boolean groups) {
            this.rnd = new Random(seed);
            this.groups = groups;
            int sum = 0;
            for (int k = 0; k < WEIGHTS.length; k++) {
                if (k != Kind.GROUP.ordinal() || groups) {
                    sum += WEIGHTS[k];
                }
            }
            this.weightSum = sum;
        }

        Kind pick(int depth) {
            int r = rnd.nextInt(weightSum);
            for (Kind k : Kind.values()) {
                if (k == Kind.GROUP && !groups) {
                    continue;
                }
                r -= WEIGHTS[k.ordinal()];
                if (r < 0) {
                    // deep down, only leaves: the structures stay small and the budget holds
                    return depth >= DEEPEST && k.ordinal() >= Kind.GATHER.ordinal() ? Kind.PLAIN : k;
                }
            }
            throw new AssertionError();
        }

        double seconds(double max) {
            return rnd.nextInt(5) == 0 ? 0 : rnd.nextDouble() * max;
        }

        Duration duration(double max) {
            return Duration.ofNanos((long) (rnd.nextDouble() * max * 1e9));
        }

        void registered(Task<?> t) {
            recent[created++ % WINDOW] = t;
        }

        Task<Object> spawn(int depth) {
            Task<Object> t = createTask(() -> run(depth));
            registered(t);
            return t;
        }

        List<Task<Object>> spawnKids(int depth, int max) {
            int n = 1 + rnd.nextInt(max);
            List<Task<Object>> kids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                kids.add(spawn(depth + 1));
            }
            return kids;
        }

        /** Cancels a random recent task, preferring one still running (a few tries). */
        void cancelSomeone() {
            Task<?> victim = null;
            for (int tries = 0; tries < 4 && (victim == null || victim.isDone()); tries++) {
                victim = recent[rnd.nextInt(Math.min(created, WINDOW))];
            }
            if (victim != null && victim != currentTask()) {
                cancel(victim);
            }
        }

        void cancel(Task<?> victim) {
            if (victim.cancel("storm")) {
                cancels++;
                tookByTask.merge(victim, 1, Integer::sum);
            }
        }

        void yields(int max) {
            for (int i = rnd.nextInt(max); i >= 0; i--) {
                sleep(0);
            }
        }

        /** A task's body: its random behaviour, with a check that it fails only as planted. */
        Object run(int depth) throws Exception {
            try {
                return body(depth, currentTask());
            } catch (Throwable t) {
                if (!(t instanceof CancelledException) && !isPlanted(t)) {
                    problems.add(currentTask().getName() + " failed with " + t);
                }
                throw t;
            }
        }

        /** One random behaviour, run in the current task; returns the task's name. */
        Object body(int depth, Task<?> me) throws Exception {
            Kind kind = pick(depth);
            kinds.putIfAbsent(me, kind);
            switch (kind) {
                case PLAIN -> sleep(seconds(0.05));
                case YIELDS -> yields(5);
                case CANCELLER -> {
                    for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                        sleep(seconds(0.02));
                        cancelSomeone();
                    }
                }
                case FAIL -> {
                    if (rnd.nextBoolean()) {
                        sleep(seconds(0.02));
                    } else {
                        yields(4);               // in step with yielding siblings: same-iteration races
                    }
                    throw new Planted("planted by " + me.getName());
                }
                case EVENT -> {
                    Event ev = new Event();
                    getRunningLoop().callLater(seconds(0.04), ev::set);
                    ev.await();
                }
                case GATHER -> {
                    List<Task<Object>> kids = spawnKids(depth, 3);
                    List<Object> values = gather(kids);
                    for (int i = 0; i < kids.size(); i++) {
                        if (!kids.get(i).getName().equals(values.get(i))) {
                            problems.add("gather lost a result: " + values + " for " + kids);
                        }
                    }
                }
                case SETTLED -> {
                    List<Task<Object>> kids = spawnKids(depth, 3);
                    for (Future<Object> f : gatherSettled(kids)) {
                        if (!f.isDone()) {
                            problems.add("gatherSettled returned " + f);
                        }
                    }
                }
                case WAIT_FOR -> {
                    Task<Object> kid = spawn(depth + 1);
                    try {
                        waitFor(kid, duration(0.06));
                    } catch (AsyncTimeoutException e) {
                        timeouts++;
                    }
                }
                case WAIT_FOR_CALLABLE -> {
                    try {
                        waitFor(() -> {
                            registered(currentTask());
                            return run(depth + 1);
                        }, duration(0.06));
                    } catch (AsyncTimeoutException e) {
                        timeouts++;
                    }
                }
                case TIMEOUT -> {
                    try {
                        timeout(duration(0.05), () -> body(depth + 1, me));     // nested structures, this task
                    } catch (AsyncTimeoutException e) {
                        timeouts++;
                    }
                }
                case SHIELD -> shield(spawn(depth + 1)).await();
                case GROUP -> {
                    try (var tg = new TaskGroup()) {
                        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                            if (rnd.nextInt(3) == 0) {
                                // a task outside the group (the group would cancel a child of its own
                                // along with the body) that cancels the body a few yields later: in
                                // step with yielding children, it lands in every phase of the group,
                                // between a child's failure and the body's next step too
                                registered(createTask(() -> {
                                    yields(5);
                                    cancel(me);
                                    return null;
                                }));
                            } else {
                                registered(tg.createTask(() -> run(depth + 1)));
                            }
                        }
                        sleep(seconds(0.02));
                    } catch (ExceptionGroup g) {
                        groupFailures++;
                        if (rnd.nextBoolean()) {
                            throw g;
                        }
                        swallowedGroups++;   // Python 3.13: still ends cancelled if cancelled from outside
                    }
                }
                default -> throw new AssertionError(kind);
            }
            return me.getName();
        }

        /** After a round: every cancel that took ended its task cancelled (or failed), never normally. */
        void checkRound() {
            for (Map.Entry<Task<?>, Integer> e : tookByTask.entrySet()) {
                Task<?> t = e.getKey();
                if (!t.isDone()) {
                    problems.add(t + " is not done after its round");
                    continue;
                }
                if (t.state() == java.util.concurrent.Future.State.SUCCESS) {
                    lost++;
                    if (lost <= 5) {
                        problems.add("lost cancel: " + t + " kind=" + kinds.get(t) + " cancels that took=" + e.getValue()
                                + " cancelling()=" + t.cancelling());
                    }
                }
                if (t.cancelling() < e.getValue()) {
                    inconsistent++;
                    if (inconsistent <= 5) {
                        problems.add("cancelling()=" + t.cancelling() + " below the " + e.getValue()
                                + " cancels that took: " + t + " kind=" + kinds.get(t));
                    }
                }
            }
            tookByTask.clear();
            kinds.clear();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void storm_everyCancelThatTook_endsTheTaskCancelled_noneLost(long seed) {
        Storm s = runStorm(seed, GROUPS);
        System.out.printf("seed=%d tasks=%d cancels=%d lost=%d%s%n", seed, s.created, s.cancels, s.lost,
                GROUPS ? " (with TaskGroups)" : "");
        assertEquals(List.of(), s.problems.stream().limit(20).toList());
        assertEquals(0, s.lost, "lost cancels");
        assertEquals(0, s.inconsistent, "cancelling() below the cancels that took");
        // the mix really happened
        assertTrue(s.created >= TASKS, "tasks=" + s.created);
        assertTrue(s.cancels >= s.created / 10, "cancels=" + s.cancels + " of " + s.created + " tasks");
        assertTrue(s.timeouts > 0, "timeouts=" + s.timeouts);
        assertTrue(!GROUPS || s.swallowedGroups > 0, "groups swallowed=" + s.swallowedGroups);
    }

    static Storm runStorm(long seed, boolean groups) {
        Storm s = new Storm(seed, groups);
        TestLoops.runVc(() -> {
            getRunningLoop().setExceptionHandler((loop, ctx) -> {
                if (!isPlanted(ctx.exception())) {
                    s.problems.add("report: " + ctx.message() + " " + ctx.exception());
                }
            });
            Task<?> main = currentTask();
            while (s.created < TASKS) {
                List<Task<Object>> round = new ArrayList<>(ROUND);
                for (int i = 0; i < ROUND && s.created < TASKS; i++) {
                    round.add(s.spawn(0));
                }
                gatherSettled(round);
                // gather leaves the siblings of a failed child running, shield its inner (as Python)
                for (Set<Task<?>> left = allTasks(); left.size() > 1; left = allTasks()) {
                    List<Task<?>> others = new ArrayList<>(left);
                    others.remove(main);
                    Asyncio.wait(others, ReturnWhen.ALL_COMPLETED);
                }
                s.checkRound();
            }
            assertEquals(Set.of(main), allTasks(), "run leaves nothing behind");
        });
        return s;
    }
}
