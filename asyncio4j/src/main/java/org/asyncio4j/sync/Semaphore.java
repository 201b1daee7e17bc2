package org.asyncio4j.sync;

import org.asyncio4j.internal.LoopBinding;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A counter of permits: {@link #acquire()} takes one, suspending while none is left;
 * {@link #release()} returns one, handing it straight to the longest-waiting task if any.
 * Fair and cancellation-safe: a cancelled acquire never keeps or loses a permit.
 *
 * <p>Porting from Python: {@code async with sem:} is {@code try (var _ = sem.acquire()) { ... }},
 * {@code locked()} is {@link #isLocked()}. A semaphore has no {@code wait}: {@code sem.wait()}
 * and {@code sem.notify()} are {@code java.lang.Object}'s monitor methods (they compile, and fail
 * with {@code IllegalMonitorStateException}).
 *
 * <p>Python: {@code asyncio.Semaphore}.
 */
public class Semaphore {
    private static final Object TOKEN = Boolean.TRUE;

    final LoopBinding binding = new LoopBinding();
    private final WaiterQueue waiters = new WaiterQueue();
    int value;

    /**
     * A semaphore with {@code value} permits.
     *
     * @param value the initial number of permits
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("Semaphore initial value must be >= 0, not " + value);
        }
        this.value = value;
    }

    /**
     * Takes a permit, suspending while none is available.
     *
     * <p>The releaser returned gives this acquisition's permit back once; closing it again does
     * nothing. (Permits are not owned: {@link #release()} may return one that any task took.)
     *
     * @return a releaser for try-with-resources
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (it then
     *                                          holds no permit)
     * @throws IllegalStateException            if it must wait and the caller is not a task, or
     *                                          the semaphore belongs to another loop
     */
    public Releaser acquire() {
        binding.check(this, "acquire");
        if (value > 0 && !waiters.hasWaiters()) {
            value--;
            return new Permit();
        }
        waiters.await(binding.bind(this, "acquire"), this::handOver);
        return new Permit();    // a permit handed over by release()
    }

    /** One acquisition's permit: its releaser returns it once. */
    private final class Permit implements Releaser {
        private boolean returned;

        /**
         * Returns this acquisition's permit (as {@link Semaphore#release()}); closing it again
         * does nothing.
         *
         * @throws IllegalStateException as {@link Semaphore#release()}
         */
        @Override
        public void close() {
            if (!returned) {
                returned = true;
                release();
            }
        }
    }

    /**
     * Returns a permit: to the longest-waiting task, or to the counter.
     *
     * @throws IllegalStateException if the semaphore belongs to another loop, or (for a
     *                               {@link BoundedSemaphore}) the release is one too many
     */
    public void release() {
        binding.check(this, "release");
        handOver();
    }

    final void handOver() {
        if (!waiters.wakeFirst(TOKEN)) {
            value++;
        }
    }

    /**
     * Whether an {@code acquire} now would have to wait.
     *
     * @return true if no permit is free or tasks are already waiting
     */
    public boolean isLocked() {
        return value == 0 || waiters.hasWaiters();
    }

    /**
     * The free permits.
     *
     * @return the counter
     */
    public int value() {
        return value;
    }

    /**
     * A snapshot of the semaphore's state.
     *
     * @return free permits and waiting tasks
     */
    public Statistics statistics() {
        return new Statistics(value, waiters.size());
    }

    /**
     * The state of a semaphore.
     *
     * @param value   free permits
     * @param waiters how many tasks wait for one
     */
    public record Statistics(int value, int waiters) {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (isLocked() ? "locked" : "unlocked") + ", value=" + value
                + (waiters.hasWaiters() ? ", waiters=" + waiters.size() : "") + "]";
    }
}
