package org.asyncio4j.internal.jfr;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

import org.asyncio4j.internal.DaemonWorker;

/**
 * Makes and commits the events {@link Jfr} checks for (see its overview): loaded only once an
 * event is on (or the recorder initializes), never on a program's path while none is.
 */
final class JfrEvents {
    private static final int STACK_DEPTH = 64;

    /** The helper that commits the loop threads' events; made on first use. */
    private static final class Committer {
        static final ExecutorService EXECUTOR = DaemonWorker.create("asyncio4j-jfr");
    }

    private JfrEvents() {
    }

    /** Registers the event classes and the LoopLag hook; the types of SlowStep, TaskCancelled, TaskEnd. */
    static EventType[] register(Runnable lagHook) {
        FlightRecorder.register(LoopLagEvent.class);
        FlightRecorder.register(SlowStepEvent.class);
        FlightRecorder.register(TaskCancelledEvent.class);
        FlightRecorder.register(TaskEndEvent.class);
        FlightRecorder.addPeriodicEvent(LoopLagEvent.class, lagHook);
        return new EventType[] {EventType.getEventType(SlowStepEvent.class),
            EventType.getEventType(TaskCancelledEvent.class), EventType.getEventType(TaskEndEvent.class)};
    }

    static Object beginTaskEnd() {
        TaskEndEvent e = new TaskEndEvent();
        e.begin();
        return e;
    }

    static void taskEnded(Object event, String name, String outcome, Throwable exception, String loop) {
        TaskEndEvent e = (TaskEndEvent) event;
        e.end();
        if (e.shouldCommit()) {
            e.name = name;
            e.outcome = outcome;
            e.exception = exception == null ? null : exception.getClass().getName();
            e.loop = loop;
            e.commit();
        }
    }

    static Object beginSlowStep(Object spare) {
        SlowStepEvent e = spare != null ? (SlowStepEvent) spare : new SlowStepEvent();
        e.begin();
        return e;
    }

    static void slowStep(Object event, String task, StackTraceElement[] stack, long thresholdNanos, String loop) {
        SlowStepEvent e = (SlowStepEvent) event;
        e.end();
        if (e.shouldCommit()) {
            e.task = task;
            e.stack = stack == null ? null : format(stack);
            e.threshold = thresholdNanos;
            e.loop = loop;
            commitOffCarrier(e);
        }
    }

    /** Its {@code stack} is the calling thread's, from the caller of {@code Jfr.taskCancelled} on. */
    static void taskCancelled(String task, String by, String message, String loop) {
        TaskCancelledEvent e = new TaskCancelledEvent();
        if (e.shouldCommit()) {
            e.task = task;
            e.by = by;
            e.message = message;
            e.loop = loop;
            StackTraceElement[] st = new Throwable().getStackTrace();
            e.stack = format(Arrays.copyOfRange(st, Math.min(2, st.length), st.length));
            commitOffCarrier(e);
        }
    }

    static void loopLag(String loop, long lagNanos, int tasks, int ready) {
        LoopLagEvent e = new LoopLagEvent();
        e.loop = loop;
        e.lag = lagNanos;
        e.tasks = tasks;
        e.ready = ready;
        e.commit();
    }

    static void awaitCommits(long timeoutMillis) throws InterruptedException {
        try {
            Committer.EXECUTOR.submit(() -> { }).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the JFR helper did not catch up within " + timeoutMillis + " ms", e);
        }
    }

    /** Commits on this thread if it is virtual, else hands the event to the helper (see Jfr's overview). */
    private static void commitOffCarrier(Event e) {
        if (Thread.currentThread().isVirtual()) {
            e.commit();
        } else {
            Committer.EXECUTOR.execute(e::commit);
        }
    }

    private static String format(StackTraceElement[] stack) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(stack.length, STACK_DEPTH);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : "\n").append("at ").append(stack[i]);
        }
        if (stack.length > n) {
            sb.append("\n... ").append(stack.length - n).append(" more");
        }
        return sb.toString();
    }
}
