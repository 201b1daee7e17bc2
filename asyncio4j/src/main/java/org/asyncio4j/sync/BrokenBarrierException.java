package org.asyncio4j.sync;

/**
 * Thrown by {@link Barrier#await()} when the barrier is aborted or reset while a task waits, or
 * is broken when it arrives. Unchecked, unlike {@code java.util.concurrent}'s.
 *
 * <p>Python: {@code asyncio.BrokenBarrierError}.
 */
public class BrokenBarrierException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A broken-barrier error.
     *
     * @param message what broke it
     */
    public BrokenBarrierException(String message) {
        super(message);
    }
}
