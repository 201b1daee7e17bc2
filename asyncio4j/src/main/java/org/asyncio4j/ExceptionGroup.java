package org.asyncio4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Several exceptions that happened together: the failures of a {@link TaskGroup}'s children.
 * Each is also attached as a {@linkplain #getSuppressed() suppressed} exception, so stack trace
 * printers show them all.
 *
 * <p>Python: {@code ExceptionGroup} / {@code BaseExceptionGroup}.
 */
public class ExceptionGroup extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static {
        org.asyncio4j.internal.Cancellation.install(new org.asyncio4j.internal.Cancellation.Groups() {
            @Override
            public ExceptionGroup create(String message, boolean interruption) {
                ExceptionGroup g = new ExceptionGroup(message);
                g.interruption = interruption;
                return g;
            }

            @Override
            public void add(ExceptionGroup group, Throwable member) {
                group.add(member);
            }

            @Override
            public boolean isInterruption(Throwable t) {
                return t instanceof ExceptionGroup g && g.interruption;
            }

            @Override
            public void endInterruption(ExceptionGroup group) {
                group.interruption = false;
            }
        });
    }

    /** The message's fixed part, before the count of sub-exceptions. */
    private final String prefix;
    private transient boolean interruption;     // a TaskGroup stops its body with this group
    /** The sub-exceptions, in order; a TaskGroup appends to it until it finishes. */
    private final List<Throwable> exceptions;

    /**
     * A group of the given exceptions.
     *
     * @param message    what failed
     * @param exceptions the exceptions, at least one
     * @throws NullPointerException     if the list or an element is null
     * @throws IllegalArgumentException if the list is empty
     */
    public ExceptionGroup(String message, List<? extends Throwable> exceptions) {
        this(message);
        Objects.requireNonNull(exceptions, "exceptions");
        if (exceptions.isEmpty()) {
            throw new IllegalArgumentException("an ExceptionGroup needs at least one exception");
        }
        for (Throwable t : exceptions) {
            add(Objects.requireNonNull(t, "exceptions contains null"));
        }
    }

    /** An empty group that a {@link TaskGroup} fills while its children finish. */
    ExceptionGroup(String message) {
        super(message, null, true, true);
        this.prefix = message;
        this.exceptions = new ArrayList<>(2);
    }

    /** Adds a member (TaskGroup only, on the loop thread). */
    final void add(Throwable t) {
        exceptions.add(t);
        if (t != this) {
            addSuppressed(t);
        }
    }

    /**
     * The exceptions in the group, in the order they happened.
     *
     * @return an unmodifiable view
     */
    public List<Throwable> exceptions() {
        return Collections.unmodifiableList(exceptions);
    }

    @Override
    public String getMessage() {
        int n = exceptions.size();
        return prefix + " (" + n + " sub-exception" + (n == 1 ? "" : "s") + ")";
    }
}
