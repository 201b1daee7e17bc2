package org.asyncio4j.internal.carrier;

import java.util.concurrent.Executor;

/**
 * How a task's thread is carried by its loop: the seam between the engines and the two carrier
 * modes, chosen once per JVM ({@link #MODE}).
 *
 * <h2>The contract, in both modes</h2>
 * A task's thread is made unstarted by {@link #newThread} for a {@link Scheduler} (the task).
 * {@link #start} hands the thread's <em>continuation</em> to the scheduler's {@code execute};
 * the loop puts its entry in the ready queue and later runs the continuation, which runs the
 * task's code until it next suspends: it parks ({@link #park}), yields ({@link #yieldNow}), or
 * ends. A wake-up ({@link #unpark}) hands the continuation to {@code execute} again. So the loop
 * runs one task step at a time, on its own turn, and every task's code between two suspension
 * points runs while the loop waits for it.
 * <ul>
 *   <li>{@link FastThreads} (the fast mode): the JDK's virtual-thread scheduler API, reached
 *       through {@link Carrier}: the continuation is the JDK's own, it runs on the loop's thread
 *       (the task's carrier), and any JDK blocking call inside a task parks it too, since the JDK
 *       hands every wake-up to {@code execute}.</li>
 *   <li>{@link PortableThreads} (the portable mode, no JDK internals): the thread is a plain
 *       virtual thread of the JDK's default scheduler, and the continuation is a baton: running
 *       it hands the loop's turn to the task's thread and waits until the thread hands it back at
 *       its next suspension point. Only asyncio4j's own suspension points (the calls of this
 *       interface) hand it back; a JDK blocking call inside a task keeps the turn, so it holds up
 *       the loop, as a blocking call does in Python.</li>
 * </ul>
 * Everything else the engines need is asked through here as well: which task the current thread
 * is ({@link #currentScheduler}), whether it runs the loop's turn ({@link #holdsTurn},
 * {@link #carriedBy}), and a task thread's state as a fast-mode thread would show it
 * ({@link #state}).
 *
 * <h2>Cost</h2>
 * {@link #MODE} is a static final field, so the JIT knows its class and inlines each call: in
 * the fast mode a park is {@code LockSupport.park}, a wake-up {@code LockSupport.unpark}, as
 * before the portable mode existed.
 */
public sealed interface TaskThreads permits FastThreads, PortableThreads {

    /** The property that forces a mode: {@code fast} or {@code portable}; unset, the mode is chosen. */
    String MODE_PROPERTY = Selection.PROPERTY;

    /**
     * This JVM's mode, chosen once, at the first use of this interface: the fast mode if
     * {@code java.lang} is open to asyncio4j ({@link Carrier#isSupported()}), else the portable
     * one, unless {@link #MODE_PROPERTY} forces one. If no loop can be made
     * ({@link #checkAvailable()} throws), an inert fast mode that no task ever uses.
     */
    TaskThreads MODE = Selection.MODE;

    /**
     * Throws unless loops can be made in this JVM; the first call that succeeds in a JVM where
     * the portable mode was chosen for want of the flag logs one INFO line naming the flag.
     *
     * @throws IllegalStateException with one line saying why: the property names no mode, or
     *                               forces the fast mode where it is unavailable (the line names
     *                               the flag)
     */
    static void checkAvailable() {
        Selection.check(true);
    }

    /**
     * True if this JVM runs the portable mode.
     *
     * @throws IllegalStateException as {@link #checkAvailable()} (it logs nothing)
     */
    static boolean portable() {
        Selection.check(false);
        return MODE instanceof PortableThreads;
    }

    /** A task, as the scheduler of its own thread: the loop's entry for it. */
    interface Scheduler extends Executor {
        /**
         * The portable mode gives the continuation here, once, when it makes the thread (the
         * fast mode's continuation arrives with the first {@code execute}, from {@code start}).
         */
        void bind(Runnable continuation);

        /**
         * Called from whichever thread wakes the task; never blocks, never runs the
         * continuation, never throws.
         */
        @Override
        void execute(Runnable continuation);
    }

    /** An unstarted thread for a task whose scheduler is {@code scheduler}. */
    Thread newThread(Scheduler scheduler, String name, Runnable body);

    /** Starts the thread: its continuation goes to the scheduler's {@code execute}. */
    void start(Thread thread, Runnable continuation);

    /**
     * Suspends the calling task (its own thread, during its step) until {@link #unpark}, a
     * spurious wake-up, or an interrupt, as {@code LockSupport.park} does: callers loop.
     */
    void park(Runnable continuation, Object blocker);

    /** Wakes the task if it is parked ({@link #park}); loop-confined callers only. */
    void unpark(Thread thread, Runnable continuation);

    /** The calling task (its own thread, during its step) goes to the back of the ready queue. */
    void yieldNow(Runnable continuation);

    /** The scheduler of the current thread (a task's thread, or in the fast mode one it started), or null. */
    Executor currentScheduler();

    /**
     * True if the task whose thread is the current thread (the caller checked that) is running
     * its step now, rather than waiting to be given one. Always true in the fast mode, where a
     * task's code runs only in its steps.
     */
    boolean holdsTurn(Runnable continuation);

    /** True if the current thread is carried by {@code owner}, the loop's thread (fast mode only). */
    boolean carriedBy(Thread owner);

    /**
     * The task thread's state as a thread of the fast mode would show it: {@code RUNNABLE} while
     * queued to run or running, {@code WAITING} when parked at an asyncio4j suspension point,
     * {@code WAITING}, {@code TIMED_WAITING} or {@code BLOCKED} in a JDK wait, {@code TERMINATED}.
     */
    Thread.State state(Thread thread, Runnable continuation);
}
