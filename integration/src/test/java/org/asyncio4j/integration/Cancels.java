package org.asyncio4j.integration;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.asyncio4j.ThrowingRunnable;

import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cancelling a task blocked in a driver and timing how long it takes to end. */
final class Cancels {
    private Cancels() {}

    /** How a cancelled task ended: its await's exception, and the time from cancel() to its end. */
    record Cancelled(CancelledException exception, double seconds) {
        Throwable cause() {
            return exception.getCause();
        }
    }

    /**
     * Beside the ticker ({@link Ticker#measure}): starts {@code body} as a task, lets it block for
     * {@code after} seconds, then cancels it and awaits its end. Must be called inside a task.
     */
    static Ticker.Figures<Cancelled> cancelAfter(String name, double after, Callable<?> body) throws Exception {
        return Ticker.measure(name, () -> {
            Task<?> t = Asyncio.createTask(body);
            Asyncio.sleep(after);
            return cancelAndAwait(t);
        }, Cancels::describe);
    }

    /** {@link #cancelAfter(String, double, Callable)} for a body without result. */
    static Ticker.Figures<Cancelled> cancelAfter(String name, double after, ThrowingRunnable body) throws Exception {
        return cancelAfter(name, after, () -> { body.run(); return null; });
    }

    /** Cancels {@code t}, awaits it, asserts it ended cancelled. Must be called inside a task. */
    static Cancelled cancelAndAwait(Task<?> t) {
        long t0 = System.nanoTime();
        t.cancel();
        CancelledException e = assertThrows(CancelledException.class, t::await);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(t.isCancelled(), "the task ended cancelled");
        return new Cancelled(e, seconds);
    }

    /** The figures line's detail: cancel to end, and the cause. */
    static String describe(Cancelled c) {
        Throwable cause = c.cause();
        return String.format("cancel to end %.0f ms; cause %s", c.seconds() * 1000,
                cause == null ? "none" : cause.toString().replace('\n', ' '));
    }
}
