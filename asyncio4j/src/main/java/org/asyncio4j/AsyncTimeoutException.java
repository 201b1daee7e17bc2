package org.asyncio4j;

/**
 * Thrown when a deadline set by {@link Asyncio#timeout}, {@link Asyncio#timeoutAt},
 * {@link Asyncio#waitFor}, {@link Asyncio#wait} iteration or {@link Asyncio#asCompleted} passes.
 * When it replaces a cancellation, the {@link CancelledException} is its cause.
 *
 * <p>Python: {@code TimeoutError} (raised by {@code asyncio.timeout}).
 */
public class AsyncTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A timeout with no message. */
    public AsyncTimeoutException() {
        super();
    }

    /**
     * A timeout with a message.
     *
     * @param message what timed out, may be null
     */
    public AsyncTimeoutException(String message) {
        super(message);
    }

    /**
     * A timeout with a message and the cancellation it replaces.
     *
     * @param message what timed out, may be null
     * @param cause   the cancellation, may be null
     */
    public AsyncTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
