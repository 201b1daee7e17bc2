package org.asyncio4j.internal;

/**
 * A done callback through which a combinator waits for a future on someone's behalf: the
 * call graph and the task dump follow it to find who awaits the future. It costs nothing on
 * the await path: the combinator's callback object (which it allocates anyway) implements it.
 *
 * <ul>
 *   <li>{@code gather}: its outer future, registered on every child, answers itself; the tasks
 *       awaiting the gather are thus the children's awaiters.</li>
 *   <li>{@code wait}, {@code asCompleted}, {@code shield}: the callback answers the future the
 *       caller awaits (the waiter, the outer), whose awaiters are then the future's.</li>
 *   <li>a {@code TaskGroup}: the callback on each child answers the task that opened the group
 *       (the parent awaits its children from their creation, as in Python).</li>
 * </ul>
 * {@code waitFor} and {@code timeout} need no link: the task awaits the future itself, and a
 * timeout is a context inside the same task (Python's {@code asyncio.timeout} adds nothing to
 * the graph either). A plain {@code await} needs none: the waiting task is itself the entry.
 */
interface AwaitLink {
    /**
     * The future this callback waits on behalf of: a task (who awaits), or a future whose own
     * awaiters count (followed further); null when it waits for no one right now.
     */
    FutureImpl<?> awaiter();
}
