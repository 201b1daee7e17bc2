package org.asyncio4j;

import java.util.concurrent.CancellationException;

/**
 * Thrown where a cancelled task resumes, and by {@code await()} on a cancelled future. Its
 * {@link #getMessage() message} is the one given to {@link Task#cancel(String)}, or null.
 *
 * <p>A task that lets this exception leave its body ends cancelled. Catching it is allowed (to
 * clean up), but code that swallows it should call {@link Task#uncancel()}, as in Python.
 *
 * <p>Python: {@code asyncio.CancelledError}.
 */
public class CancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** A cancellation with no message. */
    public CancelledException() {
        super();
    }

    /**
     * A cancellation with a message.
     *
     * @param message the message given to {@code cancel(msg)}, may be null
     */
    public CancelledException(String message) {
        super(message);
    }
}
