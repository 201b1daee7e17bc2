package org.asyncio4j;

import java.util.Set;

/**
 * The outcome of {@link Asyncio#wait}: the futures that are done and those still pending, each
 * set in the order the futures were given. The sets are unmodifiable.
 *
 * <p>Python: the {@code (done, pending)} tuple of {@code asyncio.wait}.
 *
 * @param done    the futures that finished or were cancelled
 * @param pending the futures still pending
 * @param <F>     the future type
 */
public record WaitResult<F>(Set<F> done, Set<F> pending) {
    /**
     * Makes a result, keeping the given sets.
     *
     * @throws NullPointerException if a set is null
     */
    public WaitResult {
        java.util.Objects.requireNonNull(done, "done");
        java.util.Objects.requireNonNull(pending, "pending");
    }
}
