package org.asyncio4j.internal;

import java.util.Arrays;

/**
 * Debug mode: where a task's cancellation was requested. Its stack is the requester's, from the
 * {@code cancel} call its code made (or, for a request the library made, from the library's
 * call of {@code cancel}) down; its message names the requester and the first frame of the
 * requester's own code:
 * <pre>
 * cancelled by task Task-3 at Crawler.stop(Crawler.java:17)
 * cancelled by thread 'main' at Main.main(Main.java:30)
 * cancelled by a timeout that expired (a callback on the loop's thread 'asyncio4j-loop')
 * cancelled by its TaskGroup (task Task-1) at Main.body(Main.java:22)
 * </pre>
 * The CancelledException delivered for the request carries it ({@link TaskImpl}'s "Debug mode"
 * section). Never thrown.
 */
public final class CancellationOrigin extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String requester;
    private transient String message;

    private CancellationOrigin(String requester) {
        super(null, null, false, true);
        this.requester = requester;
    }

    /** The origin of a request made now, on the calling thread, for {@code target}. */
    static CancellationOrigin capture(TaskImpl<?> target) {
        TaskImpl<?> by = TaskImpl.current();
        Thread me = Thread.currentThread();
        String who;
        if (by != null) {
            who = by == target ? "task " + by.getName() + " itself" : "task " + by.getName();
        } else if (target.loop.isCarriedHere()) {
            who = "a callback on the loop's thread '" + me.getName() + "'";
        } else {
            who = "thread '" + me.getName() + "'";
        }
        CancellationOrigin o = new CancellationOrigin(who);
        StackTraceElement[] st = o.getStackTrace();
        int from = 0;
        while (from < st.length && isCapture(st[from])) {
            from++;
        }
        int user = requesterFrame(st, from);
        if (user > from) {
            from = user - 1;              // start at the call user code made (Task.cancel)
        }
        o.setStackTrace(Arrays.copyOfRange(st, from, st.length));
        return o;
    }

    /** The origin of an interrupt of the task's thread that no request sent: who sent it is unknown. */
    static CancellationOrigin interrupt() {
        CancellationOrigin o = new CancellationOrigin("an interrupt of the task's thread (Thread.interrupt from elsewhere; the sender is unknown)");
        o.setStackTrace(new StackTraceElement[0]);
        return o;
    }

    /**
     * The index of the first frame of the requester's own code, from {@code from}, or -1: the
     * first user frame above the loop's dispatch (a request from a callback on the loop's thread
     * has the loop's runner below it, and that runner's caller is no requester).
     */
    private static int requesterFrame(StackTraceElement[] st, int from) {
        for (int i = from; i < st.length; i++) {
            if (st[i].getClassName().equals(EventLoopImpl.class.getName())) {
                return -1;
            }
            if (!Frames.isLibrary(st[i])) {
                return i;
            }
        }
        return -1;
    }

    /** The frames of the capture itself, below the {@code cancel} call. */
    private static boolean isCapture(StackTraceElement e) {
        String c = e.getClassName();
        return c.equals(CancellationOrigin.class.getName())
                || c.equals(TaskImpl.class.getName()) && e.getMethodName().startsWith("requestCancel");
    }

    /**
     * The mechanism that asked, read from the library frames below {@code cancel}: a timeout's
     * expiry, a TaskGroup, the loop's shutdown; null when user code asked directly.
     */
    private static String mechanism(StackTraceElement[] st) {
        for (StackTraceElement e : st) {
            if (!Frames.isLibrary(e)) {
                return null;              // user code called cancel: the requester says it all
            }
            String c = e.getClassName(), m = e.getMethodName();
            if (c.equals(EventLoopImpl.class.getName()) && !m.startsWith("cancel")) {
                return null;              // the loop's dispatch of a callback: nothing below asked
            }
            if (c.equals(Structured.TIMEOUT_EXPIRY_CLASS)) {
                return "a timeout that expired";
            }
            if (c.equals(TaskGroupEngine.class.getName())) {
                return "its TaskGroup";
            }
            if (c.equals(EventLoopImpl.class.getName()) && (m.equals("cancelAllTasks") || m.equals("cancelAndAwait"))) {
                return "the loop's shutdown";
            }
        }
        return null;
    }

    @Override
    public String getMessage() {
        String m = message;
        if (m == null) {
            StackTraceElement[] st = getStackTrace();
            String mech = mechanism(st);
            int user = requesterFrame(st, 0);
            StackTraceElement at = user >= 0 ? st[user] : null;
            m = "cancelled by " + (mech != null ? mech + " (" + requester + ")" : requester)
                    + (at != null ? " at " + Frames.shortFrame(at) : "");
            message = m;
        }
        return m;
    }
}
