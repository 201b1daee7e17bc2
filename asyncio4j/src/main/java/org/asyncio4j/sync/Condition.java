package org.asyncio4j.sync;

import java.util.Objects;
import java.util.function.BooleanSupplier;

import org.asyncio4j.CancelledException;
import org.asyncio4j.internal.LoopBinding;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A condition variable: tasks wait, holding a {@link Lock}, until another task signals.
 *
 * <pre>{@code
 * try (var _ = cond.acquire()) {
 *     cond.awaitUntil(() -> !items.isEmpty());
 *     take(items);
 * }
 * }</pre>
 *
 * <p>{@link #await()} releases the lock, waits for a signal, and re-acquires the lock before it
 * returns or throws, also when it is cancelled. A waiter cancelled after it was signalled passes
 * the signal to the next waiter.
 *
 * <p>Python: {@code asyncio.Condition} ({@code wait}, {@code wait_for}, {@code notify},
 * {@code notify_all} are {@code await}, {@code awaitUntil}, {@code signal}, {@code signalAll}).
 */
public final class Condition {
    private static final Object TOKEN = Boolean.TRUE;

    private final Lock lock;
    private final LoopBinding binding = new LoopBinding();
    private final WaiterQueue waiters = new WaiterQueue();

    /** A condition with its own new lock. */
    public Condition() {
        this(new Lock());
    }

    /**
     * A condition over an existing lock.
     *
     * @param lock the lock
     * @throws NullPointerException if {@code lock} is null
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /**
     * Acquires the underlying lock; see {@link Lock#acquire()}.
     *
     * @return a releaser for try-with-resources
     */
    public Releaser acquire() {
        lock.acquire();
        return this::release;
    }

    /** Releases the underlying lock; see {@link Lock#release()}. */
    public void release() {
        lock.release();
    }

    /**
     * Whether the underlying lock is held.
     *
     * @return true if locked
     */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /**
     * Releases the lock, waits for a signal, re-acquires the lock.
     *
     * @throws IllegalStateException            if the lock is not held, the caller is not a task,
     *                                          or the condition belongs to another loop
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (the lock
     *                                          is held again when it is thrown)
     */
    public void await() {
        binding.check(this, "await");
        if (!lock.isLocked()) {
            throw new IllegalStateException("cannot await a Condition without holding its lock");
        }
        var loop = binding.bind(this, "await");
        lock.release();
        RuntimeException failure = null;
        try {
            // A signalled waiter cancelled before it ran passes the signal on; the lock may
            // already be released by then, so this must not go through signal()'s check.
            waiters.await(loop, () -> waiters.wakeFirst(TOKEN));
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            // Re-acquire the lock even if the wait was cancelled; a cancellation that arrives
            // while re-acquiring is kept and thrown once the lock is held.
            while (true) {
                try {
                    lock.acquire();
                    break;
                } catch (CancelledException e) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Waits until the predicate holds, re-checking it after every signal. The lock must be held.
     *
     * @param predicate the condition, evaluated with the lock held
     * @throws NullPointerException if {@code predicate} is null
     * @throws IllegalStateException as {@link #await()}
     */
    public void awaitUntil(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "predicate");
        while (!predicate.getAsBoolean()) {
            await();
        }
    }

    /**
     * Wakes the longest-waiting task, if any. The lock must be held.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiting tasks, longest-waiting first. The lock must be held.
     *
     * @param n how many
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    if the lock is not held
     */
    public void signal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("signal: n is negative: " + n);
        }
        binding.check(this, "signal");
        if (!lock.isLocked()) {
            throw new IllegalStateException("cannot signal a Condition without holding its lock");
        }
        for (int i = 0; i < n && waiters.wakeFirst(TOKEN); i++) {
            // woken in arrival order
        }
    }

    /**
     * Wakes every waiting task. The lock must be held.
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    /**
     * A snapshot of the condition's state.
     *
     * @return whether its lock is held, and how many tasks wait for the lock and for a signal
     */
    public Statistics statistics() {
        return new Statistics(lock.isLocked(), lock.statistics().waiters(), waiters.size());
    }

    /**
     * The state of a condition.
     *
     * @param locked      whether its lock is held
     * @param lockWaiters how many tasks wait for the lock
     * @param waiters     how many tasks wait for a signal
     */
    public record Statistics(boolean locked, int lockWaiters, int waiters) {
    }

    @Override
    public String toString() {
        return "Condition[" + (lock.isLocked() ? "locked" : "unlocked") + (waiters.hasWaiters() ? ", waiters=" + waiters.size() : "") + "]";
    }
}
