package org.asyncio4j.internal.jfr;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * The loop's and tasks' JFR events ({@code org.asyncio4j.TaskEnd}, {@code SlowStep},
 * {@code LoopLag}, {@code TaskCancelled}), all disabled unless a recording enables them.
 *
 * <h2>Implementation overview</h2>
 * The cost while disabled is one static volatile read per check, and no event object: each
 * check reads the event's {@link EventType} (null until the Flight Recorder has been
 * initialized in this JVM) and, once there is one, its {@code isEnabled()} (a field the recorder
 * keeps up to date whenever a recording starts, stops or changes its settings). The types are
 * not looked up eagerly: {@code EventType.getEventType} initializes JFR's metadata, about half
 * a second of start-up, in every program, recording or not. Instead a
 * {@link FlightRecorderListener}, added when the first loop is made (about a millisecond), hears
 * when the recorder initializes (a {@code -XX:StartFlightRecording}, a {@code jcmd JFR.start},
 * a {@code Recording} or {@code RecordingStream} made in the program, before or after the
 * loops) and only then looks the types up and adds the periodic {@code LoopLag} hook, which JFR
 * calls only while that event is enabled.
 *
 * <p>Where events are committed: {@code TaskEnd} on the task's own (virtual) thread; events
 * that arise on a loop's own platform thread ({@code SlowStep}, a {@code TaskCancelled} asked
 * by a callback) are begun and ended there but committed by one helper thread,
 * {@code asyncio4j-jfr}. A loop thread is the carrier of its tasks' virtual threads, and on JDK
 * 25 the first event such a carrier commits itself after one of its virtual threads has
 * committed one is silently dropped (measured: every {@code SlowStep} between two
 * {@code TaskEnd}s was lost); the helper never carries a virtual thread. The event keeps the
 * start and duration stamped on the loop thread; its JFR event thread is the helper, so the
 * events name their task and loop in fields, and carry the task's or requester's stack as a
 * field (JFR's own stack trace would show the helper).
 */
public final class Jfr {
    private static volatile EventType taskEnd;
    private static volatile EventType slowStep;
    private static volatile EventType taskCancelled;
    private static volatile Runnable lagSource = () -> { };
    private static final int STACK_DEPTH = 64;
    private static final ExecutorService COMMITTER = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "asyncio4j-jfr");
                t.setDaemon(true);
                return t;
            });

    static {
        try {
            FlightRecorder.addListener(new FlightRecorderListener() {
                @Override
                public void recorderInitialized(FlightRecorder recorder) {
                    resolveTypes();
                }
            });
        } catch (Throwable unavailable) {
            // No usable JFR in this runtime (or a security manager said no): the events stay off.
        }
    }

    private Jfr() {
    }

    /** Called once per loop: makes sure the listener is in place (class initialization does it). */
    public static void init() {
    }

    private static synchronized void resolveTypes() {
        if (taskEnd != null) {
            return;
        }
        try {
            FlightRecorder.register(LoopLagEvent.class);
            FlightRecorder.register(SlowStepEvent.class);
            FlightRecorder.register(TaskCancelledEvent.class);
            FlightRecorder.register(TaskEndEvent.class);
            FlightRecorder.addPeriodicEvent(LoopLagEvent.class, () -> lagSource.run());
            slowStep = EventType.getEventType(SlowStepEvent.class);
            taskCancelled = EventType.getEventType(TaskCancelledEvent.class);
            taskEnd = EventType.getEventType(TaskEndEvent.class);
        } catch (RuntimeException e) {
            System.getLogger("org.asyncio4j").log(System.Logger.Level.WARNING,
                    "asyncio4j's JFR events could not be registered; they stay off", e);
        }
    }

    /**
     * Sets what the periodic {@code LoopLag} hook runs: a walk over the open loops that calls
     * {@link #loopLag} for each (the loop registry lives with the loops).
     */
    public static void setLagSource(Runnable source) {
        lagSource = source;
    }

    // ------------------------------------------------------------------ TaskEnd

    /** True while a recording enables {@code TaskEnd}. */
    public static boolean taskEndOn() {
        return on(taskEnd);
    }

    /** One check: a static volatile read, then (once JFR is initialized) the type's enabled flag. */
    private static boolean on(EventType t) {
        return t != null && t.isEnabled();
    }

    /** {@code e}, begun now, or null if {@code type} is off (no event object is made then). */
    private static <E extends Event> E begin(EventType type, java.util.function.Supplier<E> event) {
        if (!on(type)) {
            return null;
        }
        E e = event.get();
        e.begin();
        return e;
    }

    /**
     * A started {@code TaskEnd} event for a task being created, or null if the event is
     * disabled. The caller keeps it with the task and passes it to {@link #taskEnded}.
     */
    public static Object beginTaskEnd() {
        return begin(taskEnd, TaskEndEvent::new);
    }

    /**
     * Commits the event {@link #beginTaskEnd} gave: {@code outcome} is result, exception or
     * cancelled; {@code exception} the failure, if any.
     */
    public static void taskEnded(Object event, String name, String outcome, Throwable exception, String loop) {
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

    // ------------------------------------------------------------------ SlowStep

    /** True while a recording enables {@code SlowStep}: the loop then times every step. */
    public static boolean slowStepOn() {
        return on(slowStep);
    }

    /**
     * A {@code SlowStep} event begun now (the step starts), or null if the event is disabled:
     * {@code spare} if not null (an event the loop began before and did not commit: a step that
     * was not slow), else a new one, so a loop allocates one only per slow step.
     */
    public static Object beginSlowStep(Object spare) {
        if (!on(slowStep)) {
            return null;
        }
        SlowStepEvent e = spare != null ? (SlowStepEvent) spare : new SlowStepEvent();
        e.begin();
        return e;
    }

    /**
     * Ends the event {@link #beginSlowStep} gave and commits it: the step was slow.
     *
     * @param stack where the task was, or null (a callback)
     */
    public static void slowStep(Object event, String task, StackTraceElement[] stack, long thresholdNanos, String loop) {
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

    /**
     * Waits until the helper has committed every event handed to it so far (at most
     * {@code timeoutMillis}): for a test about to stop its recording.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public static void awaitCommits(long timeoutMillis) throws InterruptedException {
        try {
            COMMITTER.submit(() -> { }).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the JFR helper did not catch up within " + timeoutMillis + " ms", e);
        }
    }

    /** Commits on this thread if it is virtual, else hands the event to the helper (see the overview). */
    private static void commitOffCarrier(Event e) {
        if (Thread.currentThread().isVirtual()) {
            e.commit();
        } else {
            COMMITTER.execute(e::commit);
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

    // ------------------------------------------------------------------ TaskCancelled

    /** True while a recording enables {@code TaskCancelled}. */
    public static boolean taskCancelledOn() {
        return on(taskCancelled);
    }

    /** A {@code TaskCancelled} event: its {@code stack} is the calling thread's, from the caller of the caller on. */
    public static void taskCancelled(String task, String by, String message, String loop) {
        TaskCancelledEvent e = new TaskCancelledEvent();
        if (e.shouldCommit()) {
            e.task = task;
            e.by = by;
            e.message = message;
            e.loop = loop;
            StackTraceElement[] st = new Throwable().getStackTrace();
            e.stack = format(java.util.Arrays.copyOfRange(st, Math.min(1, st.length), st.length));
            commitOffCarrier(e);
        }
    }

    // ------------------------------------------------------------------ LoopLag

    /** Commits one {@code LoopLag} event (from the periodic hook). */
    public static void loopLag(String loop, long lagNanos, int tasks, int ready) {
        LoopLagEvent e = new LoopLagEvent();
        e.loop = loop;
        e.lag = lagNanos;
        e.tasks = tasks;
        e.ready = ready;
        e.commit();
    }
}
