package org.asyncio4j;

/**
 * Receives the exceptions that reach the loop instead of an awaiter. It runs on the loop thread
 * and must not block. An exception it throws is logged and otherwise ignored.
 *
 * <p>Python: the handler given to {@code loop.set_exception_handler}.
 */
@FunctionalInterface
public interface ExceptionHandler {
    /**
     * Handles one report.
     *
     * @param loop    the loop that reports it
     * @param context what happened
     */
    void handle(EventLoop loop, ExceptionContext context);
}
