package org.asyncio4j.internal.jfr;

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
 * {@link FlightRecorderListener}, added when the first loop is made (by the helper thread
 * unless a recording runs already: see the static initializer), hears
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
 *
 * <p>This class holds only the checks; what makes and commits events is {@link JfrEvents},
 * loaded once an event is on: loading and verifying code that names the event classes costs
 * the first loop a few milliseconds otherwise.
 */
public final class Jfr {
    private static volatile EventType taskEnd;
    private static volatile EventType slowStep;
    private static volatile EventType taskCancelled;
    private static volatile Runnable lagSource;

    /** Adds the listener that resolves the types once the recorder initializes. */
    private static final class Listen implements Runnable {
        @Override
        public void run() {
            try {
                FlightRecorder.addListener(new FlightRecorderListener() {
                    @Override
                    public void recorderInitialized(FlightRecorder recorder) {
                        resolveTypes();
                    }
                });
            } catch (Throwable unavailable) {
                // No usable JFR in this runtime: the events stay off.
            }
        }
    }

    static {
        // Adding the listener loads JFR's recorder classes, about 8 ms that the first loop would
        // wait for. Unless a recording runs already (then the events must be on from the first
        // task), a short-lived daemon thread does it: a recording started later (jcmd, a
        // Recording made in the program) takes far longer to start than that thread needs, and
        // addListener reports a recorder that initialized meanwhile at once, so none is missed.
        boolean recording;
        try {
            recording = FlightRecorder.isInitialized();
        } catch (Throwable unavailable) {
            recording = false;
        }
        if (recording) {
            new Listen().run();
        } else {
            Thread t = new Thread(new Listen(), "asyncio4j-jfr-listen");
            t.setDaemon(true);
            t.start();
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
            EventType[] types = JfrEvents.register(new Runnable() {
                @Override
                public void run() {
                    Runnable source = lagSource;
                    if (source != null) {
                        source.run();
                    }
                }
            });
            slowStep = types[0];
            taskCancelled = types[1];
            taskEnd = types[2];
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

    /** One check: a static volatile read, then (once JFR is initialized) the type's enabled flag. */
    private static boolean on(EventType t) {
        return t != null && t.isEnabled();
    }

    /** True while a recording enables {@code TaskEnd}. */
    public static boolean taskEndOn() {
        return on(taskEnd);
    }

    /** True while a recording enables {@code SlowStep}: the loop then times every step. */
    public static boolean slowStepOn() {
        return on(slowStep);
    }

    /** True while a recording enables {@code TaskCancelled}. */
    public static boolean taskCancelledOn() {
        return on(taskCancelled);
    }

    /**
     * A started {@code TaskEnd} event for a task being created, or null if the event is
     * disabled. The caller keeps it with the task and passes it to {@link #taskEnded}.
     */
    public static Object beginTaskEnd() {
        return on(taskEnd) ? JfrEvents.beginTaskEnd() : null;
    }

    /**
     * Commits the event {@link #beginTaskEnd} gave: {@code outcome} is result, exception or
     * cancelled; {@code exception} the failure, if any.
     */
    public static void taskEnded(Object event, String name, String outcome, Throwable exception, String loop) {
        JfrEvents.taskEnded(event, name, outcome, exception, loop);
    }

    /**
     * A {@code SlowStep} event begun now (the step starts), or null if the event is disabled:
     * {@code spare} if not null (an event the loop began before and did not commit: a step that
     * was not slow), else a new one, so a loop allocates one only per slow step.
     */
    public static Object beginSlowStep(Object spare) {
        return on(slowStep) ? JfrEvents.beginSlowStep(spare) : null;
    }

    /**
     * Ends the event {@link #beginSlowStep} gave and commits it: the step was slow.
     *
     * @param stack where the task was, or null (a callback)
     */
    public static void slowStep(Object event, String task, StackTraceElement[] stack, long thresholdNanos, String loop) {
        JfrEvents.slowStep(event, task, stack, thresholdNanos, loop);
    }

    /** A {@code TaskCancelled} event (call only if {@link #taskCancelledOn}): its {@code stack} is the caller's. */
    public static void taskCancelled(String task, String by, String message, String loop) {
        JfrEvents.taskCancelled(task, by, message, loop);
    }

    /** Commits one {@code LoopLag} event (from the periodic hook). */
    public static void loopLag(String loop, long lagNanos, int tasks, int ready) {
        JfrEvents.loopLag(loop, lagNanos, tasks, ready);
    }

    /**
     * Waits until the helper has committed every event handed to it so far (at most
     * {@code timeoutMillis}): for a test about to stop its recording.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public static void awaitCommits(long timeoutMillis) throws InterruptedException {
        JfrEvents.awaitCommits(timeoutMillis);
    }
}
