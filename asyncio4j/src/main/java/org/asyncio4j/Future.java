package org.asyncio4j;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A result that will exist later, bound to one event loop.
 *
 * <h2>States</h2>
 * <pre>
 *                 setResult(v)            state() == SUCCESS
 *   PENDING ──┬─────────────────────────▶ await() returns v
 *  (RUNNING)  ├── setException(e) ──────▶ FAILED: await() throws e (checked: wrapped)
 *             └── cancel(msg) ──────────▶ CANCELLED: await() throws CancelledException(msg)
 * </pre>
 * A done future never changes again. When it becomes done, its done callbacks are scheduled
 * with {@link EventLoop#callSoon(Runnable)}, in the order they were added, and the tasks
 * awaiting it resume in the order they started waiting.
 *
 * <h2>Threads</h2>
 * The {@code java.util.concurrent.Future} queries ({@link #isDone()}, {@link #isCancelled()},
 * {@link #state()}, {@link #resultNow()}, {@link #exceptionNow()}, {@code get}) work from any
 * thread. Everything that changes the future or its callbacks belongs to its loop: called from
 * a thread other than the loop's owner (see {@link EventLoop}'s loop confinement; this holds
 * whether the loop runs or not), it throws {@link IllegalStateException}, except
 * {@code cancel}, which is forwarded to the loop (it then returns whether the future was still
 * pending). A thread blocked in {@code get} on a future whose loop closes before the future
 * completes gets a {@link CancelledException} saying the loop closed.
 *
 * <p>Python: {@code asyncio.Future}.
 *
 * @param <T> the result type
 */
public interface Future<T> extends java.util.concurrent.Future<T> {

    /**
     * Waits for the result, suspending the current task while the future is pending.
     * On a done future it returns (or throws) at once, from any thread.
     *
     * @return the result
     * @throws CancelledException     if the future was cancelled, or the awaiting task was
     *                                cancelled while it waited (cancelling the awaiting task
     *                                cancels this future too, as in Python)
     * @throws RuntimeException       the future's own exception when it is unchecked
     * @throws Error                  the future's own exception when it is an {@code Error}
     * @throws java.util.concurrent.CompletionException wrapping the future's checked exception
     * @throws IllegalStateException  if the future is pending and the caller is not a task of
     *                                its loop
     */
    T await();

    /**
     * Cancels the future (no message).
     *
     * @return true if this call cancelled it, false if it was already done
     */
    boolean cancel();

    /**
     * Cancels the future; the message becomes the {@link CancelledException}'s message.
     *
     * @param msg the message, may be null
     * @return true if this call cancelled it, false if it was already done
     */
    boolean cancel(String msg);

    /**
     * Cancels the future, as {@link #cancel()}; {@code mayInterruptIfRunning} is ignored (a
     * task is interrupted out of JDK blocking calls in any case).
     *
     * @return true if this call cancelled it, false if it was already done
     */
    @Override
    boolean cancel(boolean mayInterruptIfRunning);

    /**
     * Completes the future with a value and schedules its callbacks.
     *
     * @param value the result, may be null
     * @throws InvalidStateException  if the future is done
     * @throws IllegalStateException  if this is a {@link Task} (a task's result is its body's),
     *                                or the caller is not on the future's running loop
     */
    void setResult(T value);

    /**
     * Completes the future with an exception and schedules its callbacks.
     *
     * @param exception the exception
     * @throws NullPointerException   if {@code exception} is null
     * @throws InvalidStateException  if the future is done
     * @throws IllegalStateException  if this is a {@link Task}, or the caller is not on the
     *                                future's running loop
     */
    void setException(Throwable exception);

    /**
     * Adds a callback to run, through {@code callSoon}, when the future is done (at once if it
     * already is). An exception from the callback goes to the loop's exception handler.
     *
     * @param callback receives this future
     * @throws NullPointerException  if {@code callback} is null
     * @throws IllegalStateException if the caller is not on the future's running loop
     */
    void addDoneCallback(Consumer<? super Future<T>> callback);

    /**
     * Removes every registration of a callback that has not been scheduled yet.
     *
     * @param callback the callback, compared with {@code equals}
     * @return how many registrations were removed
     * @throws NullPointerException  if {@code callback} is null
     * @throws IllegalStateException if the caller is not on the future's running loop
     */
    int removeDoneCallback(Consumer<? super Future<T>> callback);

    /**
     * The loop this future belongs to.
     *
     * @return the loop
     */
    EventLoop getLoop();

    /**
     * A {@code CompletableFuture} completed with this future's outcome (a cancellation completes
     * it exceptionally with a {@link CancelledException}). Cancelling the returned future
     * cancels this one, from any thread.
     *
     * @return a new CompletableFuture
     */
    CompletableFuture<T> toCompletableFuture();

    /**
     * The result of a done future.
     *
     * @return the value it completed with
     * @throws IllegalStateException if the future is pending, failed or cancelled
     */
    @Override
    T resultNow();

    /**
     * The exception of a failed future.
     *
     * @return its exception
     * @throws IllegalStateException if the future is pending, succeeded or cancelled
     */
    @Override
    Throwable exceptionNow();
}
