package org.asyncio4j.internal;

/**
 * Hints for code ported from Python that compiles in Java but means something else there.
 *
 * <p>The one case today: Python's {@code event.wait()}, {@code condition.wait()},
 * {@code condition.notify()} and {@code barrier.wait()} compile against asyncio4j's primitives,
 * because {@code wait}, {@code notify} and {@code notifyAll} are {@code java.lang.Object}'s monitor
 * methods, and fail with {@code IllegalMonitorStateException: current thread is not owner}. When a
 * task's body ends with such an exception, and its top frames show that {@code Object}'s method
 * threw it, a suppressed exception naming asyncio4j's spelling is attached. The exception keeps
 * its type and identity; nothing else is touched (a monitor misuse elsewhere gets the same hint,
 * which is still true).
 */
public final class PortingHints {
    private PortingHints() {
    }

    /** The suppressed exception carrying the hint; no stack of its own (the message says where). */
    static final class Hint extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Hint(String message) {
            super(message, null, false, false);
        }
    }

    /** Attaches the hint once to {@code t} if it is Object.wait/notify/notifyAll's failure. */
    public static void note(Throwable t) {
        if (!(t instanceof IllegalMonitorStateException e)) {
            return;
        }
        StackTraceElement[] st = e.getStackTrace();
        String method = null;
        int caller = 0;
        while (caller < st.length && caller < 4 && st[caller].getClassName().equals("java.lang.Object")) {
            method = st[caller].getMethodName();
            caller++;
        }
        if (method == null) {
            return;
        }
        for (Throwable s : e.getSuppressed()) {
            if (s instanceof Hint) {
                return;
            }
        }
        String name = method.startsWith("wait") ? "wait" : method;
        String at = caller < st.length ? " at " + st[caller] : "";
        e.addSuppressed(new Hint("hint: Object." + name + "() was called" + at + " on an object whose monitor the"
                + " thread does not hold. wait, notify and notifyAll are java.lang.Object's monitor methods; asyncio4j"
                + " spells Python's asyncio methods await(), signal() and signalAll(): Event.await(),"
                + " Condition.await()/signal()/signalAll() (Python's wait/notify/notify_all), Barrier.await()"));
    }
}
