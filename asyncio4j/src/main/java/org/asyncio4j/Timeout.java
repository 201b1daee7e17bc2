package org.asyncio4j;

import java.time.Duration;

/**
 * The deadline of one {@link Asyncio#timeout(Duration, Timeout.Body) timeout} region, handed to
 * its body: read it ({@link #when()}), move it ({@link #reschedule(double)}), and ask whether it
 * fired ({@link #expired()}).
 *
 * <pre>{@code
 * String page = timeout(Duration.ofSeconds(10), t -> {
 *     var conn = connect();
 *     t.reschedule(getRunningLoop().time() + 30);   // connected: allow 30 s from now to read
 *     return conn.readAll();
 * });
 * }</pre>
 *
 * <p>Life: <em>active</em> while the body runs; <em>expiring</em> once the deadline has passed
 * and the task was cancelled, until the body ends; then <em>expired</em> (the region ends with
 * {@link AsyncTimeoutException}, or with what the body threw instead) or <em>finished</em> (the
 * deadline never fired). {@link #toString()} shows it: {@code Timeout[active when=12.345]},
 * {@code Timeout[expired]}. A timeout belongs to its task's loop: read and reschedule it from that
 * task, another task of that loop, or a callback on the loop.
 *
 * <p>No deadline (Python's {@code None}) is {@link Double#POSITIVE_INFINITY}: {@link #when()}
 * returns it, and {@code reschedule(Double.POSITIVE_INFINITY)} (or {@code reschedule(null)})
 * removes the deadline.
 *
 * <p>Python: {@code asyncio.Timeout} (3.11), the object {@code async with asyncio.timeout(d) as
 * cm:} binds to {@code cm}.
 */
public interface Timeout {

    /**
     * The deadline on the loop's clock ({@link EventLoop#time()}), in seconds; the value given
     * to {@code timeoutAt} or {@code reschedule(double)} exactly as given.
     *
     * @return the deadline, or {@link Double#POSITIVE_INFINITY} when there is none (Python's
     *         {@code None})
     */
    double when();

    /**
     * Moves the deadline to a loop time: a later one extends the region, an earlier one makes
     * it fire then, one already past (or now) makes it fire at once, at the body's next
     * suspension point; {@link Double#POSITIVE_INFINITY} removes the deadline. Negative infinity
     * is a time long past.
     *
     * <p>Python: {@code Timeout.reschedule(when)}.
     *
     * @param when the new deadline, in loop seconds
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws IllegalStateException    once the deadline fired ({@code expiring} or
     *                                  {@code expired}) or the region ended ({@code finished}), as
     *                                  Python's {@code RuntimeError}; or if called from another
     *                                  thread than the loop's
     */
    void reschedule(double when);

    /**
     * Moves the deadline to {@code delay} from now (the loop's {@link EventLoop#time()} plus
     * {@code delay}); see {@link #reschedule(double)}. A null {@code delay} removes the deadline:
     * {@code t.reschedule(null)} reads as Python's {@code cm.reschedule(None)}. (This is the one
     * place asyncio4j takes a null {@code Duration}.)
     *
     * @param delay the time from now, zero or negative meaning at once; or null for no deadline
     * @throws IllegalStateException as {@link #reschedule(double)}
     */
    void reschedule(Duration delay);

    /**
     * Whether the deadline fired: true from the moment the task was cancelled for it (while the
     * body still runs its cleanup) and after the region ended that way.
     *
     * <p>Python: {@code Timeout.expired()}.
     *
     * @return true once the deadline fired
     */
    boolean expired();

    /**
     * The state and, while active, the deadline rounded to the millisecond, as Python's repr:
     * {@code Timeout[active when=12.345]}, {@code Timeout[active when=none]},
     * {@code Timeout[expiring]}, {@code Timeout[expired]}, {@code Timeout[finished]}.
     *
     * @return the description
     */
    @Override
    String toString();

    /**
     * A timeout body given the region's {@link Timeout}; a body with nothing to return returns
     * null, as a {@link TaskGroup.Body} does: {@code t -> { ...; return null; }}. (There is no
     * void variant: for a one-argument lambda whose body is an expression, {@code t -> fetch(t)},
     * Java cannot choose between a value and a void interface (JLS 15.12.2.5 compares them only
     * for lambdas with declared parameter types), so every such call would be ambiguous.)
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    interface Body<T> {
        /**
         * Runs the body.
         *
         * @param timeout the region's deadline, to read or move
         * @return the result
         * @throws Exception whatever the body throws; the region rethrows it (a checked one
         *                   wrapped in {@code CompletionException})
         */
        T run(Timeout timeout) throws Exception;
    }
}
