package org.asyncio4j;

import java.util.List;
import java.util.Objects;

/**
 * Who awaits a future, and where: the future, the stack of the task it is (empty for a plain
 * future), and one graph per task suspended on it, each with its own awaiters, up to the tasks
 * nobody awaits. Made by {@link Asyncio#captureCallGraph(Future)}; printed by
 * {@link Asyncio#formatCallGraph(Future)}.
 *
 * <p>A task counts as awaiting a future when it is suspended in {@code await()} (or
 * {@code get()}) on it, or on a combinator over it: {@code gather} (the tasks awaiting the
 * gather await each of its children), {@code wait}, {@code asCompleted}, {@code shield} (who
 * awaits the shield awaits the inner), {@code waitFor}; and a {@link TaskGroup}'s task awaits
 * every child of the group from the child's creation until it ends, as in Python. A
 * {@code timeout} adds nothing: it runs its body in the same task. A cycle of tasks awaiting
 * each other is cut where it would repeat a task of the path.
 *
 * <p>Python: {@code asyncio.FutureCallGraph} (its {@code FrameCallGraphEntry} frames are Java's
 * {@link StackTraceElement}s here).
 *
 * @param future    the future or task
 * @param callStack for a task, where it is suspended, innermost frame first: its stack without
 *                  the JDK's and asyncio4j's frames above the frame where its code called into
 *                  asyncio4j or the JDK (that frame stays: {@code Asyncio.gather},
 *                  {@code TaskGroup.close}, {@code Thread.sleep}), nor below its body; for the
 *                  task that captures its own graph, the stack at the call, starting at the
 *                  caller of {@code captureCallGraph}; empty for a plain future, a done task, and a
 *                  task queued to run (woken, not resumed yet: its stack is not read then, since
 *                  reading it would disturb its turn)
 * @param awaitedBy the graphs of the tasks suspended on this future, in the order they began to
 *                  wait; empty for a future nobody awaits
 */
public record FutureCallGraph(Future<?> future, List<StackTraceElement> callStack, List<FutureCallGraph> awaitedBy) {

    /**
     * Copies the lists (unmodifiable).
     *
     * @throws NullPointerException if an argument or an element is null
     */
    public FutureCallGraph {
        Objects.requireNonNull(future, "future");
        callStack = List.copyOf(Objects.requireNonNull(callStack, "callStack"));
        awaitedBy = List.copyOf(Objects.requireNonNull(awaitedBy, "awaitedBy"));
    }
}
