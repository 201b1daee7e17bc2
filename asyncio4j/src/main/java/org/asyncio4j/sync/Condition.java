package org.asyncio4j.sync;

import java.util.Objects;
import java.util.function.BooleanSupplier;

import org.asyncio4j.internal.Cancellation;
import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.FutureImpl;
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
 * returns or throws, also when it is cancelled (or interrupted by its {@code TaskGroup}). A
 * waiter that ends by an exception after it was signalled passes the signal to the next waiter.
 *
 * <p>Waiting ({@code await}, {@code awaitUntil}) needs the calling task to hold the lock: to
 * have acquired it and not released it (outside any task: the same thread). Otherwise it throws {@link IllegalStateException}, also while
 * another task holds the lock, whose hold a wait would otherwise release (Python's
 * documentation: "If the calling task has not acquired the lock when this method is called, a
 * RuntimeError is raised"). Signalling needs the lock to be locked, by any task, as Python's
 * {@code notify} does (its test_wait signals while a woken waiter holds the lock); signalling
 * an unlocked condition throws {@link IllegalStateException}.
 *
 * <h2>Implementation overview</h2>
 * {@code await} remembers the caller's hold of the lock (the {@link Releaser} its
 * {@code acquire} returned), releases it, waits in the condition's own waiter queue, then
 * re-acquires the lock for that same hold, so the caller's releaser keeps meaning "my hold".
 * The re-acquisition repeats while it is stopped by a cancellation (as
 * {@code internal.Cancellation.isCancellation} decides: a {@code CancelledException} or a group's
 * interruption), keeps the latest one, and throws it once the lock is held again (Python's
 * {@code Condition.wait}). A signal taken by a waiter that then leaves by an exception is
 * passed to the next waiter (the waiter queue does this for a waiter cancelled before it ran;
 * {@code await} itself for one stopped while it re-acquires).
 *
 * <p>Porting from Python: {@code async with cond:} is {@code try (var _ = cond.acquire()) { ... }};
 * {@code wait()}, {@code wait_for(p)}, {@code notify(n)}, {@code notify_all()} are
 * {@link #await()}, {@link #awaitUntil}, {@link #signal(int)}, {@link #signalAll()}. Python's
 * spellings {@code cond.wait()}, {@code cond.notify()} and {@code cond.notifyAll()} compile, as
 * {@code java.lang.Object}'s monitor methods, and fail with {@code IllegalMonitorStateException}
 * ("current thread is not owner"); a task that ends with that exception carries a suppressed
 * hint naming the asyncio4j method.
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
     * Acquires the underlying lock; see {@link Lock#acquire()} (the releaser releases this
     * acquisition's hold only, and at most once).
     *
     * @return a releaser for try-with-resources
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     * @throws IllegalStateException            as {@link Lock#acquire()}
     */
    public Releaser acquire() {
        return lock.acquire();
    }

    /**
     * Releases the underlying lock; see {@link Lock#release()}.
     *
     * @throws IllegalStateException as {@link Lock#release()}
     */
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
     * <p>It returns or throws only holding the lock again, whatever stops the wait: a
     * cancellation, a {@code TaskGroup}'s interruption, a timeout, also one that arrives while it
     * re-acquires the lock (it then keeps waiting for the lock and throws the latest such
     * exception once it holds it).
     *
     * @throws IllegalStateException            if the calling task does not hold the lock, the
     *                                          caller is not a task, or the condition belongs to
     *                                          another loop
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (the lock
     *                                          is held again when it is thrown)
     * @throws org.asyncio4j.ExceptionGroup     if its try-form TaskGroup interrupts it (the lock
     *                                          is held again when it is thrown)
     */
    public void await() {
        binding.check(this, "await");
        requireHeld("await");
        EventLoopImpl loop = binding.bind(this, "await");
        Lock.Hold mine = lock.hold();
        lock.releaseHold(mine);
        Throwable failure = null;
        boolean signalled = false;
        try {
            // A signalled waiter cancelled before it ran passes the signal on; the lock may
            // already be released by then, so this must not go through signal()'s check.
            waiters.await(loop, () -> waiters.wakeFirst(TOKEN));
            signalled = true;
        } catch (Throwable t) {
            failure = t;
        }
        // Re-acquire even if the wait was stopped. A cancellation (or a group's interruption)
        // that lands while re-acquiring is kept, and thrown once the lock is held: leaving
        // without it would let the caller's try-with-resources run unprotected, and its
        // releaser release nothing while the caller believes it held the lock.
        while (true) {
            try {
                lock.reacquire(mine, loop);
                break;
            } catch (RuntimeException e) {
                if (!Cancellation.isCancellation(e)) {
                    // Not a way asyncio4j stops a task: leave without the lock (the caller's
                    // releaser then does nothing), rather than spin on it.
                    passSignalOn(signalled);
                    if (failure != null && failure != e) {
                        e.addSuppressed(failure);
                    }
                    throw e;
                }
                failure = e;        // the latest one is thrown, as Python re-raises it
            }
        }
        if (failure != null) {
            passSignalOn(signalled);
            throw FutureImpl.rethrow(failure);
        }
    }

    /** A signal this waiter took and cannot use (it leaves by an exception) goes to the next. */
    private void passSignalOn(boolean signalled) {
        if (signalled) {
            waiters.wakeFirst(TOKEN);
        }
    }

    /**
     * Waits until the predicate holds, re-checking it after every signal. The calling task
     * must hold the lock, also when the predicate holds at once.
     *
     * @param predicate the condition, evaluated with the lock held
     * @throws NullPointerException  if {@code predicate} is null
     * @throws IllegalStateException if the calling task does not hold the lock, or as
     *                               {@link #await()}
     * @throws org.asyncio4j.CancelledException as {@link #await()}
     */
    public void awaitUntil(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "predicate");
        binding.check(this, "awaitUntil");
        requireHeld("awaitUntil");
        while (!predicate.getAsBoolean()) {
            await();
        }
    }

    /**
     * Wakes the longest-waiting task, if any. The lock must be locked (by any task).
     *
     * @throws IllegalStateException if the lock is not locked, or the condition belongs to
     *                               another loop
     */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiting tasks, longest-waiting first. The lock must be locked (by
     * any task).
     *
     * @param n how many
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    if the lock is not locked, or the condition belongs to
     *                                  another loop
     */
    public void signal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("signal: n is negative: " + n);
        }
        binding.check(this, "signal");
        if (!lock.isLocked()) {
            throw new IllegalStateException("cannot signal a Condition without holding its lock: " + this);
        }
        for (int i = 0; i < n && waiters.wakeFirst(TOKEN); i++) {
            // woken in arrival order
        }
    }

    /**
     * Wakes every waiting task. The lock must be locked (by any task).
     *
     * @throws IllegalStateException if the lock is not locked, or the condition belongs to
     *                               another loop
     */
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    private void requireHeld(String op) {
        if (!lock.heldByCaller()) {
            throw new IllegalStateException("cannot " + op + " a Condition without holding its lock"
                    + (lock.isLocked() ? " (another task holds it, or it is being handed to one): " : ": ") + this);
        }
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
