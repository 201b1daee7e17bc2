package org.asyncio4j.internal;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Handle;

/**
 * A callback in the ready queue. It is its own queue entry, so scheduling allocates nothing
 * but the handle. Confined to its loop.
 */
class HandleImpl implements Handle, Runnable {
    final EventLoopImpl loop;
    Runnable callback;          // null once cancelled, so a cancelled handle holds nothing
    boolean cancelled;

    HandleImpl(EventLoopImpl loop, Runnable callback) {
        this.loop = loop;
        this.callback = callback;
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            callback = null;
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs the callback unless cancelled; a throw goes to the exception handler, once. */
    @Override
    public void run() {
        Runnable cb = callback;
        if (cb == null) {
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
