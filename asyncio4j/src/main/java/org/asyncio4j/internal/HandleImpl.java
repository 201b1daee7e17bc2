package org.asyncio4j.internal;

import org.asyncio4j.Context;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Handle;

/**
 * A callback in the ready queue. It is its own queue entry, so scheduling allocates nothing
 * but the handle. Confined to its loop, except {@code cancelled}: a flag any thread may set
 * (cancel() from another thread), which the loop reads before it runs the callback.
 *
 * <p>A user's callback runs in {@code context}, the snapshot its scheduling call took
 * ({@link Contexts#capture}; null: the empty context), current in the loop thread's slot while
 * it runs, the exception handler included (Python 3.12+ calls the handler in the handle's
 * context); the loop's own callbacks leave it null.
 */
class HandleImpl implements Handle, Runnable {
    final EventLoopImpl loop;
    Runnable callback;          // loop-confined; a run or a timer's removal drops it once cancelled
    volatile boolean cancelled;
    Context context;            // set once, before the handle is queued

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
        Contexts.Slot slot = loop.contextSlot;
        Context outer = slot.enter(context);
        try {
            cb.run();
        } catch (Throwable t) {
            loop.callExceptionHandler(new ExceptionContext("Exception in callback " + cb, t, null, this));
        } finally {
            slot.exit(outer);
        }
    }

    @Override
    public String toString() {
        return "Handle[" + (cancelled ? "cancelled" : String.valueOf(callback)) + "]";
    }
}
