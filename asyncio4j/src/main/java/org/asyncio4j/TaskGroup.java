package org.asyncio4j;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.FutureImpl;
import org.asyncio4j.internal.Structured;
import org.asyncio4j.internal.TaskImpl;

/**
 * Structured concurrency: children created in the group are all done when the {@code try}
 * statement ends.
 *
 * <pre>{@code
 * Task<String> a, b;
 * try (var tg = new TaskGroup()) {
 *     a = tg.createTask(() -> fetch("a"));
 *     b = tg.createTask(() -> fetch("b"));
 * }                       // both done here
 * }</pre>
 *
 * <h2>Failures</h2>
 * When a child fails, the group cancels the other children and interrupts the body at its next
 * suspension point; the exception the body sees there is the group's {@link ExceptionGroup}
 * itself, so the {@code try} statement ends by throwing it, filled with every child's failure
 * once all children are done (children cancelled by the group are not in it). If the body
 * itself throws another exception, that exception leaves the statement, with the group's
 * {@code ExceptionGroup} (if children failed) attached as suppressed.
 *
 * <p>Cancelling the task that runs the body, from outside, cancels the children too; the
 * statement ends with that {@link CancelledException} once they are done.
 *
 * <p>A body blocked in a JDK blocking call ({@code Thread.sleep}, a {@code BlockingQueue}) when
 * a child fails is not interrupted out of it (the call would throw
 * {@code InterruptedException}, not the group): it receives the group at its next asyncio4j
 * suspension point, or when it reaches {@code close()}.
 *
 * <h2>Differences from Python</h2>
 * Java's {@code close()} cannot see the exception leaving the body, so:
 * <ul>
 *   <li>a body that fails with its own exception does not cancel the children: the statement
 *       waits for them (cancel them yourself in a {@code catch} if that is what you want);</li>
 *   <li>a body that catches the group's {@code ExceptionGroup} and completes normally loses it;
 *       do not swallow it;</li>
 *   <li>if the body was cancelled from outside and a child then fails, the statement ends with
 *       the {@code CancelledException}, the group attached as suppressed (Python 3.13 would
 *       raise the group).</li>
 * </ul>
 *
 * <p>Python: {@code asyncio.TaskGroup}.
 */
public final class TaskGroup implements AutoCloseable {
    private static final int BODY = 0, CLOSING = 1, DONE = 2;

    private final TaskImpl<?> parent;
    private final EventLoopImpl loop;
    private final int cancellingAtEntry;
    private final Set<TaskImpl<?>> children = new LinkedHashSet<>();
    private final Consumer<Future<?>> onChildDone = this::childDone;
    private ExceptionGroup group;        // created at the first failure
    private boolean groupDelivered;      // the body was interrupted with `group`
    private boolean deliveredInClose;    // ... but only once it had ended, inside close()
    private boolean aborting;
    private boolean parentCancelRequested;
    private int phase = BODY;
    private FutureImpl<Void> allDone;    // what close() awaits

    /**
     * Opens a group in the current task.
     *
     * @throws IllegalStateException outside a task
     */
    public TaskGroup() {
        this.parent = Structured.task("TaskGroup");
        this.loop = (EventLoopImpl) parent.getLoop();
        this.cancellingAtEntry = parent.cancelling();
    }

    /**
     * Creates a child task.
     *
     * @param body the child's body
     * @param <T>  the result type
     * @return the child
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if a child has failed, the group is done, or the caller is
     *                               not on the group's loop
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
        Objects.requireNonNull(body, "body");
        checkOpen();
        @SuppressWarnings("unchecked")
        TaskImpl<T> t = (TaskImpl<T>) loop.createTask(body, name);
        return adopt(t);
    }

    private void checkOpen() {
        if (phase == DONE) {
            throw new IllegalStateException("TaskGroup is finished");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup is shutting down: a child failed or the group was cancelled");
        }
    }

    private <T> Task<T> adopt(TaskImpl<T> t) {
        children.add(t);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Consumer<Future<T>> cb = (Consumer) onChildDone;
        t.addDoneCallback(cb);
        return t;
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
        Objects.requireNonNull(body, "body");
        checkOpen();
        return adopt((TaskImpl<Void>) loop.createTask(body, name));
    }

    private void childDone(Future<?> f) {
        TaskImpl<?> t = (TaskImpl<?>) f;
        children.remove(t);
        if (children.isEmpty() && allDone != null && !allDone.isDone()) {
            allDone.setResult(null);
        }
        if (t.isCancelled()) {
            return;
        }
        if (t.state() != java.util.concurrent.Future.State.FAILED) {
            return;
        }
        Throwable e = t.exceptionNow();
        if (group == null) {
            group = new ExceptionGroup("unhandled errors in a TaskGroup");
        }
        addToGroup(e);
        if (parent.isDone()) {
            loop.callExceptionHandler(new ExceptionContext(
                    "Task was destroyed but its TaskGroup's parent is done", e, t, null));
            return;
        }
        if (!aborting && !parentCancelRequested) {
            abort();
            if (phase == BODY) {
                // Interrupt the body with the group itself, so that Java's try-with-resources
                // ends with it (close() can add to the body's exception, but not replace it).
                parentCancelRequested = true;
                parent.requestCancel(null, group, () -> groupDelivered = true);
            }
        }
    }

    private void addToGroup(Throwable e) {
        group.add(e);
    }

    private void abort() {
        aborting = true;
        for (TaskImpl<?> t : children.toArray(new TaskImpl<?>[0])) {
            if (!t.isDone()) {
                t.cancel();
            }
        }
    }

    /**
     * Waits for every child; see the class comment for what it throws.
     *
     * @throws ExceptionGroup        if children failed and the body did not already receive the
     *                               group
     * @throws CancelledException    if the waiting task was cancelled while it waited
     * @throws IllegalStateException if called from another task than the one that opened it
     */
    @Override
    public void close() {
        if (phase != BODY) {
            return;
        }
        if (Asyncio.currentTask() != parent) {
            throw new IllegalStateException("TaskGroup.close() must be called by the task that opened it");
        }
        phase = CLOSING;
        // A cancellation from outside that already reached the body: Python aborts the
        // children when the body exits with CancelledError.
        boolean cancelledFromOutside = parent.cancelling() > cancellingAtEntry + (parentCancelRequested ? 1 : 0);
        if (cancelledFromOutside && !aborting) {
            abort();
        }
        CancelledException propagate = null;
        while (!children.isEmpty()) {
            allDone = new FutureImpl<>(loop);
            try {
                allDone.await();
            } catch (CancelledException e) {
                if (!aborting) {
                    abort();
                }
                propagate = e;
            } catch (ExceptionGroup e) {
                if (e != group) {
                    throw e;
                }
                deliveredInClose = true; // the body ended before it saw the group: close throws it
            } finally {
                allDone = null;
            }
        }
        phase = DONE;
        if (parentCancelRequested) {
            parent.uncancel();
        }
        if (group != null) {
            if (groupDelivered && !deliveredInClose) {
                // The body is throwing the group, complete now. Never throw that same object
                // from here: try-with-resources would make it suppress itself. An outside
                // cancellation that arrived while we waited stays pending for the parent's next
                // suspension point (Python 3.13 uncancels and re-cancels the parent likewise).
                if (propagate != null) {
                    parent.uncancel();
                    parent.cancel();
                }
                return;
            }
            if (cancelledFromOutside && parent.cancelling() > 0) {
                // keep the outside cancellation pending for the parent's next suspension point
                parent.uncancel();
                parent.cancel();
            }
            throw group;
        }
        if (propagate != null) {
            throw propagate;
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[" + (phase == DONE ? "done" : aborting ? "aborting" : "open") + " children=" + children.size()
                + (group != null ? " errors=" + group.exceptions().size() : "") + "]";
    }
}
