package org.asyncio4j.queues;

/**
 * Thrown by {@link Queue#putNowait} on a full queue.
 *
 * <p>Python: {@code asyncio.QueueFull}.
 */
public class QueueFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exception, with a default message. */
    public QueueFullException() {
        super();
    }

    /**
     * The exception with a message.
     *
     * @param message what happened
     */
    public QueueFullException(String message) {
        super(message);
    }
}
