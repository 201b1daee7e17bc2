package org.asyncio4j.internal;

import java.util.concurrent.locks.LockSupport;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Handle;

/**
 * Debug mode's sampler: takes the stack of a task that holds its loop too long, so the
 * slow-step report can say where it was.
 *
 * <h2>Implementation overview</h2>
 * One daemon platform thread per running loop in debug mode. The loop marks each step with
 * {@link #begin} and {@link #end} (both on the loop thread, volatile writes); the watch wakes
 * every quarter of the slow-callback duration, and if the current step is a task's and has run
 * longer than that duration, it takes the task's stack once per step. The sample counts only if
 * the same step is still running after it was taken ({@code stepStart} unchanged), and
 * {@link #end} hands it over only for the step it was taken in ({@code sampledFor}).
 */
final class DebugWatch implements Runnable {
    private final EventLoopImpl loop;
    private volatile boolean stopped;
    private volatile long stepStart;
    private volatile TaskImpl<?> stepTask;
    private volatile long sampledFor;
    private volatile StackTraceElement[] sample;
    private Thread thread;

    DebugWatch(EventLoopImpl loop) {
        this.loop = loop;
    }

    void start(String name) {
        thread = Thread.ofPlatform().daemon().name(name).start(this);
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /** A step starts (loop thread); {@code task} is null for a callback. */
    void begin(long t0, TaskImpl<?> task) {
        stepTask = task;
        stepStart = t0;
    }

    /** The step that began at {@code t0} ends (loop thread): its sample, or null. */
    StackTraceElement[] end(long t0) {
        stepStart = 0;
        stepTask = null;
        return sampledFor == t0 ? sample : null;
    }

    @Override
    public void run() {
        while (!stopped) {
            long slow = loop.slowNanos();
            LockSupport.parkNanos(Math.max(1_000_000L, slow / 4));
            long s = stepStart;
            TaskImpl<?> t = stepTask;
            if (s != 0 && t != null && sampledFor != s && System.nanoTime() - s >= slow) {
                StackTraceElement[] st = t.thread.getStackTrace();
                if (stepStart == s) {
                    sample = st;
                    sampledFor = s;
                }
            }
        }
    }

    /** The report of a slow step ({@code r}: a callback or a task), with its sample if one was taken. */
    static ExceptionContext slowStep(Runnable r, long nanos, StackTraceElement[] sample) {
        TaskImpl<?> task = r instanceof TaskImpl<?> t ? t : null;
        StringBuilder sb = new StringBuilder(String.format("Executing %s took %.3f seconds", r, nanos / 1e9));
        if (sample != null && sample.length > 0) {
            sb.append("; its stack while it held the loop:");
            for (StackTraceElement e : sample) {
                sb.append("\n\tat ").append(e);
            }
        }
        return new ExceptionContext(sb.toString(), null, task, r instanceof Handle h ? h : null);
    }
}
