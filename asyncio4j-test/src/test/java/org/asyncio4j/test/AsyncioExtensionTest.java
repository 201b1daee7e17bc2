package org.asyncio4j.test;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.test.Fixtures.allPassed;
import static org.asyncio4j.test.Fixtures.failures;
import static org.asyncio4j.test.Fixtures.onlyFailure;
import static org.asyncio4j.test.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

/**
 * {@link AsyncioTest} and {@link AsyncioExtension}, seen from outside: fixture classes run
 * through the JUnit Platform, and each test checks the fixture's outcome (passed, or failed with
 * which report).
 */
class AsyncioExtensionTest {

    /** What fixtures leave for the test to check (reset before each test). */
    static final Set<String> seen = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void reset() {
        seen.clear();
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected «" + p + "» in:\n" + text);
        }
    }

    // ------------------------------------------------------------------ the main task and the clock

    static class Basics {
        @AsyncioTest
        void runsAsTheMainTaskOfARunningLoop_atTimeZero(EventLoop loop) {
            assertNotNull(currentTask(), "the method runs in a task");
            assertSame(loop, getRunningLoop(), "the EventLoop parameter is the running loop");
            assertEquals("runsAsTheMainTaskOfARunningLoop_atTimeZero", currentTask().getName());
            assertEquals(0.0, loop.time());
            seen.add("ran");
        }

        @AsyncioTest(timeoutSeconds = 20)
        void sleepOfAnHour_endsAtVirtualTime3600() {
            sleep(3600);
            assertEquals(3600.0, getRunningLoop().time(), 1e-6);
            seen.add("slept");
        }

        @AsyncioTest(virtualClock = false)
        void realClock_movesWithRealTime() {
            double t0 = getRunningLoop().time();
            long n0 = System.nanoTime();
            sleep(0.05);
            double loopElapsed = getRunningLoop().time() - t0;
            double realElapsed = (System.nanoTime() - n0) / 1e9;
            assertTrue(loopElapsed >= 0.049 && loopElapsed <= realElapsed + 0.001,
                    "loop time " + loopElapsed + " follows real time " + realElapsed);
            seen.add("real");
        }

        @AsyncioTest(debug = true)
        void debug_turnsDebugModeOn() {
            assertTrue(getRunningLoop().getDebug());
            seen.add("debug");
        }

        @AsyncioTest
        void taskCancelledJustBeforeReturning_hasEndedBeforeTheCheck() {
            Task<Void> t = createTask(() -> {
                try {
                    sleep(100);
                } catch (CancelledException e) {
                    for (int i = 0; i < 3; i++) {
                        sleep(0);           // cleanup that takes a few steps, all at the same instant
                    }
                    seen.add("cleaned up");
                    throw e;
                }
            }, "stopped-at-the-end");
            sleep(1);
            t.cancel();
        }
    }

    @Test
    void testMethod_runsAsTheMainTaskOfAFreshLoop_onAVirtualClockThatSkipsAnHourSleep() {
        assertEquals(5, allPassed(run(Basics.class)));
        assertEquals(Set.of("ran", "slept", "real", "debug", "cleaned up"), seen);
    }

    // ------------------------------------------------------------------ pending tasks

    static class Pending {
        /** Sleeps long; notes its cancellation in {@code seen} as {@code mark}. */
        static void sleepNotingTheCancel(String mark) {
            try {
                sleep(100);
            } catch (CancelledException e) {
                seen.add(mark);
                throw e;
            }
        }

        @AsyncioTest
        void leavesATaskBehind() {
            createTask(() -> sleepNotingTheCancel("cancelled"), "forgotten-worker");
            sleep(1);
        }

        @AsyncioTest(allowPendingTasks = true)
        void leavesATaskBehind_allowed() {
            createTask(() -> sleepNotingTheCancel("cancelled-allowed"), "tolerated-worker");
        }
    }

    @Test
    void pendingTask_failsTheTest_namingItWithItsStack_andIsCancelled() {
        Throwable f = onlyFailure(run(Pending.class, "leavesATaskBehind"));
        assertInstanceOf(AssertionFailedError.class, f);
        assertContains(f.getMessage(), "1 task still pending when the test method returned",
                "forgotten-worker", "allowPendingTasks = true",
                "at org.asyncio4j.test.AsyncioExtensionTest$Pending.lambda$leavesATaskBehind$", "sleepNotingTheCancel");
        assertTrue(seen.contains("cancelled"), "the pending task was cancelled");
    }

    @Test
    void pendingTask_allowed_passes_andIsStillCancelled() {
        allPassed(run(Pending.class, "leavesATaskBehind_allowed"));
        assertTrue(seen.contains("cancelled-allowed"));
    }

    // ------------------------------------------------------------------ unretrieved exceptions

    static class Unretrieved {
        @AsyncioTest
        void taskFailsAndNobodyAwaitsIt() {
            createTask(() -> {
                throw new IllegalStateException("lost failure");
            }, "failing-worker");
            sleep(1);
        }

        @AsyncioTest(allowUnretrievedExceptions = true)
        void taskFailsAndNobodyAwaitsIt_allowed() {
            createTask(() -> {
                throw new IllegalStateException("lost failure");
            });
            sleep(1);
        }

        @AsyncioTest
        void taskFailsAndTheTestReadsIt() {
            Task<Void> t = createTask(() -> {
                throw new IllegalStateException("read failure");
            });
            sleep(1);
            assertEquals("read failure", t.exceptionNow().getMessage());
        }
    }

    @Test
    void unretrievedException_failsTheTest_withTheExceptionAttached() {
        Throwable f = onlyFailure(run(Unretrieved.class, "taskFailsAndNobodyAwaitsIt"));
        assertContains(f.getMessage(), "1 exception never retrieved", "failing-worker", "lost failure",
                "allowUnretrievedExceptions = true");
        assertTrue(Arrays.stream(f.getSuppressed()).anyMatch(s -> "lost failure".equals(s.getMessage())));
    }

    @Test
    void unretrievedException_allowed_orRead_passes() {
        allPassed(run(Unretrieved.class, "taskFailsAndNobodyAwaitsIt_allowed"));
        allPassed(run(Unretrieved.class, "taskFailsAndTheTestReadsIt"));
    }

    // ------------------------------------------------------------------ the exception handler

    static class Handler {
        @AsyncioTest
        void callbackFails() {
            getRunningLoop().callSoon(() -> {
                throw new IllegalArgumentException("callback failure");
            });
            sleep(0);
        }

        @AsyncioTest(allowHandlerExceptions = true)
        void callbackFails_allowed() {
            getRunningLoop().callSoon(() -> {
                throw new IllegalArgumentException("callback failure");
            });
            sleep(0);
        }

        @AsyncioTest
        void testReplacesTheHandler_itsReportsAreItsOwn() {
            getRunningLoop().setExceptionHandler((loop, context) -> seen.add("own handler: " + context.exception().getMessage()));
            getRunningLoop().callSoon(() -> {
                throw new IllegalArgumentException("handled");
            });
            sleep(0);
        }
    }

    @Test
    void exceptionReachingTheHandler_failsTheTest_withIt() {
        Throwable f = onlyFailure(run(Handler.class, "callbackFails"));
        assertContains(f.getMessage(), "1 exception reached the loop's exception handler", "callback failure",
                "allowHandlerExceptions = true");
        assertTrue(Arrays.stream(f.getSuppressed()).anyMatch(s -> "callback failure".equals(s.getMessage())));
    }

    @Test
    void exceptionReachingTheHandler_allowed_orHandledByTheTestsOwnHandler_passes() {
        allPassed(run(Handler.class, "callbackFails_allowed"));
        allPassed(run(Handler.class, "testReplacesTheHandler_itsReportsAreItsOwn"));
        assertEquals(Set.of("own handler: handled"), seen);
    }

    // ------------------------------------------------------------------ the test's own failure

    static class Failing {
        @AsyncioTest
        void assertionFails_andATaskIsLeftBehind() {
            createTask(() -> sleep(100), "left-behind");
            sleep(1);
            assertEquals(1, 2, "the fixture's own assertion");
        }
    }

    @Test
    void testsOwnFailure_isReported_withTheChecksFindingsSuppressed() {
        Throwable f = onlyFailure(run(Failing.class));
        assertContains(f.getMessage(), "the fixture's own assertion");
        assertTrue(Arrays.stream(f.getSuppressed()).anyMatch(s -> s.getMessage().contains("left-behind")),
                "the finding is attached: " + Arrays.toString(f.getSuppressed()));
    }

    // ------------------------------------------------------------------ the real-time limit

    static class Limit {
        @AsyncioTest(timeoutSeconds = 0.3)
        void waitsForeverOnAFuture() {
            createTask(() -> getRunningLoop().createFuture().await(), "helper-waiting");
            try {
                getRunningLoop().createFuture().await();
            } finally {
                seen.add("main cleaned up");
            }
        }

        static final CountDownLatch release = new CountDownLatch(1);

        @AsyncioTest(timeoutSeconds = 0.2)
        void holdsTheLoopsThread() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (release.getCount() > 0 && System.nanoTime() < end) {
                Thread.onSpinWait();              // CPU work: never gives the loop back
            }
        }

        @AsyncioTest
        @Timeout(value = 300, unit = TimeUnit.MILLISECONDS)
        void waitsForeverUnderJUnitsTimeout() {
            getRunningLoop().createFuture().await();
        }
    }

    @Test
    void realTimeLimit_failsTheTest_withTheTaskDump_andCancelsTheMainTask() {
        Throwable f = onlyFailure(run(Limit.class, "waitsForeverOnAFuture"));
        assertContains(f.getMessage(), "passed its real-time limit of 0.3 s", "main task was cancelled",
                "helper-waiting", " waitsForeverOnAFuture (", "AsyncioExtensionTest$Limit.waitsForeverOnAFuture(");
        assertTrue(seen.contains("main cleaned up"), "the cancelled main task ran its finally");
    }

    @Test
    void realTimeLimit_whenAStepHoldsTheLoopsThread_stillEndsTheTest_withTheThreadsStack() {
        try {
            Throwable f = onlyFailure(run(Limit.class, "holdsTheLoopsThread"));
            assertContains(f.getMessage(), "passed its real-time limit of 0.2 s", "did not end within 0.5 s more",
                    "holdsTheLoopsThread");
        } finally {
            Limit.release.countDown();
        }
    }

    @Test
    void junitsOwnTimeout_interruptingTheWait_isReported_withTheDumpSuppressed() {
        Throwable f = onlyFailure(run(Limit.class, "waitsForeverUnderJUnitsTimeout"));
        assertInstanceOf(TimeoutException.class, f);
        assertTrue(Arrays.stream(f.getSuppressed()).anyMatch(s -> s.getMessage().contains("was interrupted")
                && s.getMessage().contains(" waitsForeverUnderJUnitsTimeout (")), Arrays.toString(f.getSuppressed()));
    }

    // ------------------------------------------------------------------ parameterized and repeated tests

    @ExtendWith(AsyncioExtension.class)
    static class Templates {
        static final Set<EventLoop> loops = ConcurrentHashMap.newKeySet();

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3})
        void parameterized_eachOnItsOwnLoop(int n, EventLoop loop) {
            assertEquals(0.0, loop.time(), "a fresh loop: a shared one would be past 0");
            assertTrue(loops.add(loop));
            sleep(n);
            assertEquals(n, loop.time(), 1e-9);
        }

        @RepeatedTest(3)
        void repeated_eachOnItsOwnLoop(TestClock clock) {
            assertEquals(0.0, clock.time());
            assertTrue(loops.add(getRunningLoop()));
            sleep(5);
        }

        @Test
        void plainTest_inTheClass_runsOnALoopToo() {
            assertNotNull(currentTask());
        }
    }

    @AsyncioTest(allowPendingTasks = true)
    static class RelaxedClass {
        @ParameterizedTest
        @ValueSource(strings = {"a", "b"})
        void leavesATaskBehind_permittedByTheClassAnnotation(String s) {
            createTask(() -> sleep(100), "left-" + s);
        }

        @AsyncioTest
        void methodAnnotation_takesPrecedence() {
            createTask(() -> sleep(100), "not-permitted");
        }
    }

    @Test
    void parameterizedAndRepeatedTests_eachInvocationRunsOnItsOwnLoop() {
        Templates.loops.clear();
        assertEquals(7, allPassed(run(Templates.class)));
        assertEquals(6, Templates.loops.size());
    }

    @Test
    void classAnnotation_setsTheDefaultsForItsMethods_aMethodsOwnAnnotationWins() {
        var events = run(RelaxedClass.class);
        events.assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        assertContains(failures(events).get(0).getMessage(), "not-permitted");
    }

    // ------------------------------------------------------------------ misuse

    static class ClockOnRealTime {
        @AsyncioTest(virtualClock = false)
        void testClock_onTheRealClock(TestClock clock) {
        }
    }

    static class ClockInBeforeEach {
        TestClock fromBeforeEach;

        @BeforeEach
        void setUp(TestClock clock) {
            fromBeforeEach = clock;
        }

        @AsyncioTest
        void testClock_inABeforeEach() {
        }
    }

    static class BadLimit {
        @AsyncioTest(timeoutSeconds = 0)
        void zeroLimit() {
        }
    }

    @Test
    void misuse_failsWithAMessageSayingWhy() {
        assertContains(onlyFailure(run(ClockOnRealTime.class)).getMessage(), "a TestClock needs the virtual clock",
                "virtualClock = false");
        assertContains(onlyFailure(run(ClockInBeforeEach.class)).getMessage(), "a TestClock parameter goes on the test method",
                "setUp");
        assertContains(onlyFailure(run(BadLimit.class)).getMessage(), "timeoutSeconds = 0.0", "more than 0");
    }
}
