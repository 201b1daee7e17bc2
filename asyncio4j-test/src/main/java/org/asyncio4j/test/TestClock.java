package org.asyncio4j.test;

import java.time.Duration;
import java.util.Objects;

import org.asyncio4j.Asyncio;
import org.asyncio4j.internal.EventLoopImpl;

/**
 * Manual control of an {@link AsyncioTest}'s virtual clock, resolved as a parameter of the test
 * method. Time starts at 0 and auto-advances by default (when every task waits on timers only,
 * it jumps to the next deadline); these calls move it explicitly, in order, whatever
 * auto-advance is set to.
 *
 * <p><b>How the calls run.</b> Each is made from a task of the test's loop (usually the test
 * method, itself the loop's main task) and steps the clock from that task: it yields to let
 * every other ready task and callback run (the loop runs them in their usual order), moves
 * virtual time to the next timer's deadline when nothing is left to run at the current time,
 * and repeats; so everything due at one instant, and everything that causes at that instant,
 * runs before time moves on. The calling task counts as busy meanwhile, so auto-advance never
 * jumps behind its back. Off-loop work (a {@code toThread} call, an executor call) is not waited
 * for: await its future to synchronise with it.
 *
 * <p>The calls suspend the calling task, so they throw {@link org.asyncio4j.CancelledException}
 * if it is cancelled meanwhile (by a {@code timeout} it is inside, say, whose deadline the
 * stepping reaches). A task that never stops being ready (a loop of {@code sleep(0)}) keeps
 * {@link #runCurrent()} from returning, and a task that always has a timer pending (a ticker)
 * keeps {@link #runUntilIdle()} from returning, until the test's real-time limit.
 *
 * <p>Python: trio's {@code MockClock} (kotlinx-coroutines-test's {@code TestCoroutineScheduler}).
 */
public final class TestClock {
    private final EventLoopImpl loop;

    TestClock(EventLoopImpl loop) {
        this.loop = loop;
    }

    /**
     * The loop's current time in seconds, as {@code EventLoop.time()}; callable from any thread.
     *
     * @return the virtual time
     */
    public double time() {
        return loop.time();
    }

    /**
     * Moves virtual time forward by {@code delta}, running everything that falls due on the way
     * (at or before the new time), in order; returns with time at exactly the old time plus
     * {@code delta} and nothing left to run at it.
     *
     * @param delta how far; zero runs what is ready now, like {@link #runCurrent()}
     * @throws NullPointerException     if {@code delta} is null
     * @throws IllegalArgumentException if {@code delta} is negative
     * @throws IllegalStateException    outside a task of the test's loop
     * @throws org.asyncio4j.CancelledException if the calling task is cancelled meanwhile
     */
    public void advanceBy(Duration delta) {
        Objects.requireNonNull(delta, "delta");
        if (delta.isNegative()) {
            throw new IllegalArgumentException("advanceBy: a negative duration: " + delta);
        }
        checkCaller("advanceBy");
        stepTo(saturatedAdd(loop.now(), EventLoopImpl.durationToNanos(delta)));
    }

    /**
     * Moves virtual time forward to {@code when} (seconds, as {@link #time()}), running
     * everything that falls due on the way, in order; see {@link #advanceBy(Duration)}.
     *
     * @param when the time to reach; the current time runs what is ready now
     * @throws IllegalArgumentException if {@code when} is NaN or earlier than {@link #time()}
     * @throws IllegalStateException    outside a task of the test's loop
     * @throws org.asyncio4j.CancelledException if the calling task is cancelled meanwhile
     */
    public void advanceTo(double when) {
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("advanceTo: the time is NaN");
        }
        checkCaller("advanceTo");
        long target = EventLoopImpl.secondsToNanos(when);
        if (target < loop.now()) {
            throw new IllegalArgumentException("advanceTo(" + when + "): time cannot go back from " + time());
        }
        stepTo(target);
    }

    /**
     * Runs every task step and callback that is ready now, and what they make ready in turn,
     * without moving time; returns when nothing but timers in the future is left.
     *
     * @throws IllegalStateException if called outside a task of the test's loop
     * @throws org.asyncio4j.CancelledException if the calling task is cancelled meanwhile
     */
    public void runCurrent() {
        checkCaller("runCurrent");
        settle(loop);
    }

    /**
     * Runs until nothing is left to run: what is ready now, then, again and again, time moved to
     * the next timer's deadline and what falls due there; returns when no timer is pending.
     *
     * @throws IllegalStateException if called outside a task of the test's loop
     * @throws org.asyncio4j.CancelledException if the calling task is cancelled meanwhile
     */
    public void runUntilIdle() {
        checkCaller("runUntilIdle");
        stepThroughTimers(Long.MAX_VALUE - 1);       // no timer: nextTimerDeadline() is MAX_VALUE
    }

    /**
     * Turns auto-advance on (the default) or off. Off, time moves only through the calls of this
     * class: a task sleeping or awaiting a timeout waits until the test advances the clock past
     * its deadline. The setting lasts until the test method returns (the cleanup after it
     * auto-advances, so cancelled tasks can end).
     *
     * @param enabled whether idle time jumps to the next deadline
     * @throws IllegalStateException if called outside a task of the test's loop
     */
    public void setAutoAdvance(boolean enabled) {
        checkCaller("setAutoAdvance");
        loop.setAutoAdvance(enabled);
    }

    @Override
    public String toString() {
        return "TestClock[time=" + time() + "]";
    }

    // ------------------------------------------------------------------ stepping

    /**
     * Lets everything ready on {@code loop} run, and what it makes ready in turn, without moving
     * time; from a task of that loop (also the settling after a test method returns).
     */
    static void settle(EventLoopImpl loop) {
        while (loop.hasWorkNow()) {
            Asyncio.sleep(0);         // to the back of the ready queue: everything before it runs first
        }
    }

    private void stepTo(long target) {
        stepThroughTimers(target);
        loop.advanceVirtualTime(target);
        settle(loop);
    }

    /** Settles, then moves time to each timer due at or before {@code limit} and settles there. */
    private void stepThroughTimers(long limit) {
        settle(loop);
        long next;
        while ((next = loop.nextTimerDeadline()) <= limit) {
            loop.advanceVirtualTime(next);
            settle(loop);
        }
    }

    private void checkCaller(String operation) {
        if (EventLoopImpl.running() != loop || Asyncio.currentTask() == null) {
            throw new IllegalStateException("TestClock." + operation
                    + "() must be called from a task of the test's event loop (the test method, or a task it created)");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 || r > Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : r;
    }
}
