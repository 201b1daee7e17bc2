package org.asyncio4j;

/**
 * What the loop knows about an exception nobody else will see: a failing callback, a task whose
 * exception was never retrieved, a slow step in debug mode. Every field but {@code message} may
 * be null.
 *
 * <p>Python: the {@code context} dict of {@code loop.call_exception_handler}.
 *
 * @param message   a description, never null
 * @param exception the exception, if any
 * @param future    the future or task concerned (a failing task is its {@code future})
 * @param handle    the callback's handle, if a callback failed
 */
public record ExceptionContext(String message, Throwable exception, Future<?> future, Handle handle) {
    /**
     * Makes a context.
     *
     * @throws NullPointerException if {@code message} is null
     */
    public ExceptionContext {
        java.util.Objects.requireNonNull(message, "message");
    }
}
