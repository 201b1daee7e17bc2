package org.asyncio4j.sync;

import org.asyncio4j.internal.LoopBinding;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A flag tasks can wait for. {@link #set()} wakes every waiting task; while set, {@link #await()}
 * returns at once; {@link #clear()} resets it.
 *
 * <p>Not thread-safe: to set it from a plain thread, use
 * {@code loop.callSoonThreadsafe(event::set)}.
 *
 * <p>Porting from Python: {@code await event.wait()} is {@code event.await()}. {@code event.wait()}
 * compiles, because {@code wait} is {@code java.lang.Object}'s monitor method, and fails with
 * {@code IllegalMonitorStateException} ("current thread is not owner"); a task that ends with
 * that exception carries a suppressed hint naming {@code await()}. {@code is_set()} is
 * {@link #isSet()}.
 *
 * <p>Python: {@code asyncio.Event}.
 */
public final class Event {
    private static final Object TOKEN = Boolean.TRUE;

    private final LoopBinding binding = new LoopBinding();
    private final WaiterQueue waiters = new WaiterQueue();
    private boolean set;

    /** A new event, not set. */
    public Event() {
    }

    /**
     * Sets the flag and wakes every waiting task, in the order they started waiting.
     *
     * @throws IllegalStateException if the event belongs to another loop
     */
    public void set() {
        binding.check(this, "set");
        if (!set) {
            set = true;
            waiters.wakeAll(TOKEN);
        }
    }

    /**
     * Clears the flag.
     *
     * @throws IllegalStateException if the event belongs to another loop
     */
    public void clear() {
        binding.check(this, "clear");
        set = false;
    }

    /**
     * Whether the flag is set.
     *
     * @return true if set
     */
    public boolean isSet() {
        return set;
    }

    /**
     * Waits until the flag is set (returns at once if it is).
     *
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     * @throws IllegalStateException            if the caller is not a task and must wait, or
     *                                          the event belongs to another loop
     */
    public void await() {
        binding.check(this, "await");
        if (set) {
            return;
        }
        waiters.await(binding.bind(this, "await"), () -> { });
    }

    /**
     * A snapshot of the event's state.
     *
     * @return whether it is set and how many tasks wait
     */
    public Statistics statistics() {
        return new Statistics(set, waiters.size());
    }

    /**
     * The state of an event.
     *
     * @param set     whether the flag is set
     * @param waiters how many tasks wait for it
     */
    public record Statistics(boolean set, int waiters) {
    }

    @Override
    public String toString() {
        return "Event[" + (set ? "set" : "unset") + (waiters.hasWaiters() ? ", waiters=" + waiters.size() : "") + "]";
    }
}
