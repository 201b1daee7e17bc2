package org.asyncio4j.sync;

import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.Task;
import org.asyncio4j.internal.Cancellation;
import org.asyncio4j.internal.TaskImpl;

/**
 * Test helper: stops a task at its current (or next) asyncio4j suspension point exactly as a
 * try-form {@code TaskGroup} stops its body when a child fails: with the group's own, marked
 * {@link ExceptionGroup} instead of a {@code CancelledException} (see
 * {@link Cancellation#isCancellation}). Today's TaskGroup does not mark its interruptions yet,
 * so the tests that need a marked one make it here, through the same {@code requestCancel}
 * path the group uses.
 */
public final class GroupInterruption {
    private GroupInterruption() {
    }

    /**
     * Interrupts {@code task} as its group would, and returns the interruption it will see.
     *
     * @param task a pending task of the running loop
     * @return the group thrown into it
     */
    public static ExceptionGroup interrupt(Task<?> task) {
        ExceptionGroup g = Cancellation.groups().create("unhandled errors in a TaskGroup (simulated)", true);
        Cancellation.groups().add(g, new IllegalStateException("a sibling failed"));
        ((TaskImpl<?>) task).requestCancel(null, g, null);
        return g;
    }
}
