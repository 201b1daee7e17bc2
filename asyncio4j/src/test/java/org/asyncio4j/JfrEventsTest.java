package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.asyncio4j.internal.jfr.Jfr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events: each appears, with its fields, when a recording enables it, and none does
 * otherwise. Every test records with {@link Recording} and reads the dump back with
 * {@link RecordingFile}.
 */
@Timeout(60)
class JfrEventsTest {

    @TempDir
    Path dir;

    private List<RecordedEvent> record(List<String> enable, Duration period, ThrowingRunnable program) throws Exception {
        try (Recording r = new Recording()) {
            for (String name : enable) {
                var settings = r.enable(name);
                if (period != null) {
                    settings.withPeriod(period);
                }
            }
            r.start();
            program.run();
            Jfr.awaitCommits(10_000);                  // the helper commits the loop thread's events
            r.stop();
            Path file = dir.resolve("rec-" + System.nanoTime() + ".jfr");
            r.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().startsWith("org.asyncio4j."))
                    .toList();
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String type, String field, String value) {
        return events.stream()
                .filter(e -> e.getEventType().getName().equals(type) && value.equals(e.getString(field)))
                .toList();
    }

    private static void busyWait(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void taskEnd_givesEachTasksName_lifeAsDuration_andOutcome() throws Exception {
        List<RecordedEvent> events = record(List.of("org.asyncio4j.TaskEnd"), null, () -> Asyncio.run(() -> {
            createTask(() -> sleep(0.2), "sleeps-200ms").await();
            Task<Void> failing = createTask(() -> {
                throw new IllegalStateException("boom");
            }, "fails");
            try {
                failing.await();
            } catch (IllegalStateException expected) {
                // its outcome is what the event reports
            }
            Task<Void> cancelled = createTask(() -> sleep(10), "is-cancelled");
            sleep(0);
            cancelled.cancel();
            try {
                cancelled.await();
            } catch (CancelledException expected) {
                // as above
            }
        }));
        RecordedEvent slept = single(named(events, "org.asyncio4j.TaskEnd", "name", "sleeps-200ms"));
        assertEquals("result", slept.getString("outcome"));
        assertNull(slept.getString("exception"));
        assertTrue(slept.getDuration().toMillis() >= 200, "the task's life: " + slept.getDuration());
        assertTrue(slept.getString("loop").startsWith("loop-"), slept.toString());
        RecordedEvent failed = single(named(events, "org.asyncio4j.TaskEnd", "name", "fails"));
        assertEquals("exception", failed.getString("outcome"));
        assertEquals(IllegalStateException.class.getName(), failed.getString("exception"));
        assertEquals("cancelled", single(named(events, "org.asyncio4j.TaskEnd", "name", "is-cancelled")).getString("outcome"));
        assertEquals("is-cancelled", single(named(events, "org.asyncio4j.TaskEnd", "name", "is-cancelled"))
                .getThread().getJavaName(), "committed on the task's own thread");
    }

    /** Holds the loop for 150 ms, then suspends: the end of the step is in this method. */
    private static void hogTheLoop() {
        busyWait(150);
        sleep(0);
    }

    @Test
    void slowStep_withoutDebugMode_reportsStepsOverTheSlowCallbackDuration_withTaskAndStack() throws Exception {
        List<RecordedEvent> events = record(List.of("org.asyncio4j.SlowStep"), null, () -> Asyncio.run(() -> {
            getRunningLoop().setSlowCallbackDuration(Duration.ofMillis(50));
            createTask(JfrEventsTest::hogTheLoop, "the-hog").await();
            createTask(() -> sleep(0.001), "a-quick-one").await();
        }));
        RecordedEvent slow = single(named(events, "org.asyncio4j.SlowStep", "task", "the-hog"));
        assertTrue(slow.getDuration().toMillis() >= 150, "the step's duration: " + slow.getDuration());
        assertEquals(Duration.ofMillis(50), slow.getDuration("threshold"));
        assertTrue(slow.getString("stack").contains("hogTheLoop"), slow.getString("stack"));
        assertTrue(named(events, "org.asyncio4j.SlowStep", "task", "a-quick-one").isEmpty(), events.toString());
    }

    @Test
    void slowStep_inDebugMode_carriesTheStackSampledWhileTheStepHeldTheLoop() throws Exception {
        List<RecordedEvent> events = record(List.of("org.asyncio4j.SlowStep"), null, () -> Asyncio.run(() -> {
            getRunningLoop().setExceptionHandler((l, c) -> { });
            getRunningLoop().setSlowCallbackDuration(Duration.ofMillis(50));
            createTask(() -> {
                sleep(0);
                busyWait(400);          // long enough for the watch to sample on a loaded machine
            }, "sampled").await();
        }, RunOptions.defaults().withDebug(true)));
        RecordedEvent slow = single(named(events, "org.asyncio4j.SlowStep", "task", "sampled"));
        assertTrue(slow.getString("stack").contains("busyWait"), slow.getString("stack"));
    }

    @Test
    void taskCancelled_saysWhichTask_whoAsked_andWhere() throws Exception {
        List<RecordedEvent> events = record(List.of("org.asyncio4j.TaskCancelled"), null, () -> Asyncio.run(() -> {
            Task<Void> victim = createTask(() -> sleep(10), "victim");
            createTask(() -> {
                sleep(0);
                victim.cancel("enough");
            }, "killer").await();
            try {
                victim.await();
            } catch (CancelledException expected) {
                // the event is what is checked
            }
        }));
        RecordedEvent e = single(named(events, "org.asyncio4j.TaskCancelled", "task", "victim"));
        assertEquals("killer", e.getString("by"));
        assertEquals("enough", e.getString("message"));
        assertTrue(e.getString("stack").contains("taskCancelled_saysWhichTask"),
                "the stack shows where cancel() was called: " + e.getString("stack"));
    }

    @Test
    void taskCancelled_byATimeoutsTimer_namesTheLoopThread_andTheTimeoutInItsStack() throws Exception {
        String thread = Thread.currentThread().getName();
        List<RecordedEvent> events = record(List.of("org.asyncio4j.TaskCancelled", "org.asyncio4j.TaskEnd"), null,
                () -> Asyncio.run(() -> {
                    createTask(() -> sleep(0.01), "ends-first").await();      // a TaskEnd on the carrier first
                    try {
                        Asyncio.timeout(Duration.ofMillis(20), () -> sleep(10));
                    } catch (AsyncTimeoutException expected) {
                        // the main task was cancelled by the timeout's timer
                    }
                }));
        RecordedEvent e = single(events.stream()
                .filter(x -> x.getEventType().getName().equals("org.asyncio4j.TaskCancelled")).toList());
        assertEquals(thread, e.getString("by"), "a callback on the loop thread asked");
        assertTrue(e.getString("stack").contains("Structured") || e.getString("stack").contains("imeout"),
                e.getString("stack"));
    }

    @Test
    void loopLag_isPeriodic_namingEachRunningLoop() throws Exception {
        String[] name = new String[1];
        List<RecordedEvent> events = record(List.of("org.asyncio4j.LoopLag"), Duration.ofMillis(100), () -> Asyncio.run(() -> {
            name[0] = loopName(getRunningLoop());
            for (int i = 0; i < 60; i++) {
                sleep(0.01);
            }
        }));
        List<RecordedEvent> lag = named(events, "org.asyncio4j.LoopLag", "loop", name[0]);
        assertTrue(lag.size() >= 2, "a 0.6 s run sampled every 100 ms: " + lag);
        assertTrue(lag.stream().allMatch(e -> e.getDuration("lag").compareTo(Duration.ZERO) >= 0 && e.getInt("tasks") >= 1),
                lag.toString());
    }

    @Test
    void noRecordingEnablingThem_noEventIsEmitted_andTheChecksSayOff() throws Exception {
        List<RecordedEvent> events = record(List.of("jdk.ThreadSleep"), null, () -> {
            assertFalse(Jfr.taskEndOn() || Jfr.slowStepOn() || Jfr.taskCancelledOn());
            assertNull(Jfr.beginTaskEnd(), "no event object while TaskEnd is off");
            assertNull(Jfr.beginSlowStep(null));
            Asyncio.run(() -> {
                getRunningLoop().setSlowCallbackDuration(Duration.ofMillis(1));
                Task<Void> t = createTask(() -> sleep(10), "cancelled-unrecorded");
                createTask(() -> busyWait(20)).await();
                t.cancel();
            });
        });
        assertEquals(List.of(), events);
    }

    @Test
    void startFlightRecordingFlag_asTheReadmeGivesIt_recordsSlowSteps() throws Exception {
        Path jfr = dir.resolve("flag.jfr");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-XX:StartFlightRecording:+org.asyncio4j.SlowStep#enabled=true,filename=" + jfr,
                "-cp", System.getProperty("java.class.path"), SlowProgram.class.getName())
                .redirectErrorStream(true).directory(new File(dir.toString())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<RecordedEvent> slow = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("org.asyncio4j.SlowStep")).toList();
        assertEquals(1, slow.size(), out + slow);
        assertEquals("stalls", slow.get(0).getString("task"));
    }

    @Test
    void aRecordingStartedAfterTheFirstLoop_stillGetsTheEvents() throws Exception {
        // A fresh JVM, so that the Flight Recorder initializes only after asyncio4j has started
        // (the listener's path, as with jcmd JFR.start on a running program).
        Path jfr = dir.resolve("late.jfr");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LateRecording.class.getName(), jfr.toString())
                .redirectErrorStream(true).directory(new File(dir.toString())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<RecordedEvent> slow = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("org.asyncio4j.SlowStep")).toList();
        assertEquals(List.of("late-stall"), slow.stream().map(e -> e.getString("task")).toList(), out);
    }

    /** The child JVM of the late-recording test: a loop runs, then a recording starts. */
    public static final class LateRecording {
        public static void main(String[] args) throws Exception {
            Asyncio.run(() -> {
                sleep(0.05);                                       // the loop has run a while
                try (Recording r = new Recording()) {
                    r.enable("org.asyncio4j.SlowStep");
                    r.start();
                    createTask(() -> {
                        sleep(0);
                        busyWait(200);
                    }, "late-stall").await();
                    Jfr.awaitCommits(10_000);
                    r.stop();
                    r.dump(Path.of(args[0]));
                }
            });
        }
    }

    /** The child JVM of the flag test: one task holding the loop 200 ms. */
    public static final class SlowProgram {
        public static void main(String[] args) {
            Asyncio.run(() -> createTask(() -> {
                sleep(0);
                busyWait(200);
            }, "stalls").await());
        }
    }

    static String loopName(EventLoop loop) {
        String s = loop.toString();
        int i = s.indexOf("name=") + 5;
        return s.substring(i, s.indexOf(' ', i));
    }

    private static RecordedEvent single(List<RecordedEvent> events) {
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }

}
