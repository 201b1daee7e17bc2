package org.asyncio4j.sync;

import org.asyncio4j.internal.EventLoopImpl;
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
 * releaser to the longest waiter, so no later arrival can take it first). As in Python, any task
 * may call {@link #release()}; the {@link Releaser} an {@code acquire} returns, though, releases
 * only the hold that acquire took (see {@link #acquire()}).
 *
 * <h2>Implementation overview</h2>
 * Each grant of the lock is a {@code Hold}, which is also the {@link Releaser} its acquirer
 * gets; {@code holder} is the current one (null: unlocked). So "does this acquisition still
 * hold the lock?" is {@code holder == this}, and a stale releaser (closed twice, or after an
 * explicit {@code release()} let another task in) can never release someone else's hold.
 * A release with waiters makes a new hold and hands it to the first waiter as its token; until
 * that waiter runs the hold is <em>in transit</em>: the lock is locked for newcomers (nobody
 * overtakes the woken waiter), {@code release()} throws (Python: nobody has acquired it yet),
 * and if the waiter is cancelled before it runs, it passes the lock on ({@code handOn}).
 * A hold records the task that acquired it, which is what {@link Condition} means by
 * "holding the lock". Loop-confined.
 *
 * <p>Porting from Python: {@code async with lock:} is {@code try (var _ = lock.acquire()) { ... }},
 * {@code locked()} is {@link #isLocked()}. A lock has no {@code wait}: {@code lock.wait()} and
 * {@code lock.notify()} are {@code java.lang.Object}'s monitor methods (they compile, and fail
 * with {@code IllegalMonitorStateException}); waiting under a lock is {@link Condition}'s
 * {@code await()}.
 *
 * <p>Python: {@code asyncio.Lock}.
 */
public final class Lock {
    private final LoopBinding binding = new LoopBinding();
    private final WaiterQueue waiters = new WaiterQueue();
    private Hold holder;            // the current grant, null when unlocked

    /** One grant of the lock, and the releaser of whoever got it. */
    final class Hold implements Releaser {
        Thread owner;               // the acquiring task's thread (a task is its thread)
        boolean inTransit;          // handed to a woken waiter that has not run yet

        /**
         * Releases the lock if this acquisition still holds it; otherwise (closed before, or
         * the lock was released explicitly and perhaps taken by another task) does nothing.
         *
         * @throws IllegalStateException if the lock belongs to another loop than the caller's
         */
        @Override
        public void close() {
            binding.check(Lock.this, "release");
            if (holder == this) {
                handOn();
            }
        }
    }

    /** A new unlocked lock. */
    public Lock() {
    }

    /**
     * Acquires the lock, suspending while another task holds it.
     *
     * <p>The releaser returned releases this acquisition's hold once: closing it again, or
     * after the lock was released by {@link #release()} (by this task or another one), does
     * nothing, so it never releases a hold another acquisition took.
     *
     * @return a releaser for try-with-resources
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (it then
     *                                          does not hold the lock)
     * @throws IllegalStateException            if the lock is held and the caller is not a task,
     *                                          or the lock belongs to another loop
     */
    public Releaser acquire() {
        binding.check(this, "acquire");
        if (holder == null && !waiters.hasWaiters()) {
            Hold h = new Hold();
            h.owner = Thread.currentThread();
            holder = h;
            return h;
        }
        return awaitHold(binding.bind(this, "acquire"));
    }

    /** Waits for a hold handed over by a release, and claims it for the current task. */
    private Hold awaitHold(EventLoopImpl loop) {
        Hold h = (Hold) waiters.await(loop, this::handOn);
        h.inTransit = false;        // still holder: an in-transit hold cannot be released
        h.owner = Thread.currentThread();
        return h;
    }

    /**
     * Releases the lock: hands it to the longest-waiting task, or unlocks it.
     *
     * @throws IllegalStateException if the lock is not acquired (unlocked, or handed to a woken
     *                               task that has not run yet), or belongs to another loop
     */
    public void release() {
        binding.check(this, "release");
        Hold h = holder;
        if (h == null || h.inTransit) {
            throw new IllegalStateException("Lock is not acquired: " + this
                    + (h != null ? " (it is being handed to a woken task that has not run yet)" : ""));
        }
        handOn();
    }

    /** Ends the current hold: the first waiter gets a new one, in transit, or the lock unlocks. */
    private void handOn() {
        if (!waiters.hasWaiters()) {
            holder = null;
            return;
        }
        Hold next = new Hold();
        next.inTransit = true;
        holder = waiters.wakeFirst(next) ? next : null;
    }

    // ------------------------------------------------------------------ for Condition

    /** Whether the current task (its thread) holds the lock. */
    boolean heldByCaller() {
        Hold h = holder;
        return h != null && !h.inTransit && h.owner == Thread.currentThread();
    }

    /** The current hold (the caller holds it: see {@link #heldByCaller()}). */
    Hold hold() {
        return holder;
    }

    /** Releases {@code h}, the current hold, on its owner's behalf (Condition.await). */
    void releaseHold(Hold h) {
        assert holder == h;
        handOn();
    }

    /**
     * Acquires the lock again for a hold released by {@link #releaseHold}, so the owner's
     * releaser holds it again; cancellation as {@link #acquire()}.
     */
    void reacquire(Hold h, EventLoopImpl loop) {
        if (holder != null || waiters.hasWaiters()) {
            awaitHold(loop);
        }
        holder = h;                 // the fresh grant is replaced by the owner's own hold
    }

    /**
     * Whether some task holds the lock (or it is being handed to one).
     *
     * @return true if locked
     */
    public boolean isLocked() {
        return holder != null;
    }

    /**
     * A snapshot of the lock's state.
     *
     * @return whether it is locked and how many tasks wait
     */
    public Statistics statistics() {
        return new Statistics(holder != null, waiters.size());
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
        return "Lock[" + (holder != null ? "locked" : "unlocked") + (waiters.hasWaiters() ? ", waiters=" + waiters.size() : "") + "]";
    }
}
