package org.asyncio4j.internal;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Handle;

/**
 * A callback in the ready queue. It is its own queue entry, so scheduling allocates nothing
 * but the handle. Confined to its loop, except {@code cancelled}: a flag any thread may set
 * (cancel() from another thread), which the loop reads before it runs the callback.
 */
class HandleImpl implements Handle, Runnable {
    final EventLoopImpl loop;
    Runnable callback;          // loop-confined; a run or a timer's removal drops it once cancelled
    volatile boolean cancelled;

    HandleImpl(EventLoopImpl loop, Runnable callback) {
        this.loop = loop;
        this.callback = callback;
    }

    /** Any thread: the loop skips the callback when it comes to it (and drops it then). */
    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs the callback unless cancelled; a throw goes to the exception handler, once. */
    @Override
    public void run() {
        Runnable cb = callback;
        if (cb == null || cancelled) {
            callback = null;
            return;
        }
        try {
            cb.run();
        } catch (Throwable t) {
            loop.callExceptionHandler(new ExceptionContext("Exception in callback " + cb, t, null, this));
        }
    }

    @Override
    public String toString() {
        return "Handle[" + (cancelled ? "cancelled" : String.valueOf(callback)) + "]";
    }
}
