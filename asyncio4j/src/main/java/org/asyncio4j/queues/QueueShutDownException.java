package org.asyncio4j.queues;

/**
 * Thrown by putting into a queue that is shut down, or getting from one that is shut down and empty (or was shut down with {@code immediate}).
 *
 * <p>Python: {@code asyncio.QueueShutDown}.
 */
public class QueueShutDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exception, with a default message. */
    public QueueShutDownException() {
        super();
    }

    /**
     * The exception with a message.
     *
     * @param message what happened
     */
    public QueueShutDownException(String message) {
        super(message);
    }
}
