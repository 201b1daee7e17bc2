package org.asyncio4j;

/**
 * A callback scheduled on a loop by {@link EventLoop#callSoon(Runnable)}; it can be cancelled
 * until it runs. {@link #cancel()} works from any thread: from a thread other than the loop's
 * owner it marks the handle at once and leaves the loop's queues to the loop (a callback the
 * loop has already started still completes).
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
