package org.asyncio4j.internal;

/**
 * The loop a synchronisation primitive or queue belongs to. Like Python 3.10+, a primitive binds
 * to a loop the first time it has to wait (so it can be created, and used without contention,
 * outside any loop); from then on, using it from another loop or thread is an
 * IllegalStateException, never silent corruption.
 */
public final class LoopBinding {
    private volatile EventLoopImpl loop;      // written once, in a task; read by check() from any thread

    /**
     * Checks that the caller may use the primitive: on its loop, before it is bound from any
     * thread, or, while its loop is idle, from the loop's home thread (the one that created it
     * or last ran it; see EventLoopImpl's loop confinement). Another thread is refused whether
     * the loop runs or not: it would touch the loop's futures directly.
     *
     * @param owner what to name in the message
     * @param op    the operation
     */
    public void check(Object owner, String op) {
        EventLoopImpl b = loop;
        if (b == null) {
            return;
        }
        EventLoopImpl cur = EventLoopImpl.running();
        if (cur == b || cur == null && b.isConfinedHere()) {
            return;
        }
        throw new IllegalStateException(owner + "." + op + "(): this primitive belongs to " + b
                + (cur == null ? ", but the caller is thread '" + Thread.currentThread().getName()
                        + "' outside it (use the loop's callSoonThreadsafe)"
                        : ", but the caller runs on " + cur));
    }

    /**
     * The loop to wait on: the running one, which the primitive binds to if it was not bound.
     *
     * @throws IllegalStateException outside a task, or on another loop than the bound one
     */
    public EventLoopImpl bind(Object owner, String op) {
        TaskImpl<?> task = TaskImpl.current();
        if (task == null) {
            throw new IllegalStateException(owner + "." + op + "() has to wait, which needs a task (call it inside Asyncio.run or a task)");
        }
        EventLoopImpl b = loop;
        if (b == null) {
            loop = task.loop;
            return task.loop;
        }
        if (b != task.loop) {
            throw new IllegalStateException(owner + "." + op + "(): this primitive is bound to " + b + ", not to the caller's " + task.loop);
        }
        return b;
    }
}
