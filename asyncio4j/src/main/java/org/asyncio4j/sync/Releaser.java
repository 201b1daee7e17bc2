package org.asyncio4j.sync;

/**
 * What {@code acquire()} returns, so that {@code try (var _ = lock.acquire()) { ... }} releases
 * on every exit: {@link #close()} releases once and throws nothing checked.
 *
 * <p>Python: the {@code async with lock:} protocol.
 */
@FunctionalInterface
public interface Releaser extends AutoCloseable {
    /**
     * Releases what was acquired.
     *
     * @throws IllegalStateException if it is no longer held (closed twice, or released elsewhere)
     */
    @Override
    void close();
}
