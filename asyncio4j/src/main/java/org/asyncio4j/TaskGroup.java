package org.asyncio4j;

import java.util.Objects;
import java.util.concurrent.Callable;

import org.asyncio4j.internal.Contexts;
import org.asyncio4j.internal.TaskGroupEngine;

/**
 * Structured concurrency: every child created in the group is done when the group's statement
 * ends, whatever ends it. Two forms, on one engine:
 *
 * <pre>{@code
 * // The lambda form: Python's "async with TaskGroup() as tg:" with its exact semantics.
 * List<String> pages = TaskGroup.run(tg -> {
 *     var a = tg.createTask(() -> fetch("a"));
 *     var b = tg.createTask(() -> fetch("b"));
 *     return List.of(a.await(), b.await());
 * });
 *
 * // The try form, as the seeds use it.
 * Task<String> a, b;
 * try (var tg = new TaskGroup()) {
 *     a = tg.createTask(() -> fetch("a"));
 *     b = tg.createTask(() -> fetch("b"));
 * }                       // both done here
 * }</pre>
 *
 * <h2>What holds on every path</h2>
 * <ol>
 *   <li><b>No child outlives its group.</b> When the statement ends (normally, by the body's
 *       exception, a child's failure, a cancellation from outside, an enclosing group's
 *       failure, a timeout, {@link #cancel()}), every child is done. An enclosing group's
 *       failure cancels a nested group's children too, and the nested statement waits for them
 *       before anything leaves it.</li>
 *   <li><b>A failure is never lost.</b> Every child failure that is not a cancellation caused by
 *       the group reaches the code after the statement: in the {@link ExceptionGroup} it throws,
 *       or attached (as a suppressed exception) to the exception that leaves instead.</li>
 *   <li><b>Cleanup written for cancellation runs.</b> The lambda form stops the body and the
 *       children with a plain {@link CancelledException} at their suspension points, so
 *       {@code catch (CancelledException e)} and {@code finally} run there (a body blocked in a
 *       JDK call gets that call's {@code InterruptedException} instead, which the group then
 *       treats as the cancellation, not as a failure of the body). The try form stops the body with the group's
 *       {@code ExceptionGroup} itself (Java cannot replace an exception that leaves the body):
 *       clean up in {@code finally}. asyncio4j's own cleanup (a server's {@code serveForever},
 *       a {@code Condition}'s re-acquisition, a stream read) treats that interruption exactly as
 *       a cancellation.</li>
 *   <li><b>A failing body cancels the children</b> in the lambda form, as in Python. In the try
 *       form {@code close()} cannot see the body's exception; it cancels the children when the
 *       body is leaving with an exception that asyncio4j threw in this task since its last
 *       suspension point: a cancellation, a group's interruption, a nested group's
 *       {@code ExceptionGroup}, a {@code timeout}'s {@link AsyncTimeoutException}. A body
 *       failing with its own exception (an {@code IOException} it threw, a failed
 *       {@code await()} it let through) does not cancel the children: the statement waits for
 *       them. A body that catches one of the exceptions above and then leaves the statement
 *       <em>without</em> suspending again has its children cancelled too. Where a body can fail
 *       with children still running, take the lambda form.</li>
 * </ol>
 *
 * <h2>How the statement ends</h2>
 * <ul>
 *   <li>A child fails: the group cancels the other children and stops the body at its current
 *       or next suspension point; the statement throws an {@code ExceptionGroup} of every child
 *       failure (children cancelled by the group are not in it). In the lambda form a body that
 *       failed with its own exception is in the group too, last (Python 3.13's order). In the
 *       try form the body's own exception leaves instead, the group attached as suppressed.
 *       In the try form, when the body received the group, {@code close()} throws a copy of it
 *       as well, since it cannot tell whether the body let the group leave or swallowed it: the
 *       copy ends up attached to the group as suppressed, or carries the failures out of a body
 *       that swallowed the group.</li>
 *   <li>The task running the body is cancelled from outside: the children are cancelled and
 *       awaited; the statement ends with that {@code CancelledException}, or with the group if
 *       children failed meanwhile (in the try form: attached to the {@code CancelledException},
 *       which Java keeps as the one thrown). The cancellation is never lost: when the statement
 *       ends with something else, the cancellation stays pending, so a task that catches the
 *       group and returns normally still ends cancelled (Python 3.13).</li>
 *   <li>{@link #cancel()}: the statement ends normally once the children are done.</li>
 * </ul>
 * A body blocked in a JDK blocking call ({@code Thread.sleep}, a {@code BlockingQueue}) is
 * interrupted out of it in the lambda form (as a cancellation is); in the try form it is not
 * (the call would throw {@code InterruptedException}, not the group): it receives the group at
 * its next asyncio4j suspension point, or in {@code close()}.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *  state (toString)  createTask   what happens
 *  running           yes          the body runs; children run
 *  aborting          no           a child failed: children cancelled, body being stopped
 *  cancelled         no           cancel() was called: children cancelled
 *  closing           yes          the body ended; waiting for the children (they may add siblings)
 *  done              no           every child done; the outcome delivered
 * </pre>
 *
 * <p>Python: {@code asyncio.TaskGroup} (and {@code TaskGroup.cancel()} of Python 3.15).
 */
public final class TaskGroup implements AutoCloseable {

    /**
     * The body of a lambda-form group.
     *
     * @param <T> what the body returns
     */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * Runs in the current task with the open group.
         *
         * @param tg the group
         * @return the call's value (a body with nothing to return returns null)
         * @throws Exception anything; it cancels the children and ends up in the ExceptionGroup
         */
        T run(TaskGroup tg) throws Exception;
    }

    private final TaskGroupEngine engine;

    /**
     * Opens a group in the current task (the try form).
     *
     * @throws IllegalStateException outside a task
     */
    public TaskGroup() {
        this(false);
    }

    private TaskGroup(boolean lambdaForm) {
        this.engine = new TaskGroupEngine(lambdaForm);
    }

    /**
     * Runs {@code body} with a new group in the current task and returns once every child is
     * done: Python's {@code async with TaskGroup() as tg:} with its exact semantics. A child's
     * failure cancels the siblings and stops the body with a {@link CancelledException} at its
     * next suspension point; the body's own exception cancels the children; either way the call
     * then throws an {@link ExceptionGroup} of every child failure, the body's exception last.
     *
     * @param body the body
     * @param <T>  the body's result type
     * @return the body's value; null if {@link #cancel()} stopped the body
     * @throws NullPointerException  if {@code body} is null
     * @throws ExceptionGroup        if children or the body failed
     * @throws CancelledException    if the calling task was cancelled from outside and no child
     *                               failed
     * @throws IllegalStateException outside a task
     */
    public static <T> T run(Body<T> body) {
        Objects.requireNonNull(body, "body");
        TaskGroup tg = new TaskGroup(true);
        T value = null;
        Throwable failure = null;
        try {
            value = body.run(tg);
        } catch (Throwable e) {
            failure = e;
        }
        return tg.engine.exitLambda(value, failure);
    }

    /**
     * Creates a child task.
     *
     * @param body the child's body
     * @param <T>  the result type
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if a child has failed, the group was cancelled or is done,
     *                               or the caller is not on the group's loop
     */
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(body, null);
    }

    /**
     * Creates a named child task; see {@link #createTask(Callable)}.
     *
     * @param body the child's body
     * @param name the name; null means {@code Task-N}
     * @param <T>  the result type
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public <T> Task<T> createTask(Callable<T> body, String name) {
        return engine.createTask(Objects.requireNonNull(body, "body"), name);
    }

    /**
     * Creates a child task without result; see {@link #createTask(Callable)}.
     *
     * @param body the child's body
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public Task<Void> createTask(ThrowingRunnable body) {
        return createTask(body, null);
    }

    /**
     * Creates a named child task without result; see {@link #createTask(Callable)}.
     *
     * @param body the child's body
     * @param name the name; null means {@code Task-N}
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public Task<Void> createTask(ThrowingRunnable body, String name) {
        return engine.createTask(Objects.requireNonNull(body, "body"), name);
    }

    /**
     * Creates a child task that starts eagerly, whatever the loop's setting: its body runs
     * inside this call until its first suspension point (see
     * {@link Asyncio#createEagerTask(Callable)}). A child that fails in that first step fails
     * the group at once, before this call returns (it returns the failed child): a further
     * {@code createTask} is refused and the body is stopped at its next suspension point.
     * On a loop with {@link EventLoop#setEagerTasks eager tasks} on, {@link #createTask} does
     * the same.
     *
     * <p>Python: {@code tg.create_task(coro, eager_start=True)} (3.14).
     *
     * @param body the child's body
     * @param <T>  the result type
     * @return the child, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public <T> Task<T> createEagerTask(Callable<T> body) {
        return createEagerTask(body, null);
    }

    /**
     * Creates a named eager child task; see {@link #createEagerTask(Callable)}.
     *
     * @param body the child's body
     * @param name the name; null means {@code Task-N}
     * @param <T>  the result type
     * @return the child, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public <T> Task<T> createEagerTask(Callable<T> body, String name) {
        return engine.createTask(Objects.requireNonNull(body, "body"), name, true);
    }

    /**
     * Creates an eager child task without result; see {@link #createEagerTask(Callable)}.
     *
     * @param body the child's body
     * @return the child, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public Task<Void> createEagerTask(ThrowingRunnable body) {
        return createEagerTask(body, null);
    }

    /**
     * Creates a named eager child task without result; see {@link #createEagerTask(Callable)}.
     *
     * @param body the child's body
     * @param name the name; null means {@code Task-N}
     * @return the child, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public Task<Void> createEagerTask(ThrowingRunnable body, String name) {
        return engine.createTask(Objects.requireNonNull(body, "body"), name, true);
    }

    /**
     * Creates a named child task that runs in {@code context} itself, not a copy (Python 3.13's
     * {@code tg.create_task(coro, context=ctx)}); see {@link #createTask(Callable)}. The other
     * overloads, and a null context, run the child in a copy of the context current here.
     *
     * @param body    the child's body
     * @param name    the name; null means {@code Task-N}
     * @param context the context to run in, or null for a copy of the current one
     * @param <T>     the result type
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public <T> Task<T> createTask(Callable<T> body, String name, Context context) {
        return engine.createTask(Contexts.bind(Objects.requireNonNull(body, "body"), context), name);
    }

    /**
     * Creates a named child task without result in {@code context}; see
     * {@link #createTask(Callable, String, Context)}.
     *
     * @param body    the child's body
     * @param name    the name; null means {@code Task-N}
     * @param context the context to run in, or null for a copy of the current one
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    public Task<Void> createTask(ThrowingRunnable body, String name, Context context) {
        return engine.createTask(Contexts.bind(Objects.requireNonNull(body, "body"), context), name);
    }

    /**
     * Cancels every child (a child that calls it is cancelled too, at its next suspension point,
 * like the others); the statement then ends normally, with no exception, once they are
     * done (children that failed before still make it throw their {@link ExceptionGroup}). In
     * the lambda form the body is stopped too, at its next suspension point ({@link #run} then
     * returns null). In the try form the body is not interrupted: it runs on to {@code close()},
     * which returns normally. Callable from the body or a child; idempotent; a no-op once the
     * group is done. Afterwards {@code createTask} throws {@code IllegalStateException}.
     *
     * <p>Python: {@code TaskGroup.cancel()} (3.15).
     *
     * @throws IllegalStateException if called from another thread than the group's loop
     */
    public void cancel() {
        engine.cancel();
    }

    /**
     * Waits for every child (the try form); see the class comment for how it ends.
     *
     * @throws ExceptionGroup        if children failed (unless the body is already throwing
     *                               that group)
     * @throws CancelledException    if the task was cancelled while it waited and no child
     *                               failed
     * @throws IllegalStateException if called by another task than the one that opened it, or
     *                               on the group of {@link #run} (which closes itself)
     */
    @Override
    public void close() {
        if (engine.isLambdaForm()) {
            throw new IllegalStateException("the group of TaskGroup.run closes itself when the body returns: do not close it");
        }
        engine.closeTryForm();
    }

    /**
     * The group's state and counts, e.g. {@code TaskGroup[running, children=3, failed=0]}:
     * {@code children} counts the children not yet done, {@code failed} those that failed.
     *
     * @return a description
     */
    @Override
    public String toString() {
        return engine.toString();
    }
}
