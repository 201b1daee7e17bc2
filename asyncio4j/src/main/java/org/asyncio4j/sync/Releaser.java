package org.asyncio4j.sync;

/**
 * What {@code acquire()} returns, so that {@code try (var _ = lock.acquire()) { ... }} releases
 * on every exit: {@link #close()} releases what that acquisition took, at most once, and throws
 * nothing checked.
 *
 * <p>A releaser never releases more than its own acquisition: closing it a second time does
 * nothing, and a {@link Lock}'s (or {@link Condition}'s) releaser does nothing once that
 * acquisition no longer holds the lock (it was released explicitly, perhaps then taken by
 * another task), so it can never release a hold another task took.
 *
 * <p>Python: the {@code async with lock:} protocol.
 */
@FunctionalInterface
public interface Releaser extends AutoCloseable {
    /**
     * Releases what this acquisition took, if it still holds it; otherwise does nothing.
     *
     * @throws IllegalStateException if the primitive belongs to another loop than the caller's
     */
    @Override
    void close();
}
