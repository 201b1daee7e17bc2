package org.asyncio4j;

/**
 * A callback scheduled for a time by {@link EventLoop#callLater(double, Runnable)} or
 * {@link EventLoop#callAt(double, Runnable)}. Callbacks due at the same time run in the order
 * they were scheduled.
 *
 * <p>Python: {@code asyncio.TimerHandle}.
 */
public interface TimerHandle extends Handle {
    /**
     * The loop time at which the callback is due, in seconds on {@link EventLoop#time()}'s clock.
     *
     * @return the due time
     */
    double when();
}
