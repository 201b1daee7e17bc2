package org.asyncio4j;

/**
 * A callback scheduled on a loop by {@link EventLoop#callSoon(Runnable)}; it can be cancelled
 * until it runs. Handles are confined to their loop: cancel them on the loop thread (from
 * elsewhere, go through {@link EventLoop#callSoonThreadsafe(Runnable)}).
 *
 * <p>Python: {@code asyncio.Handle}.
 */
public interface Handle {
    /** Cancels the callback; it will not run. Cancelling twice, or after it ran, does nothing. */
    void cancel();

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return true once cancelled
     */
    boolean isCancelled();
}
