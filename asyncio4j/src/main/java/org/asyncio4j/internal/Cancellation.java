package org.asyncio4j.internal;

import org.asyncio4j.CancelledException;

/**
 * The one answer to "is this a cancellation?", for every cleanup the library does.
 *
 * <p>A task can be stopped at a suspension point in two ways: a {@link CancelledException}
 * ({@code Task.cancel}, a timeout, a {@code TaskGroup.run} stopping its body or children), or a
 * try-form {@code TaskGroup}'s <em>interruption</em> of its body, which is the group's own
 * {@link org.asyncio4j.ExceptionGroup} thrown at the body's suspension point (Java's
 * try-with-resources cannot replace an exception that leaves the body, so the group stops the
 * body with the exception the statement must end with). Library code that cleans up "when
 * cancelled" (closing a server, re-acquiring a condition's lock, giving back a reservation) must
 * treat both alike: it asks this predicate, never {@code instanceof CancelledException}.
 */
public final class Cancellation {
    private Cancellation() {
    }

    /**
     * What the engines need of {@link org.asyncio4j.ExceptionGroup} beyond its public API:
     * groups that are filled as children fail, and the mark of an interruption. Installed once
     * by ExceptionGroup's class initialiser (the constructor and the mark stay package-private).
     */
    public interface Groups {
        /** A new, empty group; {@code interruption}: it will stop a body (try form). */
        org.asyncio4j.ExceptionGroup create(String message, boolean interruption);

        /** Appends a member (loop thread, while the group's TaskGroup runs). */
        void add(org.asyncio4j.ExceptionGroup group, Throwable member);

        /** True if {@code t} is a TaskGroup's interruption of its body. */
        boolean isInterruption(Throwable t);

        /** The group's statement has ended: from now on it is an ordinary failure. */
        void endInterruption(org.asyncio4j.ExceptionGroup group);
    }

    private static volatile Groups marks;

    /** Called once by ExceptionGroup's class initialiser. */
    public static void install(Groups m) {
        marks = m;
    }

    /** The installed access, initialising ExceptionGroup if needed. */
    public static Groups groups() {
        Groups m = marks;
        if (m == null) {
            try {
                Class.forName("org.asyncio4j.ExceptionGroup", true, Cancellation.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            m = marks;
        }
        return m;
    }

    /**
     * True if {@code t} stops a task the way a cancellation does: a {@link CancelledException},
     * or a TaskGroup's interruption of its body.
     *
     * @param t any throwable, may be null (false)
     * @return whether cleanup written for cancellation must run for it
     */
    public static boolean isCancellation(Throwable t) {
        if (t instanceof CancelledException) {
            return true;
        }
        Groups m = marks;
        return m != null && t != null && m.isInterruption(t);
    }

    /**
     * True if {@code t} looks like what a JDK blocking call, or a library over one, makes of a
     * thread interrupt: anywhere in its cause chain an {@code InterruptedException}, an
     * {@code InterruptedIOException} other than a {@code SocketTimeoutException} (a read timeout
     * is not an interrupt), a {@code ClosedByInterruptException}, or, while the interrupt is
     * still pending ({@code interruptPending}), a {@code SocketException} (a virtual thread's
     * socket is closed by the interrupt, which stays set, and the read or connect then fails
     * with "Closed by interrupt" or "Socket closed"; once the interrupt is gone, a
     * {@code ConnectException} or a reset is the network's). Callers ask it only of a task that
     * they know was interrupted for a cancellation ({@link TaskImpl#isInterruptCancellation}).
     */
    public static boolean isInterruptCaused(Throwable t, boolean interruptPending) {
        for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException
                    || (interruptPending && t instanceof java.net.SocketException)
                    || (t instanceof java.io.InterruptedIOException && !(t instanceof java.net.SocketTimeoutException))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The public {@code Asyncio.isCancellation}: {@link #isCancellation}, or, in a task with a
     * cancellation standing whose interrupt was sent, an exception that interrupt caused.
     */
    public static boolean isCancellationHere(Throwable t) {
        if (isCancellation(t)) {
            return true;
        }
        TaskImpl<?> task = TaskImpl.current();
        return task != null && t != null && task.isInterruptCancellation(t);
    }

    /** True if {@code t} is a TaskGroup's interruption of its body (not a plain cancellation). */
    public static boolean isGroupInterruption(Throwable t) {
        Groups m = marks;
        return m != null && t != null && m.isInterruption(t);
    }
}
