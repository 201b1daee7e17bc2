package org.asyncio4j;

/**
 * A body with no result that may throw: the {@code Runnable} of task bodies, so that
 * {@code createTask(() -> { sleep(1); })} and blocking JDK calls need no try/catch.
 *
 * <p>Python: a coroutine function that returns {@code None}.
 */
@FunctionalInterface
public interface ThrowingRunnable {
    /**
     * Runs the body.
     *
     * @throws Exception whatever the body throws; a task records it as its exception
     */
    void run() throws Exception;
}
