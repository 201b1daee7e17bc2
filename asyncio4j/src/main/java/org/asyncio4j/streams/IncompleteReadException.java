package org.asyncio4j.streams;

import java.io.EOFException;

/**
 * The stream ended before the bytes asked for arrived ({@link StreamReader#readExactly},
 * {@link StreamReader#readUntil}). {@link #partial()} holds what did arrive.
 *
 * <p>Python: {@code asyncio.IncompleteReadError}.
 */
public class IncompleteReadException extends EOFException {
    private static final long serialVersionUID = 1L;

    /** The bytes read before the end of the stream. */
    private final byte[] partial;
    /** How many bytes were expected, or -1 when reading up to a separator. */
    private final int expected;

    /**
     * An incomplete read.
     *
     * @param partial  the bytes read before the end of the stream
     * @param expected how many were expected, or -1 when reading up to a separator
     */
    public IncompleteReadException(byte[] partial, int expected) {
        super(partial.length + " bytes read on a total of " + (expected < 0 ? "undefined" : String.valueOf(expected))
                + " expected bytes");
        this.partial = partial.clone();
        this.expected = expected;
    }

    /**
     * The bytes read before the stream ended.
     *
     * @return a copy of them
     */
    public byte[] partial() {
        return partial.clone();
    }

    /**
     * How many bytes were expected.
     *
     * @return the count, or -1 when reading up to a separator
     */
    public int expected() {
        return expected;
    }
}
