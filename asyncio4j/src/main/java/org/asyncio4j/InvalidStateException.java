package org.asyncio4j;

/**
 * Thrown when a future is asked to do something its state forbids: setting the result of a done
 * future, reading the result of a pending one.
 *
 * <p>Python: {@code asyncio.InvalidStateError}.
 */
public class InvalidStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * An invalid-state error.
     *
     * @param message what was wrong
     */
    public InvalidStateException(String message) {
        super(message);
    }
}
