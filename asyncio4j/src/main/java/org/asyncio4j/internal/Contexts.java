package org.asyncio4j.internal;

import org.asyncio4j.Context;

/**
 * Where the current {@link Context} lives, and how callbacks, tasks and executor calls carry
 * one (Python's {@code contextvars} as asyncio uses them).
 *
 * <h2>Implementation overview</h2>
 * The current context is a field: inside a task, {@link TaskImpl}'s {@code context} (found
 * through {@link TaskImpl#current()}, so it holds across the task's suspensions and never needs
 * switching when the loop switches tasks); anywhere else (a plain thread, a callback on the
 * loop's thread, an executor thread), the {@link Slot} of the thread, a thread-local. A
 * {@code null} current context is the empty one: a task or callback that never touches a
 * {@code ContextVar} never gets a {@code Context} object, and the first {@code set} makes one
 * ({@code Context}'s own code).
 *
 * <p>Propagation is Python's: a snapshot is taken where work is scheduled ({@link #capture}: a
 * copy of the current context, O(1) since its map is persistent, or null when it is empty, which
 * costs no allocation) and made current where the work runs: a task's context is the snapshot
 * taken by {@code createTask} (or the context passed to it, itself: {@link #bind}); a callback
 * runs with its handle's snapshot current in the loop thread's slot ({@link Slot#enter}: a read
 * and two writes, cached per loop run so no thread-local is looked up per callback); an
 * executor call with the caller's ({@link #swap} around it). Whatever a callback or call sets
 * stays in its own snapshot (or, from the empty context, in a context made for it), which is
 * dropped when it ends.
 */
public final class Contexts {

    private static final ThreadLocal<Slot> SLOTS = ThreadLocal.withInitial(Slot::new);

    private Contexts() {
    }

    /** A thread's current context, outside tasks. Confined to its thread. */
    public static final class Slot {
        Context context;

        /** Makes {@code c} (null: the empty context) current; returns what was current. */
        Context enter(Context c) {
            Context outer = context;
            context = c;
            return outer;
        }

        /** Makes {@code outer}, what {@link #enter} returned, current again. */
        void exit(Context outer) {
            context = outer;
        }
    }

    /** The calling thread's slot (for a loop, looked up once per run). */
    static Slot slot() {
        return SLOTS.get();
    }

    /** The current context, null if it is the empty one (nothing set in it yet). */
    public static Context current() {
        TaskImpl<?> t = TaskImpl.current();
        return t != null ? t.context : SLOTS.get().context;
    }

    /** Makes {@code c} (null: the empty context) current for the caller; returns what was current. */
    public static Context swap(Context c) {
        TaskImpl<?> t = TaskImpl.current();
        if (t != null) {
            Context outer = t.context;
            t.context = c;
            return outer;
        }
        return SLOTS.get().enter(c);
    }

    /**
     * A snapshot of the current context for work scheduled now: a copy, or null when the
     * current context is empty (then nothing is allocated).
     */
    public static Context capture() {
        Context c = current();
        return c == null || c.isEmpty() ? null : c.copy();
    }

    /** A task body that is to run in exactly {@code context} (createTask's context argument). */
    record Bound(Object body, Context context) {
    }

    /**
     * {@code body} (a Callable or ThrowingRunnable) marked to run in {@code context} when the
     * loop spawns it; a null context leaves it to the usual copy of the current one.
     */
    public static Object bind(Object body, Context context) {
        return context == null ? body : new Bound(body, context);
    }

    /** The body to run, without a {@link #bind} mark. */
    static Object taskBody(Object body) {
        return body instanceof Bound b ? b.body() : body;
    }

    /** The context a task spawned with {@code body} runs in: the bound one, else a snapshot of the current one. */
    static Context taskContext(Object body) {
        return body instanceof Bound b ? b.context() : capture();
    }
}
