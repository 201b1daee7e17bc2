package org.asyncio4j;

import java.util.NoSuchElementException;
import java.util.Objects;

import org.asyncio4j.internal.Contexts;
import org.asyncio4j.internal.ContextsMap;

/**
 * A context variable: a value per {@link Context}, so per task, the way asyncio code keeps a
 * request id or a transaction. A task starts with a copy of the context of the code that
 * created it: it sees the values set there before {@code createTask}, and what it sets stays its
 * own, across its suspensions, unseen by its parent, its siblings and the tasks that run in
 * between. Callbacks see the context current where they were scheduled, {@code toThread} calls
 * the caller's.
 *
 * <pre>{@code
 * static final ContextVar<String> REQUEST = new ContextVar<>("request", "-");
 *
 * REQUEST.set("r-17");
 * createTask(() -> log(REQUEST.get()));        // logs r-17, whatever the parent sets later
 * try (var _ = REQUEST.set("r-18")) {          // a token resets the variable when closed
 *     handle();
 * }
 * }</pre>
 *
 * <p>Create variables once (a {@code static final} field), not per call: a context holds on
 * to the variables set in it. Values may be null. {@code get} costs O(1) on average (a lookup
 * in a persistent hash trie), {@code set} copies O(log n) of it.
 *
 * <p>Python: {@code contextvars.ContextVar}.
 *
 * @param <T> the type of the values
 */
public final class ContextVar<T> {

    private final String name;
    private final boolean hasDefault;
    private final T defaultValue;
    final ContextsMap.Key key = new ContextsMap.Key(this);
    private boolean describing;                 // toString's guard against a default that shows this variable

    /**
     * A variable without default: {@link #get()} throws until it is set.
     *
     * @param name its name, for messages and {@link #toString()}
     * @throws NullPointerException if {@code name} is null
     */
    public ContextVar(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.hasDefault = false;
        this.defaultValue = null;
    }

    /**
     * A variable with a default: {@link #get()} returns {@code defaultValue} where it is not set.
     *
     * @param name         its name
     * @param defaultValue its default (may be null)
     * @throws NullPointerException if {@code name} is null
     */
    public ContextVar(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.hasDefault = true;
        this.defaultValue = defaultValue;
    }

    /**
     * The variable's name.
     *
     * @return the name given to the constructor
     */
    public String name() {
        return name;
    }

    /**
     * The value in the current context, else the default.
     *
     * @return the value
     * @throws NoSuchElementException if the variable has no value here and no default (Python's
     *                                {@code LookupError})
     */
    @SuppressWarnings("unchecked")
    public T get() {
        Object v = lookup();
        if (v != ContextsMap.ABSENT) {
            return (T) v;
        }
        if (hasDefault) {
            return defaultValue;
        }
        throw new NoSuchElementException("ContextVar '" + name + "' has no value in the current context and no default");
    }

    /**
     * The value in the current context, else {@code fallback} (which wins over the variable's
     * default, as in Python's {@code var.get(default)}).
     *
     * @param fallback what to return when the variable has no value here
     * @return the value or {@code fallback}
     */
    @SuppressWarnings("unchecked")
    public T get(T fallback) {
        Object v = lookup();
        return v == ContextsMap.ABSENT ? fallback : (T) v;
    }

    private Object lookup() {
        Context c = Contexts.current();
        return c == null ? ContextsMap.ABSENT : c.lookup(key);
    }

    /**
     * Sets the value in the current context (only there: no other context sees it).
     *
     * @param value the new value (may be null)
     * @return a token that {@link #reset} (or {@link Token#close()}) takes to restore the value
     *         this call replaced
     */
    public Token<T> set(T value) {
        Context c = Contexts.current();
        if (c == null) {
            c = new Context();            // the empty context becomes one of its own
            Contexts.swap(c);
        }
        return new Token<>(this, c, c.put(key, value));
    }

    /**
     * Restores the value that the {@link #set} which returned {@code token} replaced (or no
     * value, if there was none), in the current context.
     *
     * @param token what {@code set} returned
     * @throws NullPointerException     if {@code token} is null
     * @throws IllegalStateException    if the token was used already (Python's {@code RuntimeError})
     * @throws IllegalArgumentException if the token was made by another variable, or in another
     *                                  context than the current one (Python's {@code ValueError})
     */
    public void reset(Token<T> token) {
        Objects.requireNonNull(token, "token");
        if (token.used) {
            throw new IllegalStateException(token + " has already been used once");
        }
        if (token.var != this) {
            throw new IllegalArgumentException(token + " was created by a different ContextVar than " + this);
        }
        Context c = Contexts.current();
        if (c != token.context) {
            throw new IllegalArgumentException(token + " was created in a different Context than the current one");
        }
        token.used = true;
        if (token.old == ContextsMap.ABSENT) {
            c.remove(key);
        } else {
            c.put(key, token.old);
        }
    }

    /** {@code ContextVar[name=request default=-]}. */
    @Override
    public String toString() {
        if (!hasDefault) {
            return "ContextVar[name=" + name + "]";
        }
        if (describing) {
            return "ContextVar[name=" + name + " default=...]";
        }
        describing = true;
        try {
            return "ContextVar[name=" + name + " default=" + defaultValue + "]";
        } finally {
            describing = false;
        }
    }

    /**
     * What {@link ContextVar#set} returns: the variable, the value it replaced, and the context
     * it was set in, for {@link ContextVar#reset}. Usable once; {@code close()} is that reset, so
     * {@code try (var _ = var.set(v)) { ... }} scopes a value to a block (Python 3.14's
     * {@code with var.set(v):}).
     *
     * <p>Python: {@code contextvars.Token}.
     *
     * @param <T> the variable's type
     */
    public static final class Token<T> implements AutoCloseable {
        private final ContextVar<T> var;
        private final Context context;
        private final Object old;               // ContextsMap.ABSENT: the variable had no value
        private boolean used;

        private Token(ContextVar<T> var, Context context, Object old) {
            this.var = var;
            this.context = context;
            this.old = old;
        }

        /**
         * The variable that made this token.
         *
         * @return the variable
         */
        public ContextVar<T> var() {
            return var;
        }

        /**
         * True if the variable had a value before the {@code set} (Python: {@code old_value is not
         * Token.MISSING}).
         *
         * @return whether there was an old value
         */
        public boolean hasOldValue() {
            return old != ContextsMap.ABSENT;
        }

        /**
         * The value the {@code set} replaced.
         *
         * @return the old value (may be null)
         * @throws NoSuchElementException if the variable had no value (Python's
         *                                {@code Token.MISSING}): see {@link #hasOldValue()}
         */
        @SuppressWarnings("unchecked")
        public T oldValue() {
            if (old == ContextsMap.ABSENT) {
                throw new NoSuchElementException(var + " had no value before this set (Python's Token.MISSING)");
            }
            return (T) old;
        }

        /**
         * Resets the variable: {@code var().reset(this)}.
         *
         * @throws IllegalStateException    if the token was used already
         * @throws IllegalArgumentException if the current context is not the one it was made in
         */
        @Override
        public void close() {
            var.reset(this);
        }

        /** {@code Token[var=ContextVar[name=request] used]}. */
        @Override
        public String toString() {
            return "Token[var=" + var + (used ? " used" : "") + "]";
        }
    }
}
