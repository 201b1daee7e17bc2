package org.asyncio4j.test;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.timeout;
import static org.asyncio4j.Asyncio.toThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Task;
import org.asyncio4j.sync.Event;

/** {@link TestClock}: stepping the virtual clock by hand from the test's main task. */
class TestClockTest {

    private static Duration secs(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** A task that sleeps {@code s} seconds, then logs its name and the time. */
    private static Task<Void> sleeper(List<String> log, String name, double s) {
        return createTask(() -> {
            sleep(s);
            log.add(name + "@" + getRunningLoop().time());
        }, name);
    }

    @AsyncioTest
    void advanceBy_runsTheTimersDueOnTheWay_inDeadlineOrder_andStopsAtTheTarget(TestClock clock) {
        List<String> log = new ArrayList<>();
        sleeper(log, "a", 1);
        sleeper(log, "b", 3);
        sleeper(log, "c", 2);
        Task<Void> d = sleeper(log, "d", 5);
        clock.advanceBy(Duration.ofSeconds(3));
        assertEquals(List.of("a@1.0", "c@2.0", "b@3.0"), log, "due at or before the target, in order");
        assertEquals(3.0, clock.time());
        assertFalse(d.isDone());
        clock.advanceBy(Duration.ofSeconds(2));
        assertEquals("d@5.0", log.get(3));
        assertEquals(5.0, clock.time());
    }

    @AsyncioTest
    void advanceBy_runsWhatATimerCausesAtItsInstant_beforeTimeMovesOn(TestClock clock) {
        List<String> log = new ArrayList<>();
        Event ev = new Event();
        createTask(() -> {
            sleep(1);
            ev.set();
        });
        createTask(() -> {
            ev.await();
            log.add("woken@" + getRunningLoop().time());
            getRunningLoop().callSoon(() -> log.add("callback@" + getRunningLoop().time()));
        });
        sleeper(log, "later", 1.5);
        clock.advanceBy(Duration.ofSeconds(2));
        assertEquals(List.of("woken@1.0", "callback@1.0", "later@1.5"), log);
    }

    @AsyncioTest
    void advanceBy_withNothingDue_movesTimeExactly(TestClock clock) {
        clock.advanceBy(secs(0.25));
        clock.advanceBy(Duration.ZERO);
        assertEquals(0.25, clock.time());
        assertEquals(0.25, getRunningLoop().time());
    }

    @AsyncioTest
    void advanceTo_movesToAnAbsoluteTime_andRefusesThePast(TestClock clock) {
        List<String> log = new ArrayList<>();
        sleeper(log, "a", 2);
        clock.advanceTo(2.5);
        assertEquals(List.of("a@2.0"), log);
        assertEquals(2.5, clock.time());
        clock.advanceTo(2.5);
        assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(1));
        assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> clock.advanceBy(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> clock.advanceBy(null));
        assertEquals(2.5, clock.time());
    }

    @AsyncioTest
    void runCurrent_runsReadyWorkAndWhatItMakesReady_withoutMovingTime(TestClock clock) {
        List<String> log = new ArrayList<>();
        createTask(() -> {
            log.add("t1");
            sleep(0);
            log.add("t1 again");
            createTask(() -> log.add("t2, created by t1"));
        });
        getRunningLoop().callSoon(() -> log.add("callback"));
        Task<Void> s = sleeper(log, "sleeper", 0.001);
        clock.runCurrent();
        assertEquals(List.of("t1", "callback", "t1 again", "t2, created by t1"), log);
        assertEquals(0.0, clock.time());
        assertFalse(s.isDone(), "a timer in the future does not run");
        s.cancel();
    }

    @AsyncioTest
    void runUntilIdle_jumpsThroughEveryTimer_includingTimersSetOnTheWay(TestClock clock) {
        List<String> log = new ArrayList<>();
        sleeper(log, "ten", 10);
        createTask(() -> {
            sleep(1);
            log.add("one@" + getRunningLoop().time());
            sleeper(log, "one+100", 100);
        });
        clock.runUntilIdle();
        assertEquals(List.of("one@1.0", "ten@10.0", "one+100@101.0"), log);
        assertEquals(101.0, clock.time());
    }

    @AsyncioTest
    void setAutoAdvanceFalse_timeStandsStill_evenWhileOffLoopWorkRuns(TestClock clock) {
        clock.setAutoAdvance(false);
        Task<Void> s = createTask(() -> sleep(1));
        // With auto-advance on, loop time would follow real time while the call runs.
        toThread(() -> {
            Thread.sleep(50);
            return null;
        });
        assertEquals(0.0, clock.time(), "no time passed without the clock");
        assertFalse(s.isDone());
        Task<Double> driver = createTask(() -> {
            clock.advanceBy(Duration.ofSeconds(1));
            return clock.time();
        });
        s.await();                        // ends only because the driver task advanced the clock
        assertEquals(1.0, driver.await());
    }

    @AsyncioTest
    void autoAdvance_isOnByDefault_andCanBeTurnedBackOn(TestClock clock) {
        sleep(7);
        assertEquals(7.0, clock.time());
        clock.setAutoAdvance(false);
        clock.setAutoAdvance(true);
        sleep(3);
        assertEquals(10.0, clock.time());
    }

    @AsyncioTest
    void advanceBy_insideATimeout_stopsAtItsDeadline_withAsyncTimeoutException(TestClock clock) {
        AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                () -> timeout(Duration.ofSeconds(1), () -> clock.advanceBy(Duration.ofSeconds(5))));
        assertInstanceOf(AsyncTimeoutException.class, e);
        assertEquals(1.0, clock.time());
    }

    @AsyncioTest
    void calls_outsideATaskOfTheLoop_throwIllegalStateException(TestClock clock) {
        List<Throwable> fromCallback = new ArrayList<>();
        getRunningLoop().callSoon(() -> {
            try {
                clock.runCurrent();
            } catch (Throwable t) {
                fromCallback.add(t);
            }
        });
        clock.runCurrent();
        assertInstanceOf(IllegalStateException.class, fromCallback.get(0));
        Throwable fromThread = toThread(() -> {
            try {
                clock.advanceBy(Duration.ofSeconds(1));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertInstanceOf(IllegalStateException.class, fromThread);
        assertTrue(fromThread.getMessage().contains("from a task of the test's event loop"), fromThread.getMessage());
        assertEquals(0.0, clock.time());
    }

    /** The example of {@link AsyncioTest}'s Javadoc. */
    @AsyncioTest
    void ticker_ticksOncePerSecond(TestClock clock) {
        List<Double> ticks = new ArrayList<>();
        Task<Void> ticker = createTask(() -> {
            while (true) {
                sleep(1);
                ticks.add(clock.time());
            }
        });
        clock.advanceBy(Duration.ofSeconds(3));
        assertEquals(List.of(1.0, 2.0, 3.0), ticks);
        ticker.cancel();                    // else the test fails: a task left pending
    }
}
