package org.asyncio4j;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

import org.asyncio4j.internal.Contexts;
import org.asyncio4j.internal.ContextsMap;

/**
 * A set of {@link ContextVar} values: the context that code runs in. Every task runs in one (a
 * copy of the context current where it was created, or the one given to {@code createTask}),
 * every callback in a copy of the context current where it was scheduled, and each thread
 * outside tasks has its own. {@link #run} runs code in this context; {@code ContextVar.set}
 * inside it changes this context only.
 *
 * <p>A context's contents are an immutable snapshot shared by its copies until one of them
 * changes: {@link #copy()} and {@link #copyCurrent()} take O(1), and a {@code set} in one context
 * never shows in another. A context is entered by one thread at a time; the sets of several
 * tasks running in one context given to {@code createTask} all land in it (as in Python). Two
 * contexts are equal only if they are the same object (compare {@link #toMap()}s for contents).
 *
 * <p>Python: {@code contextvars.Context}.
 */
public final class Context {

    private static final VarHandle ENTERED;

    static {
        try {
            ENTERED = MethodHandles.lookup().findVarHandle(Context.class, "entered", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile ContextsMap.Node map;      // null: no variable set
    @SuppressWarnings("unused")                 // through ENTERED
    private volatile boolean entered;           // run() is running this context (on some thread)

    /** An empty context (Python's {@code contextvars.Context()}). */
    public Context() {
    }

    private Context(ContextsMap.Node map) {
        this.map = map;
    }

    /**
     * A copy of the current context: of the running task's, or, outside tasks, of the calling
     * thread's (a callback's is the copy taken when it was scheduled).
     *
     * <p>Python: {@code contextvars.copy_context()}.
     *
     * @return a new context with the same values
     */
    public static Context copyCurrent() {
        Context c = Contexts.current();
        return c == null ? new Context() : c.copy();
    }

    /**
     * A shallow copy: the same values, in a new context (O(1)).
     *
     * @return the copy
     */
    public Context copy() {
        return new Context(map);
    }

    /**
     * Runs {@code body} in this context and returns its value: while it runs, this context is
     * current, so {@code ContextVar.get} reads and {@code set} changes this context; the caller's
     * context is current again when it returns, whatever the body did. A body that suspends (in
     * a task) keeps this context across the suspension; other tasks are not affected.
     *
     * @param body the code to run
     * @param <T>  the result type
     * @return what {@code body} returned
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if this context is entered already: current here (a
     *                               {@code run} of it is under way on this thread, or it is the
     *                               running task's own context), or in a {@code run} on another
     *                               thread (Python's {@code RuntimeError})
     * @throws CompletionException   wrapping a checked exception of {@code body} (an unchecked
     *                               one is thrown as itself)
     */
    public <T> T run(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        if (Contexts.current() == this || !ENTERED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("cannot enter context: " + this + " is already entered");
        }
        Context outer = Contexts.swap(this);
        try {
            return body.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        } finally {
            Contexts.swap(outer);
            entered = false;
        }
    }

    /**
     * Runs a body without result in this context; see {@link #run(Callable)}.
     *
     * @param body the code to run
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if this context is entered already
     * @throws CompletionException   wrapping a checked exception of {@code body}
     */
    public void run(ThrowingRunnable body) {
        Objects.requireNonNull(body, "body");
        run(() -> {
            body.run();
            return null;
        });
    }

    /**
     * The value of {@code var} in this context, or null if it has none (its default does not
     * count). Python: {@code ctx.get(var)}.
     *
     * @param var the variable
     * @param <T> its type
     * @return its value here, or null
     * @throws NullPointerException if {@code var} is null
     */
    public <T> T get(ContextVar<T> var) {
        return get(var, null);
    }

    /**
     * The value of {@code var} in this context, or {@code fallback} if it has none. Python:
     * {@code ctx.get(var, default)}.
     *
     * @param var      the variable
     * @param fallback what to return when {@code var} has no value here
     * @param <T>      its type
     * @return its value here, or {@code fallback}
     * @throws NullPointerException if {@code var} is null
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ContextVar<T> var, T fallback) {
        Object v = lookup(Objects.requireNonNull(var, "var").key);
        return v == ContextsMap.ABSENT ? fallback : (T) v;
    }

    /**
     * True if {@code var} has a value in this context (its default does not count). Python:
     * {@code var in ctx}.
     *
     * @param var the variable
     * @return whether it is set here
     * @throws NullPointerException if {@code var} is null
     */
    public boolean contains(ContextVar<?> var) {
        return lookup(Objects.requireNonNull(var, "var").key) != ContextsMap.ABSENT;
    }

    /**
     * The variables that have a value in this context, in no particular order. Python:
     * {@code ctx.keys()}.
     *
     * @return an unmodifiable snapshot
     */
    public Set<ContextVar<?>> keys() {
        Set<ContextVar<?>> keys = new LinkedHashSet<>();
        ContextsMap.forEach(map, (var, value) -> keys.add((ContextVar<?>) var));
        return Collections.unmodifiableSet(keys);
    }

    /**
     * The variables and their values in this context, in no particular order (values may be
     * null). Python: {@code dict(ctx.items())}.
     *
     * @return an unmodifiable snapshot
     */
    public Map<ContextVar<?>, Object> toMap() {
        Map<ContextVar<?>, Object> m = new LinkedHashMap<>();
        ContextsMap.forEach(map, (var, value) -> m.put((ContextVar<?>) var, value));
        return Collections.unmodifiableMap(m);
    }

    /**
     * The number of variables with a value here. Python: {@code len(ctx)}.
     *
     * @return the count
     */
    public int size() {
        return ContextsMap.size(map);
    }

    /**
     * True if no variable has a value here.
     *
     * @return whether this context is empty
     */
    public boolean isEmpty() {
        return map == null;
    }

    /** {@code Context[request_id, user]}: the names of the variables set here. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "Context[", "]");
        ContextsMap.forEach(map, (var, value) -> j.add(((ContextVar<?>) var).name()));
        return j.toString();
    }

    // ------------------------------------------------------------------ for ContextVar

    Object lookup(ContextsMap.Key key) {
        return ContextsMap.get(map, key);
    }

    /** Binds {@code key} to {@code value} here; returns the previous value or {@code ABSENT}. */
    Object put(ContextsMap.Key key, Object value) {
        ContextsMap.Node m = map;
        Object old = ContextsMap.get(m, key);
        map = ContextsMap.put(m, key, value);
        return old;
    }

    void remove(ContextsMap.Key key) {
        map = ContextsMap.remove(map, key);
    }
}
