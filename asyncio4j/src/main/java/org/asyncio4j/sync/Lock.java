package org.asyncio4j.sync;

import org.asyncio4j.internal.LoopBinding;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A mutual-exclusion lock for tasks: fair, not reentrant, cancellation-safe.
 *
 * <pre>{@code
 * try (var _ = lock.acquire()) {
 *     sleep(1);           // other tasks may run, none of them inside this block
 * }
 * }</pre>
 *
 * <p>An uncontended {@code acquire} returns at once without suspending; a contended one suspends
 * until the lock is handed to this task by {@link #release()} (the lock passes directly from the
 * releaser to the longest waiter, so no later arrival can take it first). Any task may release.
 *
 * <p>Python: {@code asyncio.Lock}.
 */
public final class Lock {
    private static final Object TOKEN = Boolean.TRUE;

    private final LoopBinding binding = new LoopBinding();
    private final WaiterQueue waiters = new WaiterQueue();
    private final Releaser releaser = this::release;
    private boolean locked;

    /** A new unlocked lock. */
    public Lock() {
    }

    /**
     * Acquires the lock, suspending while another task holds it.
     *
     * @return a releaser for try-with-resources
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (it then
     *                                          does not hold the lock)
     * @throws IllegalStateException            if the lock is held and the caller is not a task,
     *                                          or the lock belongs to another loop
     */
    public Releaser acquire() {
        binding.check(this, "acquire");
        if (!locked && !waiters.hasWaiters()) {
            locked = true;
            return releaser;
        }
        waiters.await(binding.bind(this, "acquire"), this::release);
        return releaser;        // handed over by release(): still locked, now ours
    }

    /**
     * Releases the lock: hands it to the longest-waiting task, or unlocks it.
     *
     * @throws IllegalStateException if the lock is not locked, or belongs to another loop
     */
    public void release() {
        binding.check(this, "release");
        if (!locked) {
            throw new IllegalStateException("Lock is not acquired: " + this);
        }
        if (!waiters.wakeFirst(TOKEN)) {
            locked = false;
        }
    }

    /**
     * Whether some task holds the lock.
     *
     * @return true if locked
     */
    public boolean isLocked() {
        return locked;
    }

    /**
     * A snapshot of the lock's state.
     *
     * @return whether it is locked and how many tasks wait
     */
    public Statistics statistics() {
        return new Statistics(locked, waiters.size());
    }

    /**
     * The state of a lock.
     *
     * @param locked  whether it is held
     * @param waiters how many tasks wait for it
     */
    public record Statistics(boolean locked, int waiters) {
    }

    @Override
    public String toString() {
        return "Lock[" + (locked ? "locked" : "unlocked") + (waiters.hasWaiters() ? ", waiters=" + waiters.size() : "") + "]";
    }
}
