package org.asyncio4j.subprocess;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.asyncio4j.Asyncio.allTasks;
import static org.asyncio4j.Asyncio.createSubprocessExec;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.currentTask;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.asyncio4j.Asyncio;
import org.asyncio4j.CancellationHarness;
import org.asyncio4j.CancelledException;
import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.Task;
import org.asyncio4j.TaskGroup;
import org.asyncio4j.TestLoops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a subprocess leaves behind: {@link Subprocess#close()}, the loop's close, cancellation
 * at every suspension point of {@code communicate} and {@code waitFor}, and subprocess work
 * under the virtual clock (counted as off-loop work in flight, so timeouts do not overtake it).
 */
@Timeout(120)
class SubprocessLifecycleTest {

    /** The pump threads of process {@code pid} still alive. */
    private static List<String> pumpThreads(long pid) {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("asyncio4j-pipe-" + pid + "-")) {
                out.add(t.getName());
            }
        }
        return out;
    }

    private static void assertReleased(Process p) {
        assertFalse(p.isAlive(), "process " + p.pid() + " outlived its loop");
        assertEquals(List.of(), pumpThreads(p.pid()), "pump threads outlived their loop");
    }

    private static void assertOnlyTheCurrentTaskLeft() {
        assertEquals(Set.of(currentTask()), allTasks(), "a task that communicate started outlived it");
    }

    private static String str(byte[] b) {
        return new String(b, UTF_8);
    }

    // ------------------------------------------------------------------ close()

    @Test
    void close_ofARunningProcess_killsItAndEndsItsStreams() {
        Process proc = run(() -> {
            Subprocess p = createSubprocessExec("cat");
            p.close();
            p.close();                      // twice: nothing more happens
            assertEquals(137, p.waitFor());
            assertEquals(0, p.stdout().read(-1).length, "stdout is at its end once closed");
            assertTrue(p.stdin().isClosing());
            assertThrows(IOException.class, () -> p.stdin().write("late".getBytes(UTF_8)));
            return p.process();
        });
        assertReleased(proc);
    }

    @Test
    void close_afterTheProcessExited_keepsItsReturnCode() {
        run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "exit 3");
            assertEquals(3, p.waitFor());
            p.close();
            assertEquals(3, p.returnCode());
            assertEquals(3, p.waitFor());
        });
    }

    @Test
    void tryWithResources_killsAProcessStillRunningAtTheEndOfTheBlock() {
        run(() -> {
            Subprocess outer;
            try (Subprocess p = createSubprocessExec("sleep", "30")) {
                outer = p;
                assertNull(p.returnCode());
            }
            assertEquals(137, outer.waitFor());
        });
    }

    // ------------------------------------------------------------------ the loop's close

    @Test
    void loopClose_killsARunningSleepAndEndsItsPumpThreads() {
        Process proc = run(() -> createSubprocessExec("sleep", "30").process());
        assertReleased(proc);
    }

    @Test
    void loopClose_killsACatWaitingForInputAndEndsItsPumpThreads() {
        Process proc = run(() -> {
            Subprocess p = createSubprocessExec("cat");
            p.stdin().write("unread\n".getBytes(UTF_8));
            sleep(0.05);
            return p.process();
        });
        assertReleased(proc);
    }

    @Test
    void loopClose_withBackPressuredUnreadOutput_endsItsPumpThreads() {
        Process proc = run(() -> {
            Subprocess p = createSubprocessExec("head", "-c", "50000000", "/dev/zero");
            sleep(0.3);                     // the stdout pump now waits for the loop to take chunks
            return p.process();
        });
        assertReleased(proc);
    }

    @Test
    void loopClose_afterTheProcessEndedOnItsOwn_leavesNothingBehind() {
        Process proc = run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "echo left; exit 4");
            assertEquals(4, p.waitFor());
            return p.process();
        });
        assertReleased(proc);
        assertEquals(4, proc.exitValue());
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void communicate_cancelledWhileFeedingStdin_leavesNoReaderTask() {
        Process proc = run(() -> {
            Subprocess p = createSubprocessExec("sleep", "30");     // never reads its input
            Task<Subprocess.Output> comm = createTask(() -> p.communicate(new byte[8 << 20]));
            sleep(0.2);
            assertFalse(comm.isDone());
            comm.cancel();
            assertThrows(CancelledException.class, comm::await);
            assertOnlyTheCurrentTaskLeft();
            assertTrue(p.process().isAlive(), "a cancelled communicate leaves the process running");
            return p.process();
        });
        assertReleased(proc);
    }

    @Test
    void communicate_interruptedByItsTaskGroup_leavesNoReaderTask() {
        Process proc = run(() -> {
            Subprocess p = createSubprocessExec("sleep", "30");
            assertThrows(ExceptionGroup.class, () -> {
                try (TaskGroup tg = new TaskGroup()) {
                    tg.createTask(() -> {
                        sleep(0.1);
                        throw new IllegalStateException("a sibling failed");
                    });
                    p.communicate(null);
                }
            });
            assertOnlyTheCurrentTaskLeft();
            return p.process();
        });
        assertReleased(proc);
    }

    @Test
    void communicate_cancelledAtEverySuspensionPoint_leavesNoReaderTaskAndDoesNotKill() {
        List<Process> started = Collections.synchronizedList(new ArrayList<>());
        // more than the writer's high-water mark: drain() suspends, then the stdout reader
        byte[] input = "some input\n".repeat(100_000).getBytes(UTF_8);
        int points = CancellationHarness.everySuspensionPoint(CancellationHarness.named("comm"), run -> {
            Subprocess p = createSubprocessExec("cat");
            started.add(p.process());
            Task<Subprocess.Output> comm = createTask(() -> p.communicate(input), "comm");
            Subprocess.Output o = null;
            try {
                o = comm.await();
            } catch (CancelledException e) {
                assertTrue(run.injected(), "cancelled without an injection");
            }
            if (run.injected()) {
                assertTrue(comm.isCancelled(), "the cancel was lost: " + comm);
            } else {
                assertArrayEquals(input, o.stdout());
            }
            assertOnlyTheCurrentTaskLeft();
            Integer rc = p.returnCode();
            assertTrue(rc == null || rc == 0, "cancelling communicate must not stop the process: " + rc);
        });
        assertTrue(points >= 2, "only " + points + " suspension points");
        started.forEach(SubprocessLifecycleTest::assertReleased);
    }

    @Test
    void waitFor_cancelledAtEverySuspensionPoint_leavesTheProcessToItsEnd() {
        List<Process> started = Collections.synchronizedList(new ArrayList<>());
        CancellationHarness.everySuspensionPoint(CancellationHarness.named("waiter"), run -> {
            Subprocess p = createSubprocessExec("sh", "-c", "sleep 0.1; exit 3");
            started.add(p.process());
            Task<Integer> waiter = createTask(p::waitFor, "waiter");
            try {
                assertEquals(3, waiter.await());
                assertFalse(run.injected());
            } catch (CancelledException e) {
                assertTrue(run.injected(), "cancelled without an injection");
                assertTrue(waiter.isCancelled());
            }
            assertEquals(3, p.waitFor(), "cancelling waitFor must not stop the process");
        });
        started.forEach(SubprocessLifecycleTest::assertReleased);
    }

    // ------------------------------------------------------------------ the virtual clock

    @Test
    void communicate_underTheVirtualClock_returnsTheBytesBeforeA10sTimeout() {
        byte[] data = "through cat and back\n".repeat(1000).getBytes(UTF_8);
        byte[] out = TestLoops.runVc(() -> {
            Subprocess p = createSubprocessExec("cat");
            return Asyncio.waitFor(() -> p.communicate(data), Duration.ofSeconds(10)).stdout();
        });
        assertArrayEquals(data, out);
    }

    @Test
    void waitFor_underTheVirtualClock_returnsTheCodeOfAShortSleep() {
        int rc = TestLoops.runVc(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "sleep 0.2; exit 3");
            return Asyncio.waitFor(p::waitFor, Duration.ofSeconds(10));
        });
        assertEquals(3, rc);
        int plain = TestLoops.runVc(() -> {
            Subprocess p = createSubprocessExec("sleep", "0.2");
            return Asyncio.waitFor(p::waitFor, Duration.ofSeconds(10));
        });
        assertEquals(0, plain);
    }

    @Test
    void readLine_underTheVirtualClock_waitsForOutputThatComesLater() {
        String line = TestLoops.runVc(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "sleep 0.3; echo late");
            return str(Asyncio.waitFor(() -> p.stdout().readLine(), Duration.ofSeconds(10)));
        });
        assertEquals("late\n", line);
    }
}
