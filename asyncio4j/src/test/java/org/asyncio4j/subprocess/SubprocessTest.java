package org.asyncio4j.subprocess;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.asyncio4j.Asyncio.createSubprocess;
import static org.asyncio4j.Asyncio.createSubprocessExec;
import static org.asyncio4j.Asyncio.createSubprocessShell;
import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Asyncio;
import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionGroup;
import org.asyncio4j.Task;
import org.asyncio4j.internal.Cancellation;
import org.asyncio4j.internal.TaskImpl;
import org.asyncio4j.streams.StreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of CPython's Lib/test/test_asyncio/test_subprocess.py, adapted to
 * {@link Subprocess} and {@code Asyncio.createSubprocess*}. Real clock, standard Linux programs.
 */
@Timeout(60)
class SubprocessTest {

    /** A task that ticks every 10 ms and records the longest real-time gap between ticks. */
    private static final class Ticker {
        final AtomicInteger ticks = new AtomicInteger();
        final AtomicLong maxGapNanos = new AtomicLong();
        Task<Void> task;

        Ticker start() {
            task = createTask(() -> {
                long last = System.nanoTime();
                while (true) {
                    sleep(0.01);
                    long now = System.nanoTime();
                    maxGapNanos.accumulateAndGet(now - last, Math::max);
                    last = now;
                    ticks.incrementAndGet();
                }
            });
            return this;
        }

        double maxGapSeconds() {
            return maxGapNanos.get() / 1e9;
        }
    }

    private static byte[] readAll(StreamReader r) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] chunk;
        while ((chunk = r.read(100_000)).length > 0) {
            b.write(chunk);
        }
        return b.toByteArray();
    }

    private static String str(byte[] b) {
        return new String(b, UTF_8);
    }

    private static byte[] pattern(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 31 + (i >>> 11));
        }
        return data;
    }

    // ------------------------------------------------------------------ pipes

    @Test
    void stdinToStdout_throughCat_roundTrips() {
        String out = run(() -> {
            Subprocess p = createSubprocessExec("cat");
            p.stdin().write("some data\nmore".getBytes(UTF_8));
            p.stdin().drain();
            p.stdin().close();
            String s = str(p.stdout().read(-1));
            assertEquals(0, p.waitFor());
            assertEquals(0, p.returnCode());
            return s;
        });
        assertEquals("some data\nmore", out);
    }

    @Test
    void communicate_returnsStdoutAndStderrAndExitCodeZero() {
        run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "cat; echo oops >&2");
            Subprocess.Output o = p.communicate("hello\n".getBytes(UTF_8));
            assertEquals("hello\n", str(o.stdout()));
            assertEquals("oops\n", str(o.stderr()));
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void communicate_withNullInput_closesStdinSoCatEndsWithNoOutput() {
        run(() -> {
            Subprocess p = createSubprocessExec("cat");
            Subprocess.Output o = p.communicate(null);
            assertEquals(0, o.stdout().length);
            assertEquals(0, o.stderr().length);
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void communicate_withEmptyInput_sendsNothingAndClosesStdin() {
        run(() -> {
            Subprocess p = createSubprocessExec("wc", "-c");
            Subprocess.Output o = p.communicate(new byte[0]);
            assertEquals("0", str(o.stdout()).trim());
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void communicate_stdinIsNotInheritedByAnotherProcess() {
        run(() -> {
            // if the second process inherited the first one's stdin pipe, wc would never see EOF
            Subprocess first = createSubprocessExec("wc", "-c");
            Subprocess second = createSubprocessExec("sleep", "30");
            try {
                Subprocess.Output o = first.communicate("abc".getBytes(UTF_8));
                assertEquals("3", str(o.stdout()).trim());
                assertEquals(0, first.returnCode());
                assertNull(second.returnCode());
            } finally {
                second.kill();
            }
            assertEquals(137, second.waitFor());
        });
    }

    @Test
    void communicate_programThatDoesNotReadStdin_ignoresBrokenPipe() {
        run(() -> {
            Subprocess p = createSubprocessExec("echo", "done");
            // far more than a pipe holds: the writes must hit EPIPE once echo has exited
            Subprocess.Output o = p.communicate(new byte[4 * 1024 * 1024]);
            assertEquals("done\n", str(o.stdout()));
            assertEquals(0, o.stderr().length);
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void stdout_largeOutput_isReadFullyWhileTheLoopKeepsTicking() {
        run(() -> {
            Ticker t = new Ticker().start();
            // the pause in the middle makes a blocked loop visible as a long gap between ticks
            Subprocess p = createSubprocessShell(
                    "head -c 2500000 /dev/zero; sleep 0.4; head -c 2500000 /dev/zero");
            byte[] out = readAll(p.stdout());
            assertEquals(0, p.waitFor());
            sleep(0.05);
            assertEquals(5_000_000, out.length);
            for (byte b : out) {
                if (b != 0) {
                    throw new AssertionError("corrupted output: a non-zero byte");
                }
            }
            assertTrue(t.ticks.get() >= 10, "the ticker ticked only " + t.ticks.get() + " times");
            assertTrue(t.maxGapSeconds() < 0.3, "the loop was blocked for " + t.maxGapSeconds() + " s");
        });
    }

    @Test
    void stdout_notRead_backPressuresTheProcessUntilReadThenDeliversAll() {
        run(() -> {
            Subprocess p = createSubprocessExec("head", "-c", "5000000", "/dev/zero");
            try {
                sleep(0.5);
                assertTrue(p.process().isAlive(), "nobody reads stdout, yet the process could write 5 MB");
                assertNull(p.returnCode());
                byte[] out = readAll(p.stdout());
                assertEquals(5_000_000, out.length);
                assertEquals(0, p.waitFor());
            } finally {
                p.kill();
            }
        });
    }

    @Test
    void stdin_largeInputThroughCatWithDrain_roundTripsIntact() {
        byte[] data = pattern(3_000_000);
        byte[] echoed = run(() -> {
            Subprocess p = createSubprocessExec("cat");
            Task<byte[]> reader = createTask(() -> readAll(p.stdout()));
            for (int off = 0; off < data.length; off += 50_000) {
                p.stdin().write(Arrays.copyOfRange(data, off, Math.min(data.length, off + 50_000)));
                p.stdin().drain();
            }
            p.stdin().close();
            byte[] r = reader.await();
            assertEquals(0, p.waitFor());
            return r;
        });
        assertEquals(data.length, echoed.length);
        assertArrayEquals(data, echoed);
    }

    @Test
    void communicate_largeInputAndOutput_doesNotDeadlock() {
        byte[] data = pattern(3_000_000);
        run(() -> {
            Subprocess p = createSubprocessExec("cat");
            Subprocess.Output o = p.communicate(data);
            assertArrayEquals(data, o.stdout());
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void communicate_largeStderrAndStdout_areBothCollected() {
        run(() -> {
            Subprocess p = createSubprocessShell("head -c 2000000 /dev/zero >&2; head -c 1500000 /dev/zero; echo end >&2");
            Subprocess.Output o = p.communicate(null);
            assertEquals(1_500_000, o.stdout().length);
            assertEquals(2_000_004, o.stderr().length);
            assertEquals("end\n", str(Arrays.copyOfRange(o.stderr(), 2_000_000, 2_000_004)));
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void stdin_writeEof_endsTheInputOfCat() {
        run(() -> {
            Subprocess p = createSubprocessExec("cat");
            assertTrue(p.stdin().canWriteEof());
            p.stdin().write("half".getBytes(UTF_8));
            p.stdin().writeEof();
            assertThrows(IOException.class, () -> p.stdin().write("more".getBytes(UTF_8)));
            assertEquals("half", str(p.stdout().read(-1)));
            assertEquals(0, p.waitFor());
        });
    }

    @Test
    void stdin_drainOnAProcessThatDoesNotRead_suspendsFlowControl() {
        run(() -> {
            Subprocess p = createSubprocessExec("sleep", "30");
            try {
                byte[] big = new byte[4 * 1024 * 1024];
                // Python: the transport buffers what the pipe cannot take, so drain() waits
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.waitFor(() -> {
                    p.stdin().write(big);
                    p.stdin().drain();
                    return "drained";
                }, Duration.ofMillis(700)));
            } finally {
                p.kill();
            }
            assertEquals(137, p.waitFor());
        });
    }

    @Test
    void stdin_writeAndDrainAfterTheProcessExited_raisesIOException() {
        run(() -> {
            Subprocess p = createSubprocessExec("true");
            assertEquals(0, p.waitFor());
            // Python's test_stdin_broken_pipe: BrokenPipeError / ConnectionResetError from drain()
            assertThrows(IOException.class, () -> {
                p.stdin().write(new byte[1024 * 1024]);
                p.stdin().drain();
            });
        });
    }

    @Test
    void stderr_isSeparateFromStdout() {
        run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2");
            Task<byte[]> err = createTask(() -> p.stderr().read(-1));
            byte[] out = p.stdout().read(-1);
            assertEquals("out1\nout2\n", str(out));
            assertEquals("err1\nerr2\n", str(err.await()));
            assertEquals(0, p.waitFor());
        });
    }

    @Test
    void stdout_readAfterTheProcessExited_stillGivesItsOutput() {
        run(() -> {
            Subprocess p = createSubprocessExec("printf", "left behind");
            assertEquals(0, p.waitFor());
            assertEquals("left behind", str(p.stdout().read(-1)));
            assertEquals(0, p.stdout().read(-1).length);
            assertTrue(p.stdout().atEof());
        });
    }

    @Test
    void readLine_overProcessOutput_givesLineByLineThenThePartialLastThenEmpty() {
        List<String> lines = run(() -> {
            Subprocess p = createSubprocessExec("printf", "one\\ntwo\\n\\nthree");
            List<String> ls = new ArrayList<>();
            byte[] line;
            while ((line = p.stdout().readLine()).length > 0) {
                ls.add(str(line));
            }
            assertEquals(0, p.stdout().readLine().length);
            assertEquals(0, p.waitFor());
            return ls;
        });
        assertEquals(List.of("one\n", "two\n", "\n", "three"), lines);
    }

    // ------------------------------------------------------------------ exit codes and signals

    @Test
    void waitFor_returnsTheExitCode() {
        int rc = run(() -> createSubprocessExec("sh", "-c", "exit 7").waitFor());
        assertEquals(7, rc);
    }

    @Test
    void returnCode_isNullWhileRunningThenSet() {
        run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "sleep 0.3; exit 3");
            assertNull(p.returnCode());
            assertTrue(p.toString().contains("running"), p.toString());
            assertEquals(3, p.waitFor());
            assertEquals(3, p.returnCode());
            assertTrue(p.toString().contains("returncode=3"), p.toString());
        });
    }

    @Test
    void waitFor_fromSeveralTasks_allGetTheCode() {
        List<Integer> codes = run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "sleep 0.2; exit 5");
            return gather(() -> p.waitFor(), () -> p.waitFor(), () -> p.waitFor());
        });
        assertEquals(List.of(5, 5, 5), codes);
    }

    @Test
    void terminate_stopsTheProcessWithSigterm() {
        run(() -> {
            Subprocess p = createSubprocessExec("sleep", "30");
            try {
                sleep(0.1);
                assertNull(p.returnCode());
                p.terminate();
                assertEquals(143, p.waitFor());
                assertEquals(143, p.returnCode());
            } finally {
                p.kill();
            }
        });
    }

    @Test
    void kill_stopsTheProcessWithSigkill() {
        run(() -> {
            Subprocess p = createSubprocessExec("sleep", "30");
            sleep(0.1);
            p.kill();
            assertEquals(137, p.waitFor());
            assertEquals(137, p.returnCode());
        });
    }

    @Test
    void kill_ofAProcessThatIgnoresSigterm_stillStopsIt() {
        run(() -> {
            // Python's test_send_signal flavour: an ignored SIGTERM (kept across exec) leaves the
            // process alive, SIGKILL does not
            Subprocess p = createSubprocessExec("sh", "-c", "trap '' TERM; echo ready; exec sleep 30");
            try {
                assertEquals("ready\n", str(p.stdout().readLine()));
                p.terminate();
                sleep(0.3);
                assertNull(p.returnCode(), "a process ignoring SIGTERM should still run");
                p.kill();
                assertEquals(137, p.waitFor());
            } finally {
                p.kill();
            }
        });
    }

    @Test
    void pid_isPositiveAndThatOfTheProcess() {
        run(() -> {
            Subprocess p = createSubprocessExec("sh", "-c", "echo $$");
            assertTrue(p.pid() > 0);
            assertEquals(p.process().pid(), p.pid());
            assertEquals(p.pid(), Long.parseLong(str(p.stdout().read(-1)).trim()));
            assertTrue(p.toString().contains(Long.toString(p.pid())), p.toString());
            assertEquals(0, p.waitFor());
        });
    }

    // ------------------------------------------------------------------ the three factories

    @Test
    void createSubprocess_discardedAndInheritedStreams_areNotPiped() {
        run(() -> {
            ProcessBuilder b = new ProcessBuilder("cat")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Subprocess p = createSubprocess(b);
            assertNotNull(p.stdin());
            assertNull(p.stdout());
            assertNull(p.stderr());
            Subprocess.Output o = p.communicate("to nowhere".getBytes(UTF_8));
            assertEquals(0, o.stdout().length);
            assertEquals(0, o.stderr().length);
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void createSubprocess_inputFromAFileAndMergedStderr_pipesOnlyStdout() {
        run(() -> {
            ProcessBuilder b = new ProcessBuilder("sh", "-c", "cat; echo err >&2")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true);
            Subprocess p = createSubprocess(b);
            assertNull(p.stdin());
            assertNotNull(p.stdout());
            assertNull(p.stderr());
            Subprocess.Output o = p.communicate(null);
            assertEquals("err\n", str(o.stdout()));
            assertEquals(0, o.stderr().length);
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void createSubprocess_usesTheBuildersEnvironmentAndDirectory() {
        run(() -> {
            ProcessBuilder b = new ProcessBuilder("sh", "-c", "echo \"$FOO\"; pwd").directory(new File("/tmp"));
            b.environment().put("FOO", "bar baz");
            Subprocess p = createSubprocess(b);
            assertEquals("bar baz\n/tmp\n", str(p.communicate(null).stdout()));
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void createSubprocessShell_runsAPipeline() {
        run(() -> {
            Subprocess p = createSubprocessShell("echo a b | tr \" \" \"\\n\"");
            Subprocess.Output o = p.communicate(null);
            assertEquals("a\nb\n", str(o.stdout()));
            assertEquals(0, p.returnCode());
        });
    }

    @Test
    void createSubprocessShell_reportsTheShellsExitCode() {
        run(() -> {
            Subprocess p = createSubprocessShell("echo x >&2; exit 42");
            Subprocess.Output o = p.communicate(null);
            assertEquals("x\n", str(o.stderr()));
            assertEquals(42, p.returnCode());
        });
    }

    @Test
    void createSubprocessExec_nonExistentProgram_throwsIOException() {
        run(() -> {
            assertThrows(IOException.class, () -> createSubprocessExec("/nonexistent/asyncio4j-no-such-program"));
            assertThrows(IOException.class,
                    () -> createSubprocess(new ProcessBuilder("true").directory(new File("/nonexistent-dir-asyncio4j"))));
        });
    }

    @Test
    void factories_rejectNullAndEmptyArguments() {
        run(() -> {
            assertThrows(NullPointerException.class, () -> createSubprocess(null));
            assertThrows(NullPointerException.class, () -> createSubprocessExec((String[]) null));
            assertThrows(NullPointerException.class, () -> createSubprocessExec("echo", null));
            assertThrows(IllegalArgumentException.class, () -> createSubprocessExec());
            assertThrows(NullPointerException.class, () -> createSubprocessShell(null));
        });
    }

    @Test
    void factories_outsideATask_throwIllegalStateException() {
        assertThrows(IllegalStateException.class, () -> createSubprocess(new ProcessBuilder("true")));
        assertThrows(IllegalStateException.class, () -> createSubprocessExec("true"));
        assertThrows(IllegalStateException.class, () -> createSubprocessShell("true"));
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void waitFor_cancelled_raisesCancelledExceptionAndLeavesTheProcessRunning() {
        run(() -> {
            Subprocess p = createSubprocessExec("sleep", "30");
            try {
                Task<Integer> waiter = createTask(() -> p.waitFor());
                sleep(0.1);
                assertFalse(waiter.isDone());
                assertTrue(waiter.cancel());
                assertThrows(CancelledException.class, waiter::await);
                assertTrue(waiter.isCancelled());
                sleep(0.2);
                assertTrue(p.process().isAlive(), "cancelling waitFor() must not stop the process");
                assertNull(p.returnCode());
                p.kill();
                assertEquals(137, p.waitFor());
            } finally {
                p.kill();
            }
        });
    }

    /**
     * An executor that makes the cancellation land between the end of the fork and the task's
     * resumption: it holds the loop still while the call runs, then queues the cancellation
     * right behind the call's result.
     */
    private static final class CancelAfterEachCall extends AbstractExecutorService {
        private final ExecutorService inner = Executors.newSingleThreadExecutor();
        private final EventLoop loop;
        private final Consumer<Task<?>> stop;
        final AtomicReference<Task<?>> victim = new AtomicReference<>();

        CancelAfterEachCall(EventLoop loop) {
            this(loop, Task::cancel);
        }

        /** {@code stop}: what lands on the victim right behind the call's result. */
        CancelAfterEachCall(EventLoop loop, Consumer<Task<?>> stop) {
            this.loop = loop;
            this.stop = stop;
        }

        @Override
        public void execute(Runnable call) {
            inner.execute(() -> {
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                loop.callSoonThreadsafe(() -> {
                    held.countDown();
                    awaitQuietly(release);
                });
                awaitQuietly(held);
                try {
                    call.run();     // the fork: its result is now queued for the loop
                    loop.callSoonThreadsafe(() -> stop.accept(victim.get()));
                } finally {
                    release.countDown();
                }
            });
        }

        @Override
        public void shutdown() {
            inner.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return inner.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return inner.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return inner.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return inner.awaitTermination(timeout, unit);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void createSubprocessExec_cancelledWhileStarting_leavesNoProcessBehind() throws Exception {
        String marker = "asyncio4j-" + UUID.randomUUID();
        run(() -> {
            CancelAfterEachCall ex = new CancelAfterEachCall(getRunningLoop());
            getRunningLoop().setDefaultExecutor(ex);
            // `read` keeps the shell alive (its stdin is a pipe nobody closes); $0 carries the marker
            Task<Subprocess> starter = createTask(() -> createSubprocessExec("sh", "-c", "read x", marker));
            ex.victim.set(starter);
            assertThrows(CancelledException.class, starter::await);
            assertNoProcessMarked(marker);  // before the loop's close, which kills what is left
        });
    }

    @Test
    void createSubprocessExec_interruptedByATaskGroupWhileStarting_leavesNoProcessBehind() throws Exception {
        String marker = "asyncio4j-" + UUID.randomUUID();
        ExceptionGroup interruption = Cancellation.groups().create("a sibling failed", true);
        run(() -> {
            // A try-form group stops its body with the group itself at the body's suspension
            // point: here, the one where the fork's result arrives.
            CancelAfterEachCall ex = new CancelAfterEachCall(getRunningLoop(),
                    t -> ((TaskImpl<?>) t).requestCancel(null, interruption, null));
            getRunningLoop().setDefaultExecutor(ex);
            Task<Subprocess> starter = createTask(() -> createSubprocessExec("sh", "-c", "read x", marker));
            ex.victim.set(starter);
            assertSame(interruption, assertThrows(ExceptionGroup.class, starter::await));
            assertNoProcessMarked(marker);
        });
    }

    private static void assertNoProcessMarked(String marker) throws Exception {
        Callable<Optional<ProcessHandle>> leaked = () -> ProcessHandle.current().descendants()
                .filter(h -> h.isAlive() && h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .findFirst();
        Optional<ProcessHandle> h = leaked.call();
        for (int i = 0; i < 20 && h.isPresent(); i++) {   // a kill takes a moment to be seen
            Thread.sleep(50);
            h = leaked.call();
        }
        h.ifPresent(ProcessHandle::destroyForcibly);
        // Python (test_cancel_make_subprocess_transport_exec): the transport is closed, the process killed
        assertTrue(h.isEmpty(), "a process started for a cancelled task is still running: pid " + h.map(ProcessHandle::pid));
    }

    // ------------------------------------------------------------------ concurrency and the loop

    @Test
    void severalProcesses_runConcurrently() {
        long t0 = System.nanoTime();
        List<String> outs = run(() -> gather(IntStream.range(0, 5)
                .mapToObj(i -> createTask(() -> {
                    Subprocess p = createSubprocessExec("sh", "-c", "sleep 0.5; echo " + i);
                    String s = str(p.communicate(null).stdout());
                    assertEquals(0, p.returnCode());
                    return s;
                }))
                .toList()));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        assertEquals(List.of("0\n", "1\n", "2\n", "3\n", "4\n"), outs);
        assertTrue(elapsed < 2.0, "five 0.5 s processes took " + elapsed + " s");
    }

    @Test
    void loopIsNotBlocked_whileAProcessSleepsWithoutOutput() {
        run(() -> {
            Ticker t = new Ticker().start();
            Subprocess p = createSubprocessExec("sh", "-c", "sleep 1; echo late");
            long t0 = System.nanoTime();
            assertEquals("late\n", str(p.stdout().readLine()));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, p.waitFor());
            assertTrue(elapsed >= 0.9, "the line came after " + elapsed + " s");
            assertTrue(t.ticks.get() >= 20, "the ticker ticked only " + t.ticks.get() + " times in 1 s");
            assertTrue(t.maxGapSeconds() < 0.5, "the loop was blocked for " + t.maxGapSeconds() + " s");
        });
    }

    @Test
    void stdin_waitClosed_waitsUntilThePumpHasWrittenEverything() throws Exception {
        // Regression: waitClosed() returned while the pump still held the data. 128 KiB is the
        // pipe's 64 KiB buffer plus one 64 KiB chunk in the pump's hands, so the writer's own
        // buffer empties at once; the process reads nothing for 0.5 s, so the data cannot have
        // reached it before then.
        double elapsed = org.asyncio4j.Asyncio.run(() -> {
            Subprocess p = org.asyncio4j.Asyncio.createSubprocessExec("sh", "-c", "sleep 0.5; cat > /dev/null");
            long t0 = System.nanoTime();
            p.stdin().write(new byte[128 * 1024]);
            p.stdin().close();
            p.stdin().waitClosed();
            double dt = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, p.waitFor());
            return dt;
        });
        assertTrue(elapsed >= 0.4, "waitClosed returned after " + elapsed + " s, before the process read the data");
    }
}
