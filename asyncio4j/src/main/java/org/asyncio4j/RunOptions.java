package org.asyncio4j;

/**
 * Options for {@link Asyncio#run(java.util.concurrent.Callable, RunOptions)} and
 * {@link Runner}. Immutable; each {@code with} method returns a copy.
 *
 * <p>Python: the {@code debug} argument of {@code asyncio.run} and {@code asyncio.Runner}.
 */
public final class RunOptions {
    private static final RunOptions DEFAULTS = new RunOptions(false, false);

    private final boolean debug;
    private final boolean virtualClock;

    private RunOptions(boolean debug, boolean virtualClock) {
        this.debug = debug;
        this.virtualClock = virtualClock;
    }

    /**
     * No debug mode, the real clock.
     *
     * @return the default options
     */
    public static RunOptions defaults() {
        return DEFAULTS;
    }

    /**
     * With debug mode on or off (see {@link EventLoop#setDebug(boolean)}).
     *
     * @param debug true for debug mode
     * @return a copy with the option set
     */
    public RunOptions withDebug(boolean debug) {
        return new RunOptions(debug, virtualClock);
    }

    /**
     * With a virtual clock: when nothing is ready to run and no off-loop work is in flight, the
     * loop jumps its clock to the next timer instead of waiting, so code that sleeps for an hour
     * runs in microseconds. Off-loop work is what the loop cannot see end: {@code toThread} and
     * {@code runInExecutor} calls, and a task parked in a JDK timed wait ({@code Thread.sleep},
     * {@code LockSupport.parkNanos}, {@code BlockingQueue.poll} with a timeout). While any is in
     * flight, loop time follows real time instead, so its result still arrives before later
     * timers (a {@code waitFor} of ten seconds around a {@code Thread.sleep(100)} does not
     * expire). Only the loop's own timers (sleep, callLater, timeouts) follow the virtual clock;
     * the JDK timed waits themselves keep real time, and an untimed JDK wait inside a task (a
     * lock, {@code take()}) does not hold the clock back, since it may be waiting for another
     * task. Meant for tests.
     *
     * @param virtualClock true for the virtual clock
     * @return a copy with the option set
     */
    public RunOptions withVirtualClock(boolean virtualClock) {
        return new RunOptions(debug, virtualClock);
    }

    /**
     * Whether debug mode is on.
     *
     * @return the debug option
     */
    public boolean debug() {
        return debug;
    }

    /**
     * Whether the loop uses a virtual clock.
     *
     * @return the virtual-clock option
     */
    public boolean virtualClock() {
        return virtualClock;
    }

    @Override
    public String toString() {
        return "RunOptions[debug=" + debug + ", virtualClock=" + virtualClock + "]";
    }
}
