package org.asyncio4j.queues;

/**
 * Thrown by {@link Queue#getNowait} on an empty queue.
 *
 * <p>Python: {@code asyncio.QueueEmpty}.
 */
public class QueueEmptyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exception, with a default message. */
    public QueueEmptyException() {
        super();
    }

    /**
     * The exception with a message.
     *
     * @param message what happened
     */
    public QueueEmptyException(String message) {
        super(message);
    }
}
