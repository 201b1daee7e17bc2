package org.asyncio4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.asyncio4j.internal.SuspensionProbe;

/**
 * Systematic cancellation injection: runs a scenario once per asyncio4j suspension point it
 * passes, and at exactly that point (while the task is suspended there) injects an action:
 * by default {@code task.cancel()}, or whatever the run sets with {@link Run#onInject} (fail a
 * sibling, cancel a group). The scenario checks its own invariants (no child outlives its
 * group, the cancel is not lost, locks and permits balanced, no bytes lost) and throws an
 * {@link AssertionError} when one breaks; the harness names the point in the failure.
 *
 * <p>The first run counts the points (no injection); then run k injects at point k, for every
 * k. Runs are on the virtual clock, so sleeps cost no real time. The scenario must be
 * deterministic for the counts to line up (a run that passes fewer points than k simply ends
 * without an injection, which {@link Run#injected()} tells).
 *
 * <p>Two checks come for free when a scenario asks for them: an action that cancels through
 * {@link Run#cancel(Task)} has each task it cancelled checked, after the run, to have ended
 * cancelled (the cancel was not lost; for tasks that never call {@code uncancel}); and
 * {@link #assertNothingLeft(double)} at the end of a scenario checks that it leaves no task
 * behind for {@code run} to clean up.
 */
public final class CancellationHarness {
    private CancellationHarness() {
    }

    /** One run of a scenario. */
    public static final class Run {
        private final int point;
        private Consumer<Task<?>> action = Task::cancel;
        private boolean injected;
        private boolean inline;
        private Task<?> injectedInto;
        private final List<Task<?>> cancelled = new ArrayList<>();

        Run(int point) {
            this.point = point;
        }

        /** The point this run injects at, -1 for the counting run. */
        public int point() {
            return point;
        }

        /** Replaces the injected action (default: cancel the suspended task). */
        public void onInject(Consumer<Task<?>> action) {
            this.action = Objects.requireNonNull(action, "action");
        }

        /**
         * A sibling's failure on demand, for scenarios that fail a child at the injection point:
         * a child awaits {@link Bomb#trigger()}; if {@code armed}, the injection fails the
         * trigger with a fresh exception ({@link Bomb#exception()}). Without an injection the
         * trigger gives up, cancelled (not a failure), after {@code giveUpSeconds} of loop time.
         * Call inside the scenario (it needs the running loop).
         */
        public Bomb bomb(boolean armed, double giveUpSeconds) {
            Bomb b = new Bomb(Asyncio.getRunningLoop().createFuture());
            Asyncio.getRunningLoop().callLater(giveUpSeconds, b::disarm);
            if (armed) {
                onInject(t -> {
                    if (!b.trigger.isDone()) {
                        b.exception = new IllegalStateException("bomb at " + point);
                        b.trigger.setException(b.exception);
                    }
                });
            }
            return b;
        }

        /**
         * Runs the action inline, in the suspending task just before it parks, instead of in a
         * callback scheduled from there. For an action on another task this lands in the same
         * step as what the suspending task did just before (a put that woke a getter, say), so
         * the other task is stopped after its wake-up was scheduled and before it runs.
         */
        public void injectInline() {
            this.inline = true;
        }

        /** Whether the action ran in this run. */
        public boolean injected() {
            return injected;
        }

        /** The task that was suspended at the point, or null. */
        public Task<?> injectedInto() {
            return injectedInto;
        }

        /**
         * Cancels {@code task} (for use in the injected action) and, if its {@code cancel()}
         * returned true, records it: when the run is over the harness fails unless it ended
         * cancelled. Use it for tasks that never call {@code uncancel()} and never swallow a
         * cancellation: for them, a cancel that took and a task ending otherwise is a lost cancel.
         *
         * @param task the task to cancel
         * @return what {@code task.cancel()} returned
         */
        public boolean cancel(Task<?> task) {
            boolean took = task.cancel();
            if (took) {
                cancelled.add(task);
            }
            return took;
        }

        /** The tasks {@link #cancel(Task)} cancelled in this run (cancel() returned true). */
        public List<Task<?>> cancelledTasks() {
            return Collections.unmodifiableList(cancelled);
        }

        private void checkCancelsNotLost() {
            for (Task<?> t : cancelled) {
                if (!t.isCancelled()) {
                    throw new AssertionError("cancel lost: " + t.getName() + " was cancelled (cancel() returned true, cancelling()="
                            + t.cancelling() + ") and ended " + t.state() + ": " + t);
                }
            }
        }
    }

    /** See {@link Run#bomb}. */
    public static final class Bomb {
        private final Future<Void> trigger;
        private RuntimeException exception;

        Bomb(Future<Void> trigger) {
            this.trigger = trigger;
        }

        /** What the bombing child awaits. */
        public Future<Void> trigger() {
            return trigger;
        }

        /** The planted failure, or null if the injection did not fire it. */
        public RuntimeException exception() {
            return exception;
        }

        /** Lets the trigger go, cancelled, if it has not fired (idempotent). */
        public void disarm() {
            if (!trigger.isDone()) {
                trigger.cancel();
            }
        }
    }

    /** A scenario: runs as the main task of a fresh virtual-clock loop. */
    @FunctionalInterface
    public interface Scenario {
        void run(Run run) throws Exception;
    }

    /**
     * Runs {@code scenario} once per suspension point of the tasks {@code where} selects.
     *
     * @return the number of points found in the counting run (at least 1)
     */
    public static int everySuspensionPoint(Predicate<Task<?>> where, Scenario scenario) {
        int total = runOnce(-1, where, scenario);
        if (total == 0) {
            throw new AssertionError("the scenario passed no suspension point of the selected tasks");
        }
        for (int k = 0; k < total; k++) {
            try {
                runOnce(k, where, scenario);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("with the injection at suspension point " + k + " of " + total + ": " + e, e);
            }
        }
        return total;
    }

    /** Selects tasks by name prefix (children and bodies named by the scenario). */
    public static Predicate<Task<?>> named(String prefix) {
        return t -> t.getName().startsWith(prefix);
    }

    /** Every task. */
    public static Predicate<Task<?>> anyTask() {
        return t -> true;
    }

    /** Every task but run's main task ({@code Task-1}), whose own waits are then no injection points. */
    public static Predicate<Task<?>> notMain() {
        return t -> !t.getName().equals("Task-1");
    }

    /**
     * Waits, at most {@code maxSeconds} of loop time, until every task but the current one has
     * ended, then asserts that none is left ({@code run} must find nothing to cancel). Call it
     * last in a scenario: it passes suspension points of the current task only.
     *
     * @param maxSeconds how long the stragglers may take (virtual clock: costs no real time)
     * @throws AssertionError naming the tasks still running
     */
    public static void assertNothingLeft(double maxSeconds) {
        Task<?> me = Asyncio.currentTask();
        double deadline = Asyncio.getRunningLoop().time() + maxSeconds;
        while (true) {
            List<Task<?>> others = new ArrayList<>();
            for (Task<?> t : Asyncio.allTasks()) {
                if (t != me) {
                    others.add(t);
                }
            }
            double left = deadline - Asyncio.getRunningLoop().time();
            if (others.isEmpty()) {
                return;
            }
            if (left <= 0) {
                throw new AssertionError("tasks left running at the end of the scenario: " + others);
            }
            Asyncio.wait(others, Duration.ofNanos((long) (left * 1e9)), ReturnWhen.ALL_COMPLETED);
        }
    }

    private static int runOnce(int k, Predicate<Task<?>> where, Scenario scenario) {
        Run run = new Run(k);
        int[] seen = {0};
        SuspensionProbe.install((task, what) -> {
            if (!where.test(task)) {
                return;
            }
            if (seen[0]++ == k) {
                Runnable inject = () -> {
                    run.injected = true;
                    run.injectedInto = task;
                    run.action.accept(task);
                };
                if (run.inline) {
                    inject.run();
                } else {
                    task.getLoop().callSoon(inject);
                }
            }
        });
        try {
            Asyncio.run(() -> {
                scenario.run(run);
                return null;
            }, TestLoops.VC);
        } finally {
            SuspensionProbe.install(null);
        }
        run.checkCancelsNotLost();
        return seen[0];
    }
}
