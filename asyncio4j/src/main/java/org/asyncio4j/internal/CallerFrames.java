package org.asyncio4j.internal;

import java.util.Arrays;

/**
 * Gives an exception that leaves {@code run} or {@code runUntilComplete} its caller's frames.
 *
 * <p>A task's exception was thrown on the task's own virtual thread, so its stack trace holds
 * only the task's frames: no {@code main}, no frame of whoever called {@code run}. IDEs, logs
 * and the source launcher (which trims its own frames off the bottom of the trace) then show it
 * out of context, or fail on it. The exception leaves {@code run} as itself (its type, message,
 * cause and identity unchanged, so {@code catch} clauses and {@code task.exception()} still see
 * the same object), with its trace extended: the task's frames, then one marker frame,
 * {@code at asyncio4j.task.awaitedBy(run)}, then the frames of the thread that called
 * {@code run}, down to its {@code main} (called from a virtual thread, the loop runs on a
 * platform helper thread, and the frames appended are the virtual thread's). Done again for
 * the same exception (a second {@code runUntilComplete} of the same future), the part after
 * the marker is replaced, never appended twice.
 */
final class CallerFrames {
    private CallerFrames() {
    }

    /** The boundary between the task's frames and its caller's. */
    static final StackTraceElement MARKER = new StackTraceElement("asyncio4j.task", "awaitedBy", "run", -1);

    /** Extends {@code t}'s trace with the current thread's frames (see the class comment). */
    static void append(Throwable t) {
        StackTraceElement[] own = t.getStackTrace();
        int keep = own.length;
        for (int i = 0; i < own.length; i++) {
            if (MARKER.equals(own[i])) {
                keep = i;
                break;
            }
        }
        StackTraceElement[] here = new Throwable().getStackTrace();
        int skip = 1;                                       // this method's own frame
        StackTraceElement[] all = Arrays.copyOf(own, keep + 1 + here.length - skip);
        all[keep] = MARKER;
        System.arraycopy(here, skip, all, keep + 1, here.length - skip);
        t.setStackTrace(all);
    }
}
