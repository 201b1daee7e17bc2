package org.asyncio4j;

import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of an event loop's figures, from {@link EventLoop#statistics()}.
 *
 * <p>Counts ({@code iterations}, {@code steps}, {@code callbacks}) run from the loop's creation.
 * Read on the loop's own thread (or in one of its tasks) the snapshot is exact; read from another
 * thread, each figure is a recent value read without synchronisation, and the figures may not
 * be consistent with each other (a step may be counted before the task it ended is).
 *
 * <p>Python: none (asyncio has no loop statistics; trio's {@code statistics()} records are the
 * model).
 *
 * @param tasks           live tasks: created and not yet done
 * @param ready           entries in the ready queue (callbacks and task steps due this turn or
 *                        the next), including those other threads have sent but the loop has
 *                        not yet taken in
 * @param timers          pending timers (sleeps, {@code callLater}, timeouts)
 * @param ioWaiters       sockets and channels waited for
 * @param iterations      turns of the loop (one turn runs what was ready when it began)
 * @param steps           task steps run: each time a task got the loop until it next suspended
 * @param callbacks       other entries run: callbacks, timer callbacks, steps of virtual threads
 *                        started inside tasks
 * @param longestStep     the longest step or callback among those that were timed, zero if none
 *                        was. Entries are timed only while debug mode is on, or while a JFR
 *                        recording enables the {@code org.asyncio4j.SlowStep} event: timing every
 *                        entry would cost two clock reads on the loop's hottest path
 * @param longestStepTask the name of the task whose step was {@code longestStep}, the callback's
 *                        description if it was a callback, or null if none was timed
 * @param lag             how late the last timer to fire ran: the loop's clock when its
 *                        callback started minus its deadline, for the earliest-due timer of the
 *                        last turn in which any fell due; zero before any timer fired. It grows
 *                        when the loop is starved, whether by one long step or by many short ones
 */
public record LoopStatistics(int tasks, int ready, int timers, int ioWaiters, long iterations, long steps,
        long callbacks, Duration longestStep, String longestStepTask, Duration lag) {

    /**
     * Checks the figures.
     *
     * @throws NullPointerException     if {@code longestStep} or {@code lag} is null
     * @throws IllegalArgumentException if a count is negative
     */
    public LoopStatistics {
        Objects.requireNonNull(longestStep, "longestStep");
        Objects.requireNonNull(lag, "lag");
        if (tasks < 0 || ready < 0 || timers < 0 || ioWaiters < 0 || iterations < 0 || steps < 0 || callbacks < 0) {
            throw new IllegalArgumentException("a count is negative: tasks=" + tasks + " ready=" + ready + " timers="
                    + timers + " ioWaiters=" + ioWaiters + " iterations=" + iterations + " steps=" + steps
                    + " callbacks=" + callbacks);
        }
    }
}
