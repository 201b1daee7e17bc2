package org.asyncio4j;

/**
 * A running body: a virtual thread carried by its loop, and the future of its outcome.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *  createTask ──▶ scheduled ──▶ running ⇄ suspended ──┬──▶ done: result (body returned)
 *                     │                               ├──▶ done: exception (body threw)
 *                     └── cancel() before it starts ──┴──▶ done: cancelled
 * </pre>
 * A task runs only on its loop's thread, one task at a time; it leaves the loop only at a
 * <em>suspension point</em>: an asyncio4j call that waits ({@code await}, {@code sleep},
 * {@code gather}, a lock...) or a JDK blocking call ({@code Thread.sleep}, a
 * {@code java.util.concurrent} wait, socket I/O, {@code Object.wait}).
 *
 * <h2>Cancellation</h2>
 * {@link #cancel(String)} asks the task to stop. If it is awaiting a future, that future is
 * cancelled (unless {@link Asyncio#shield(Future) shield} protects it). The task sees a {@link CancelledException}
 * at its current or next asyncio4j suspension point; if it is inside a JDK blocking call, the
 * call is interrupted and throws what that call throws on interruption (for {@code Thread.sleep}
 * and the {@code java.util.concurrent} waits, {@code InterruptedException}; for an interruptible
 * channel, {@code ClosedByInterruptException}; a library over a socket wraps the
 * {@code SocketException} the interrupt causes in its own exception). A task that was asked to
 * cancel (and did not {@link #uncancel()}) and whose body then ends with an exception the
 * interrupt caused ({@code InterruptedException}, {@code InterruptedIOException},
 * {@code ClosedByInterruptException} or {@code SocketException} anywhere in its cause chain)
 * ends cancelled, with that exception as its {@code CancelledException}'s cause; see
 * {@link Asyncio#isCancellation(Throwable)}, and {@link Asyncio#cancellable(ThrowingRunnable,
 * java.util.concurrent.Callable)} to stop a call through the library's own cancel instead.
 * Interrupting a task's thread yourself counts as a cancel request.
 *
 * <p>{@code toString()} names what a pending task waits for and where its code is suspended,
 * {@code Task[pending name=fetch-3 waiting=Future[pending] at Crawler.fetch(Crawler.java:41)]}
 * (the stack is walked only then), and a done task's outcome; see also
 * {@link Asyncio#formatCallGraph(Future)} and {@link EventLoop#dumpTasks()}.
 *
 * <p>Python: {@code asyncio.Task}.
 *
 * @param <T> the result type
 */
public interface Task<T> extends Future<T> {

    /**
     * The task's name: given at creation, or {@code Task-N}.
     *
     * @return the name
     */
    String getName();

    /**
     * Renames the task (and its thread).
     *
     * @param name the new name
     * @throws NullPointerException if {@code name} is null
     */
    void setName(String name);

    /**
     * Requests cancellation with a message; see the class comment.
     *
     * @param msg the {@link CancelledException}'s message, may be null
     * @return false if the task is already done, true otherwise
     */
    @Override
    boolean cancel(String msg);

    /**
     * The number of pending cancellation requests: {@code cancel} calls minus {@code uncancel}
     * calls.
     *
     * @return the count
     */
    int cancelling();

    /**
     * Withdraws one cancellation request; when none is left, a request not yet delivered is
     * dropped.
     *
     * @return the new count
     */
    int uncancel();

    /**
     * The task's stack: where it is suspended, or where it runs if called from the task itself;
     * empty if it has not started or is done, and for a task woken and queued to run but not yet
     * resumed (reading an unmounted thread's stack holds it still, and the JDK then queues a
     * runnable thread a second time, which would let it resume ahead of its turn later).
     *
     * @return the stack, innermost frame first
     */
    StackTraceElement[] getStack();
}
