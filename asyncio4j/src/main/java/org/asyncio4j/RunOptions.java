package org.asyncio4j;

import java.time.Duration;
import java.util.Objects;

/**
 * Options for {@link Asyncio#run(java.util.concurrent.Callable, RunOptions)} and
 * {@link Runner}. Immutable; each {@code with} method returns a copy.
 *
 * <p>Python: the {@code debug} argument of {@code asyncio.run} and {@code asyncio.Runner}.
 */
public final class RunOptions {
    private static final RunOptions DEFAULTS = new RunOptions(false, false, Duration.ofSeconds(5), true, true, false);

    private final boolean debug;
    private final boolean virtualClock;
    private final Duration shutdownTimeout;
    private final boolean jmx;
    private final boolean sigintHandler;
    private final boolean eagerTasks;

    private RunOptions(boolean debug, boolean virtualClock, Duration shutdownTimeout, boolean jmx,
            boolean sigintHandler, boolean eagerTasks) {
        this.debug = debug;
        this.virtualClock = virtualClock;
        this.shutdownTimeout = shutdownTimeout;
        this.jmx = jmx;
        this.sigintHandler = sigintHandler;
        this.eagerTasks = eagerTasks;
    }

    /**
     * No debug mode, the real clock, a shutdown timeout of 5 seconds, a JMX MBean, the SIGINT
     * handler, no eager tasks.
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
        return new RunOptions(debug, virtualClock, shutdownTimeout, jmx, sigintHandler, eagerTasks);
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
        return new RunOptions(debug, virtualClock, shutdownTimeout, jmx, sigintHandler, eagerTasks);
    }

    /**
     * With a shutdown timeout: how long, in loop time, {@code run} (or {@link Runner#close()},
     * or {@link EventLoop#close()}) waits for the tasks it cancels at its end to finish. A
     * task still running when it passes (one that keeps catching its cancellation) is reported
     * to the exception handler with its name and stack, and left behind: the loop closes
     * anyway, the task stays pending, and its thread stays parked where the report shows it (it
     * never runs on the loop again; if something outside the loop wakes it, it runs on a
     * fallback thread, as any late continuation of a closed loop does). Zero gives the
     * cancelled tasks one turn of the loop. The default is 5 seconds.
     *
     * @param shutdownTimeout the grace period, zero or more
     * @return a copy with the option set
     * @throws NullPointerException     if {@code shutdownTimeout} is null
     * @throws IllegalArgumentException if it is negative
     */
    public RunOptions withShutdownTimeout(Duration shutdownTimeout) {
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout is negative: " + shutdownTimeout);
        }
        return new RunOptions(debug, virtualClock, shutdownTimeout, jmx, sigintHandler, eagerTasks);
    }

    /**
     * With or without the loop's JMX MBean. By default a loop registers one,
     * {@code org.asyncio4j:type=EventLoop,name=loop-N} in the platform MBean server, shortly
     * after it first runs (a background thread registers it, so the loop never waits for the
     * MBean server to start) until it closes: its statistics as attributes and the task dump as
     * the operations {@code dumpTasks} and {@code dumpTaskTree}, which {@code ./dev ps PID} and
     * {@code ./dev pstree PID} print for another JVM. {@code withJmx(false)} registers none.
     *
     * @param jmx false to register no MBean
     * @return a copy with the option set
     */
    public RunOptions withJmx(boolean jmx) {
        return new RunOptions(debug, virtualClock, shutdownTimeout, jmx, sigintHandler, eagerTasks);
    }

    /**
     * With or without the SIGINT (Ctrl+C) handler of {@code run}. By default, while
     * {@link Asyncio#run} or {@link Runner#run} runs its body on the JVM's main thread, and
     * neither the application nor a loop has a SIGINT handler of its own, a first SIGINT cancels
     * the main task (its {@code finally} blocks run, then the run's shutdown cancels and awaits
     * every other task) and {@code run} throws {@link CancelledException}; a second SIGINT while
     * that cleanup runs ends the JVM as the JDK does (shutdown hooks, exit status 130).
     * {@code withSigintHandler(false)} leaves SIGINT to the JDK: the JVM ends at once, and no
     * task's {@code finally} runs.
     *
     * <p>Python: {@code asyncio.Runner}'s SIGINT handling (3.11).
     *
     * @param sigintHandler false to leave SIGINT alone
     * @return a copy with the option set
     */
    public RunOptions withSigintHandler(boolean sigintHandler) {
        return new RunOptions(debug, virtualClock, shutdownTimeout, jmx, sigintHandler, eagerTasks);
    }

    /**
     * Whether {@code run} handles SIGINT (see {@link #withSigintHandler(boolean)}).
     *
     * @return the SIGINT option
     */
    public boolean sigintHandler() {
        return sigintHandler;
    }

    /**
     * With or without eager tasks: every task created on the loop while it runs starts running
     * inside {@code createTask}, until its first suspension point (see
     * {@link EventLoop#setEagerTasks(boolean)}). The main task itself starts as usual, since the
     * loop is not running yet when it is created (as in Python).
     *
     * <p>Python: {@code loop.set_task_factory(asyncio.eager_task_factory)} in the runner's loop.
     *
     * @param eagerTasks true for eager tasks
     * @return a copy with the option set
     */
    public RunOptions withEagerTasks(boolean eagerTasks) {
        return new RunOptions(debug, virtualClock, shutdownTimeout, jmx, sigintHandler, eagerTasks);
    }

    /**
     * Whether every task created on the loop starts eagerly.
     *
     * @return the eager-tasks option
     */
    public boolean eagerTasks() {
        return eagerTasks;
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

    /**
     * How long {@code run} waits, in loop time, for the tasks it cancels at its end.
     *
     * @return the shutdown timeout
     */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Whether the loop registers a JMX MBean.
     *
     * @return the JMX option
     */
    public boolean jmx() {
        return jmx;
    }

    @Override
    public String toString() {
        return "RunOptions[debug=" + debug + ", virtualClock=" + virtualClock + ", shutdownTimeout=" + shutdownTimeout
                + ", jmx=" + jmx + ", sigintHandler=" + sigintHandler + ", eagerTasks=" + eagerTasks + "]";
    }
}
