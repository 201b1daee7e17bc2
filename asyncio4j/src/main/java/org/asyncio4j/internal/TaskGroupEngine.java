package org.asyncio4j.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.asyncio4j.CancelledException;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.Future;
import org.asyncio4j.Task;

/**
 * The engine of {@code org.asyncio4j.TaskGroup}, both forms: the lambda form
 * ({@code TaskGroup.run(body)}), which sees the body's outcome and follows Python 3.13's
 * {@code TaskGroup.__aexit__} exactly, and the try form ({@code try (var tg = new TaskGroup())}),
 * whose {@code close()} cannot see the exception leaving the body.
 *
 * <h2>Invariant</h2>
 * When {@link #exitLambda} or {@link #closeTryForm} returns or throws, every child is done
 * (rule 1 of api.md's "Structured concurrency"). Nothing leaves the waiting loop early: a
 * cancellation or an enclosing group's interruption that arrives while it waits aborts the
 * children and is kept, and the loop goes on until the last child is done. Every child failure
 * that is not a cancellation ends in {@link #errors}, and from there in the exception the
 * statement ends with, or attached to it (rule 2).
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *  phase    aborting  meaning                                        createTask
 *  OPEN     no        the body runs                                   yes
 *  OPEN     yes       a child failed or cancel() was called: the      no
 *                     children are cancelled, the body is being
 *                     stopped (lambda form: a CancelledException;
 *                     try form: the group's ExceptionGroup; after
 *                     cancel() in the try form: not stopped)
 *  EXITING  no        the body ended; waiting for the children        yes while one runs (Python:
 *                                                                  "finished" once none is left)
 *  EXITING  yes       waiting for cancelled children                  no
 *  DONE     -         every child done, the outcome delivered         no ("finished")
 *
 *  OPEN --(body returns or throws; close())--> EXITING --(last child done)--> DONE
 *  any phase but DONE --(child failure | cancel() | body failure | cancellation while waiting)--> aborting
 * </pre>
 *
 * <h2>Stopping the body</h2>
 * At the first child failure in phase OPEN the group asks the parent task to cancel (once,
 * {@link #parentCancelRequested}); it withdraws that request with {@code uncancel()} at DONE.
 * In the lambda form the request is a plain cancellation, so {@code catch (CancelledException)}
 * and {@code finally} run in the body, and the engine swallows it when the count returns to
 * zero. In the try form the request carries the group's {@link ExceptionGroup} as an override:
 * the body's suspension point throws the group itself, which the statement ends with (Java's
 * try-with-resources cannot replace an exception that leaves the body). The library's cleanup
 * treats that group as a cancellation ({@link Cancellation#isCancellation}).
 *
 * <h2>What the try form infers</h2>
 * {@code close()} reads {@link TaskImpl#escaping()}: the exception an asyncio4j call of the
 * parent threw since its last suspension point (a delivered cancellation or group interruption,
 * a nested group's failure, a timeout). If there is one, the body is taken to be failing with
 * it, and the children are cancelled (Python's "an exception in the body aborts the group").
 * Whatever {@code close()} throws is never that same object (try-with-resources would make it
 * suppress itself): if the outcome is the exception already leaving, {@code close()} returns.
 * A group the body received is never thrown again either: {@code close()} cannot tell whether
 * the body let it leave or caught it, so it throws a copy (attached to the group as suppressed
 * when the group is leaving; carrying the failures out when the body swallowed it).
 *
 * <h2>Cancellation from outside</h2>
 * Children are cancelled and awaited; the statement ends with the CancelledException, or with
 * the group if children failed meanwhile. Whenever the statement ends with anything but a
 * CancelledException while a cancellation is still counted on the parent, the parent is
 * re-cancelled ({@link TaskImpl#recancel()}, Python 3.13's uncancel-and-cancel), so the request
 * is not lost: a body that catches the group and returns still ends cancelled. When the counted
 * request is an enclosing try-form group's interruption, that interruption is what is re-armed.
 *
 * <p>All state is touched on the parent's loop thread only (the parent, its children, done
 * callbacks).
 */
public final class TaskGroupEngine {
    private static final int OPEN = 0, EXITING = 1, DONE = 2;
    private static final String MESSAGE = "unhandled errors in a TaskGroup";

    private final TaskImpl<?> parent;
    private final EventLoopImpl loop;
    private final boolean lambdaForm;
    private final int cancellingAtEntry;
    private final Set<TaskImpl<?>> children = new LinkedHashSet<>();
    private final Consumer<Future<?>> onChildDone = new ChildWatch();
    private final List<Throwable> errors = new ArrayList<>(0);

    private int phase = OPEN;
    private boolean aborting;
    private boolean cancelledByUser;            // cancel() was called
    private boolean parentCancelRequested;
    private ExceptionGroup group;               // try form: the interruption and the outcome
    private boolean groupDelivered;             // try form: the body's suspension point threw it
    private FutureImpl<Void> allDone;           // what the exit waits on
    private Throwable interruptedFresh;         // a stop that arrived while waiting and started the abort
    private Throwable interruptedLate;          // one that arrived while the group was already aborting
    private int failed;

    /**
     * Opens a group in the current task.
     *
     * @param lambdaForm true for {@code TaskGroup.run}
     * @throws IllegalStateException outside a task
     */
    public TaskGroupEngine(boolean lambdaForm) {
        this.parent = Structured.task(lambdaForm ? "TaskGroup.run" : "new TaskGroup");
        this.loop = parent.loop;
        this.lambdaForm = lambdaForm;
        this.cancellingAtEntry = parent.cancelling();
        parent.noteEscaping(null);              // what leaves later left this body
    }

    /** The task that runs the body. */
    public Task<?> parent() {
        return parent;
    }

    // ------------------------------------------------------------------ children

    /**
     * Creates a child.
     *
     * @param body a Callable or a ThrowingRunnable
     * @throws IllegalStateException if the group is done or shutting down, or the caller is not
     *                               on the group's loop
     */
    public <T> Task<T> createTask(Object body, String name) {
        return createTask(body, name, loop.getEagerTasks());
    }

    /**
     * Creates a child, eagerly or not ({@code TaskGroup.createEagerTask}).
     *
     * @throws IllegalStateException as {@link #createTask(Object, String)}
     */
    public <T> Task<T> createTask(Object body, String name, boolean eager) {
        if (phase == DONE || (phase == EXITING && children.isEmpty())) {
            throw new IllegalStateException("TaskGroup is finished: " + this);
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup is shutting down (a child failed or the group was cancelled): " + this);
        }
        TaskImpl<T> t = loop.spawn(body, name, eager);
        if (t.isDone()) {
            // An eager child that ended in its first step: seen at once, as Python 3.13 does, so
            // a failure aborts the group before createTask returns (the next createTask is
            // refused, the body is stopped at its next suspension point).
            childDone(t);
            return t;
        }
        children.add(t);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Consumer<Future<T>> cb = (Consumer) onChildDone;
        t.addDoneCallback(cb);
        return t;
    }

    /** The callback on every child; the call graph reads it as "the parent awaits this child". */
    private final class ChildWatch implements Consumer<Future<?>>, AwaitLink {
        @Override
        public void accept(Future<?> f) {
            childDone(f);
        }

        @Override
        public FutureImpl<?> awaiter() {
            return parent;
        }
    }

    private void childDone(Future<?> f) {
        TaskImpl<?> t = (TaskImpl<?>) f;
        children.remove(t);
        if (children.isEmpty() && allDone != null && !allDone.isDone()) {
            allDone.complete(null);
        }
        if (t.isCancelled()) {
            return;
        }
        Throwable e = t.exceptionOrNull();
        if (e == null) {
            return;
        }
        failed++;
        errors.add(e);
        if (group != null) {
            Cancellation.groups().add(group, e);
        }
        if (parent.isDone()) {
            loop.callExceptionHandler(new ExceptionContext(
                    "Task was destroyed but its TaskGroup's parent is done", e, t, null));
            return;
        }
        if (aborting || parentCancelRequested) {
            return;
        }
        abort();
        if (phase == OPEN) {
            stopBody();
        }
    }

    /** Cancels every pending child; from now on createTask is refused. */
    private void abort() {
        aborting = true;
        for (TaskImpl<?> t : children.toArray(new TaskImpl<?>[0])) {
            if (!t.isDone()) {
                t.cancel();
            }
        }
    }

    /** Asks the parent to stop the body at its current or next suspension point (once). */
    private void stopBody() {
        parentCancelRequested = true;
        if (lambdaForm) {
            parent.requestCancel(null, null);
        } else {
            parent.requestCancel(null, liveGroup(), () -> groupDelivered = true);
        }
    }

    /** Try form: the group that stops the body and holds the failures so far. */
    private ExceptionGroup liveGroup() {
        if (group == null) {
            group = Cancellation.groups().create(MESSAGE, true);
            for (Throwable e : errors) {
                Cancellation.groups().add(group, e);
            }
        }
        return group;
    }

    /**
     * Python 3.15's {@code TaskGroup.cancel()}: cancels the children; the statement ends normally
     * once they are done. The lambda form also stops the body; the try form lets it run on to
     * {@code close()}. Idempotent; a no-op once the group is done.
     */
    public void cancel() {
        loop.checkThread("TaskGroup.cancel");
        if (phase == DONE) {
            return;
        }
        cancelledByUser = true;
        if (!aborting) {
            abort();
        }
        if (lambdaForm && phase == OPEN && !parentCancelRequested) {
            parentCancelRequested = true;
            parent.requestCancel(null, null);
        }
    }

    // ------------------------------------------------------------------ exit

    private void checkExitCaller(String what) {
        if (TaskImpl.current() != parent) {
            throw new IllegalStateException(what + " must be called by the task that opened the group ("
                    + parent.getName() + "), not " + (TaskImpl.current() == null ? "another thread" : TaskImpl.current().getName()));
        }
    }

    /**
     * Waits until every child is done. A cancellation (or an enclosing group's interruption)
     * that arrives meanwhile aborts the children and is recorded, in {@link #interruptedFresh}
     * if it started the abort (Python keeps only that one) or in {@link #interruptedLate} if
     * the group was already aborting; the loop goes on (rule 1: nothing leaves before the last
     * child).
     */
    private void awaitChildren() {
        while (!children.isEmpty()) {
            allDone = new FutureImpl<>(loop);
            try {
                allDone.await();
            } catch (Throwable e) {
                if (e == group) {
                    // Our own interruption reached us here: the body ended before it saw it.
                    groupDelivered = false;
                } else if (!aborting) {
                    abort();
                    if (interruptedFresh == null) {
                        interruptedFresh = e;
                    }
                } else if (interruptedLate == null) {
                    interruptedLate = e;
                }
            } finally {
                allDone = null;
            }
        }
        phase = DONE;
        if (group != null) {
            parent.clearOverride(group);        // a request never delivered dies with the group
            Cancellation.groups().endInterruption(group);   // from now on an ordinary failure
        }
    }

    /**
     * The lambda form's exit: Python 3.13's {@code TaskGroup.__aexit__}, step for step, with two
     * additions that keep rule 2: a cancellation that lands while the group is already aborting
     * is passed on if no request of ours absorbs it (CPython main does the same), and failures
     * a nested try-form group attached to the CancelledException leaving the body count as the
     * body's errors (in Python the nested group would have raised them instead).
     *
     * @param value   what the body returned
     * @param bodyExc what the body threw, or null
     * @return the call's value: the body's, or null if the body was stopped by {@link #cancel()}
     */
    public <T> T exitLambda(T value, Throwable bodyExc) {
        phase = EXITING;
        if (bodyExc != null && !Cancellation.isCancellation(bodyExc) && parent.takeInterruptCancellation(bodyExc)) {
            // A JDK blocking call turned the cancellation's interrupt into its own exception:
            // that is the cancellation, not a failure of the body.
            CancelledException c = new CancelledException(null);
            c.initCause(bodyExc);
            bodyExc = c;
        }
        Throwable propagate = bodyExc != null && Cancellation.isCancellation(bodyExc) ? bodyExc : null;
        if (bodyExc != null && !aborting) {
            abort();
        }
        awaitChildren();
        if (interruptedFresh != null) {
            propagate = interruptedFresh;
        }
        int left = parentCancelRequested ? parent.uncancel() : parent.cancelling();
        if (parentCancelRequested && left == 0 && propagate instanceof CancelledException) {
            propagate = null;                   // our own request: no cancellation left to pass on
        }
        if (propagate == null && interruptedLate != null && left > 0) {
            propagate = interruptedLate;        // a request from outside that landed while aborting
        }
        List<Throwable> all = new ArrayList<>(errors);
        if (bodyExc != null) {
            if (Cancellation.isCancellation(bodyExc)) {
                for (Throwable s : bodyExc.getSuppressed()) {
                    if (!Cancellation.isCancellation(s)) {
                        all.add(s);             // a nested try-form group's failures
                    }
                }
            } else {
                all.add(bodyExc);
            }
        }
        if (all.isEmpty()) {
            if (propagate != null) {
                throw parent.noteEscaping(FutureImpl.rethrow(propagate));
            }
            return bodyExc != null ? null : value;
        }
        parent.recancel();
        throw parent.noteEscaping(newGroup(all));
    }

    /**
     * The try form's {@code close()}; see the class comment for what it infers.
     *
     * @throws ExceptionGroup        the children's failures
     * @throws CancelledException    a cancellation that arrived while it waited
     * @throws IllegalStateException if called by another task than the one that opened the group
     */
    public void closeTryForm() {
        if (phase != OPEN) {
            return;
        }
        checkExitCaller("TaskGroup.close()");
        phase = EXITING;
        Throwable leaving = parent.escaping();
        int ownRequest = parentCancelRequested ? 1 : 0;
        // A body that swallowed a cancellation without uncancel() counts as still cancelled
        // (we cannot tell it from a cancellation leaving through a finally block that waited).
        boolean cancelledFromOutside = parent.cancelling() > cancellingAtEntry + ownRequest;
        if (!aborting && (leaving != null || cancelledFromOutside)) {
            abort();
        }
        awaitChildren();
        Throwable interrupted = interruptedFresh != null ? interruptedFresh : interruptedLate;
        if (parentCancelRequested) {
            parent.uncancel();
        }
        Throwable outcome;
        if (!errors.isEmpty()) {
            // Errors have priority over a cancellation (Python 3.13). The group thrown is the
            // one the body got if nobody else has it; if the body got it, close() cannot know
            // whether the body let it leave or caught it (and then left without suspending),
            // so it throws a copy: when the group is leaving, the copy is attached to it as
            // suppressed (its members print as circular references); when the body swallowed
            // it, the copy carries the failures out.
            outcome = group != null && !groupDelivered ? group : newGroup(errors);
        } else {
            outcome = interrupted;              // null: the statement ends as the body did
        }
        Throwable leaves = leaving != null ? leaving : outcome;
        if (leaves != null && !(leaves instanceof CancelledException) && !Cancellation.isGroupInterruption(leaves)) {
            parent.recancel();                  // a cancellation counted on the parent stays pending
        }
        parent.noteEscaping(leaves);
        if (outcome != null && outcome != leaving) {
            throw FutureImpl.rethrow(outcome);
        }
    }

    private static ExceptionGroup newGroup(List<Throwable> members) {
        ExceptionGroup eg = Cancellation.groups().create(MESSAGE, false);
        for (Throwable e : members) {
            Cancellation.groups().add(eg, e);
        }
        return eg;
    }

    /** Whether this is a lambda-form group. */
    public boolean isLambdaForm() {
        return lambdaForm;
    }

    @Override
    public String toString() {
        String p = phase == DONE ? "done" : aborting ? (cancelledByUser ? "cancelled" : "aborting")
                : phase == EXITING ? "closing" : "running";
        return "TaskGroup[" + p + ", children=" + children.size() + ", failed=" + failed + "]";
    }
}
