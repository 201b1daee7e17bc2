package org.asyncio4j.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancellationHarness;
import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.Future;
import org.asyncio4j.ReturnWhen;
import org.asyncio4j.Task;

/**
 * What a {@link CancellationHarness} run injects into the suspended task, and the check that
 * the injection was not lost: a task that was pending when it was injected ends by it (cancelled,
 * or failed with the group's interruption), every other task ends normally.
 */
public final class Injection {
    /** The two ways a task is stopped at a suspension point. */
    public enum Mode {
        /** {@code task.cancel()}. */
        CANCEL,
        /** A try-form TaskGroup's interruption (see {@link GroupInterruption}). */
        GROUP_INTERRUPTION
    }

    private final Mode mode;
    private Task<?> task;
    private boolean accepted;
    private ExceptionGroup group;

    private Injection(Mode mode) {
        this.mode = mode;
    }

    /**
     * Makes {@code run} stop the task suspended at its point with {@code mode}, and records what
     * it did.
     */
    public static Injection install(CancellationHarness.Run run, Mode mode) {
        Injection inj = new Injection(mode);
        run.onInject(inj::stop);
        return inj;
    }

    /**
     * Makes {@code run} stop {@code victim} (looked up when the point is reached) with
     * {@code mode}, whichever task is suspended at the point. Run over every point, this stops
     * the victim at every moment a task of the scenario suspends: while it waits, but also just
     * after another task woke it and before it ran (the race where the cancellation lands after
     * the wake-up was scheduled), or before it started.
     */
    public static Injection installOn(CancellationHarness.Run run, Mode mode, Supplier<? extends Task<?>> victim) {
        Injection inj = new Injection(mode);
        run.injectInline();
        run.onInject(t -> inj.stop(victim.get()));
        return inj;
    }

    /**
     * {@link #install} for {@code victim < 0}, else {@link #installOn} worker {@code victim} (the
     * list is read when the point is reached, so it may be filled after this call).
     */
    public static Injection install(CancellationHarness.Run run, Mode mode, int victim, List<? extends Task<?>> workers) {
        return victim < 0 ? install(run, mode) : installOn(run, mode, () -> workers.get(victim));
    }

    /**
     * Runs {@code scenario} for every victim: -1 (the task suspended at the point), then each of
     * the {@code workers} workers; a failure names the victim.
     */
    public static void forEveryVictim(int workers, java.util.function.IntConsumer scenario) {
        for (int v = -1; v < workers; v++) {
            try {
                scenario.accept(v);
            } catch (AssertionError e) {
                throw new AssertionError((v < 0 ? "stopping the suspended task" : "stopping worker " + v) + ": " + e.getMessage(), e);
            }
        }
    }

    private void stop(Task<?> t) {
        task = t;
        if (mode == Mode.CANCEL) {
            accepted = t.cancel();
        } else if (!t.isDone()) {
            group = GroupInterruption.interrupt(t);
            accepted = true;
        }
    }

    /** Whether {@code t} received an injection it must end by. */
    public boolean stopped(Task<?> t) {
        return t == task && accepted;
    }

    /**
     * Waits for every task, whatever it ends with; fails if some are still waiting after a
     * minute of (virtual) time: a lost token or wake-up has deadlocked them.
     */
    public static void awaitAll(List<? extends Future<?>> tasks) {
        var r = Asyncio.wait(tasks, Duration.ofSeconds(60), ReturnWhen.ALL_COMPLETED);
        if (!r.pending().isEmpty()) {
            r.pending().forEach(Future::cancel);
            fail("still waiting a minute later (a token or a wake-up was lost): " + r.pending());
        }
    }

    /**
     * Waits for the producers, gives the consumers a (virtual) second to catch up, and checks
     * that none of them still waits while something is left for it ({@code left} counts what
     * is left): that would be a lost signal or wake-up.
     */
    public static void awaitProducersThenCheckNothingLeft(List<? extends Future<?>> producers,
            List<? extends Task<?>> consumers, java.util.function.IntSupplier left, Object state) {
        awaitAll(producers);
        Asyncio.sleep(1);
        if (consumers.stream().anyMatch(t -> !t.isDone()) && left.getAsInt() != 0) {
            fail(left.getAsInt() + " left while consumers wait (a signal or wake-up was lost): " + state);
        }
    }

    /**
     * Checks how every task ended: the injected one by its injection (the cancel is not lost),
     * every other one normally.
     */
    public void checkEnds(List<? extends Task<?>> tasks) {
        for (Task<?> t : tasks) {
            boolean stopped = stopped(t);
            switch (t.state()) {
                case SUCCESS -> assertFalse(stopped, t + " ended normally: the injected " + mode + " was lost");
                case CANCELLED -> {
                    if (!(stopped && mode == Mode.CANCEL)) {
                        fail(t + " ended cancelled, but was not cancelled by the injection");
                    }
                }
                case FAILED -> {
                    if (!(stopped && t.exceptionNow() == group)) {
                        throw new AssertionError(t + " failed" + (stopped ? ", not by its injection" : ""), t.exceptionNow());
                    }
                }
                default -> fail(t + " has not ended");
            }
        }
    }
}
