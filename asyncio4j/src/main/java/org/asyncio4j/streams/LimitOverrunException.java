package org.asyncio4j.streams;

import java.io.IOException;

/**
 * {@link StreamReader#readLine()} or {@link StreamReader#readUntil(byte[])} found no separator
 * within the reader's limit. The data stays in the reader's buffer, except for
 * {@code readLine}, which drops the over-long line (as Python's {@code readline} does).
 *
 * <p>Python: {@code asyncio.LimitOverrunError} (and the {@code ValueError} of {@code readline}).
 */
public class LimitOverrunException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int consumed;

    /**
     * A limit overrun.
     *
     * @param message  what happened
     * @param consumed how many bytes were examined
     */
    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * How many buffered bytes were examined without finding the separator.
     *
     * @return the count
     */
    public int consumed() {
        return consumed;
    }
}
