package org.asyncio4j;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link EventLoop#statistics()}: counts, loop lag, the longest timed step, any-thread reads. */
@Timeout(30)
class LoopStatisticsTest {

    private static void busyWait(long micros) {
        long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void statistics_countTasksStepsCallbacksAndTurns() {
        try (Runner runner = new Runner(TestLoops.VC)) {
            EventLoop loop = runner.getLoop();
            LoopStatistics before = loop.statistics();
            assertEquals(0, before.tasks());
            assertEquals(0, before.steps());
            LoopStatistics inside = runner.run(() -> {
                List<Task<Void>> workers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    workers.add(createTask(() -> {
                        sleep(0);
                        sleep(0);
                    }));
                }
                for (int i = 0; i < 5; i++) {
                    getRunningLoop().callSoon(() -> { });
                }
                sleep(10);                                   // a timer, on the virtual clock
                LoopStatistics s = getRunningLoop().statistics();
                gather(workers);
                return s;
            });
            assertEquals(1, inside.tasks(), "only the main task is left once the workers ended: " + inside);
            assertEquals(0, inside.timers(), inside.toString());
            LoopStatistics after = loop.statistics();
            // Each worker: its first step and one after each sleep(0), so 3 steps; plus the main task's.
            assertTrue(after.steps() >= 3 * 3 + 2, after.toString());
            assertTrue(after.callbacks() >= 5 + 1, "five callSoon callbacks and the sleep's timer: " + after);
            assertTrue(after.iterations() >= 3, after.toString());
            assertTrue(after.iterations() <= after.steps() + after.callbacks() + 2, after.toString());
            assertEquals(Duration.ZERO, after.lag(), "on the virtual clock a timer runs exactly at its deadline");
        }
    }

    @Test
    void statistics_countLiveTasksReadyEntriesAndTimers_whileTheyArePending() {
        try (Runner runner = new Runner(TestLoops.VC)) {
            LoopStatistics s = runner.run(() -> {
                createTask(() -> sleep(5), "sleeper-1");
                createTask(() -> sleep(5), "sleeper-2");
                sleep(0);                                    // both start and sleep
                getRunningLoop().callSoon(() -> { });
                getRunningLoop().callSoon(() -> { });
                return getRunningLoop().statistics();
            });
            assertEquals(3, s.tasks(), s.toString());
            assertEquals(2, s.timers(), s.toString());
            assertEquals(2, s.ready(), "the two callbacks not yet run: " + s);
            assertEquals(0, s.ioWaiters(), s.toString());
        }
    }

    @Test
    void lag_showsALoopStarvedByManyShortSteps_whichNoStepThresholdCatches() {
        // 100 tasks each holding the loop 2 ms per step: no step comes near debug mode's 100 ms,
        // yet every turn takes about 200 ms, so a timer due meanwhile runs that late.
        List<ExceptionContext> slowReports = new ArrayList<>();
        LoopStatistics s = Asyncio.run(() -> {
            getRunningLoop().setExceptionHandler((l, c) -> slowReports.add(c));
            List<Task<Void>> workers = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
            for (int i = 0; i < 100; i++) {
                workers.add(createTask(() -> {
                    while (System.nanoTime() < end) {
                        busyWait(2_000);
                        sleep(0);
                    }
                }));
            }
            sleep(0.05);
            LoopStatistics during = getRunningLoop().statistics();
            gather(workers);
            return during;
        }, RunOptions.defaults().withDebug(true));
        assertTrue(s.lag().toMillis() >= 100, "a 50 ms sleep among 100 busy tasks should run well over 100 ms late: " + s);
        assertTrue(s.longestStep().compareTo(Duration.ZERO) > 0, "debug mode times steps: " + s);
        assertTrue(s.lag().compareTo(s.longestStep().multipliedBy(5)) > 0,
                "the lag is many steps long, not one long step: " + s);
    }

    @Test
    void longestStep_isZero_whenNoStepWasTimed() {
        LoopStatistics s = Asyncio.run(() -> {
            busyWait(20_000);
            sleep(0);
            return getRunningLoop().statistics();
        });
        assertEquals(Duration.ZERO, s.longestStep(), "outside debug mode (and JFR's SlowStep) steps are not timed");
        assertNull(s.longestStepTask());
    }

    @Test
    void longestStep_inDebugMode_isTheLongestStep_andNamesItsTask() {
        LoopStatistics s = Asyncio.run(() -> {
            getRunningLoop().setExceptionHandler((l, c) -> { });     // the slow-step report
            createTask(() -> {
                sleep(0);
                busyWait(150_000);
            }, "the-busy-one").await();
            createTask(() -> sleep(0.001), "a-quick-one").await();
            return getRunningLoop().statistics();
        }, RunOptions.defaults().withDebug(true));
        assertTrue(s.longestStep().toMillis() >= 150, s.toString());
        assertEquals("the-busy-one", s.longestStepTask(), s.toString());
    }

    @Test
    void statistics_fromAnotherThread_whileTheLoopRuns_seesItsTasks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        AtomicReference<EventLoop> loopRef = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().start(() -> Asyncio.run(() -> {
            loopRef.set(getRunningLoop());
            for (int i = 0; i < 10; i++) {
                createTask(() -> sleep(60), "parked-" + i);
            }
            sleep(0);
            started.countDown();
            while (read.getCount() > 0) {
                sleep(0.01);
            }
            for (Task<?> t : Asyncio.allTasks()) {
                if (t != Asyncio.currentTask()) {
                    t.cancel();
                }
            }
        }));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        LoopStatistics s = loopRef.get().statistics();
        read.countDown();
        runner.join();
        assertEquals(11, s.tasks(), s.toString());
        assertTrue(s.timers() >= 10, s.toString());
    }

    @Test
    void toString_namesTheLoop() {
        try (Runner runner = new Runner()) {
            String s = runner.getLoop().toString();
            assertTrue(s.matches("EventLoop\\[idle name=loop-\\d+ .*"), s);
        }
    }

    @Test
    void record_rejectsNullDurationsAndNegativeCounts() {
        assertThrows(NullPointerException.class,
                () -> new LoopStatistics(0, 0, 0, 0, 0, 0, 0, null, null, Duration.ZERO));
        assertThrows(NullPointerException.class,
                () -> new LoopStatistics(0, 0, 0, 0, 0, 0, 0, Duration.ZERO, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LoopStatistics(-1, 0, 0, 0, 0, 0, 0, Duration.ZERO, null, Duration.ZERO));
    }
}
