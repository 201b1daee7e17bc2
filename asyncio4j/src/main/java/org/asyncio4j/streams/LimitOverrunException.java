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

    /** The offset given to the constructor (see {@link #consumed()}). */
    private final int consumed;

    /**
     * A limit overrun.
     *
     * @param message  what happened
     * @param consumed the offset of the separator found past the limit, or the earliest offset
     *                 where one could still have begun
     */
    public LimitOverrunException(String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * Where the read gave up, as Python's {@code consumed}: the offset of a separator found past
     * the limit, or else the earliest offset where a separator could still have begun (for a
     * one-byte separator, the bytes examined).
     *
     * @return the offset
     */
    public int consumed() {
        return consumed;
    }
}
