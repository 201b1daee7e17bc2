package org.asyncio4j;

/**
 * When {@link Asyncio#wait(java.util.Collection, ReturnWhen)} returns.
 *
 * <p>Python: {@code asyncio.FIRST_COMPLETED}, {@code FIRST_EXCEPTION}, {@code ALL_COMPLETED}.
 */
public enum ReturnWhen {
    /** When any future finishes or is cancelled. */
    FIRST_COMPLETED,
    /** When any future finishes by raising an exception, or all finish; a cancellation does not count as an exception. */
    FIRST_EXCEPTION,
    /** When all futures finish or are cancelled. */
    ALL_COMPLETED
}
