package org.asyncio4j.protocols;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviours of CPython's subprocess protocol tests (test_events' SubprocessTestsMixin with its
 * MySubprocessProtocol) on {@code EventLoop.subprocessExec}/{@code subprocessShell}: cat echoing
 * stdin, exit codes, kill and terminate, stderr, close killing a running process, the callback
 * order, flow control both ways, a throwing callback. Real clock, standard Linux programs.
 */
@Timeout(60)
class SubprocessProtocolTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    /** Records every callback, checks the state machine as MySubprocessProtocol does. */
    static class Recorder implements SubprocessProtocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream[] data = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        final Future<Void> connected;
        final Future<Void> completed;
        final List<Future<Exception>> disconnects = new ArrayList<>();
        SubprocessTransport transport;
        Integer returncodeAtExit;
        Exception lostWith;
        String state = "INITIAL";
        int pauses;
        int resumes;

        Recorder(EventLoop loop) {
            connected = loop.createFuture();
            completed = loop.createFuture();
            for (int fd = 0; fd < 3; fd++) {
                disconnects.add(loop.createFuture());
            }
        }

        final List<String> violations = new ArrayList<>();   // a throw in a callback only reaches the handler

        private void expect(String s) {
            if (!state.equals(s)) {
                violations.add("state " + state + ", expected " + s + "; events " + events);
                throw new AssertionError(violations.getLast());
            }
        }

        @Override
        public void connectionMade(SubprocessTransport t) {
            expect("INITIAL");
            state = "CONNECTED";
            transport = t;
            events.add("made");
            connected.setResult(null);
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer buf) {
            expect("CONNECTED");
            if (disconnects.get(fd).isDone()) {
                violations.add("data on fd " + fd + " after its pipeConnectionLost");
            }
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            data[fd].writeBytes(b);
            if (events.isEmpty() || !events.getLast().equals("data" + fd)) {
                events.add("data" + fd);
            }
        }

        @Override
        public void pipeConnectionLost(int fd, Exception failure) {
            expect("CONNECTED");
            events.add("pipeLost" + fd);
            disconnects.get(fd).setResult(failure);
        }

        @Override
        public void processExited() {
            expect("CONNECTED");
            events.add("exited");
            returncodeAtExit = transport.getReturncode();
        }

        @Override
        public void connectionLost(Exception failure) {
            expect("CONNECTED");
            state = "CLOSED";
            events.add("lost");
            lostWith = failure;
            completed.setResult(null);
        }

        @Override
        public void pauseWriting() {
            pauses++;
        }

        @Override
        public void resumeWriting() {
            resumes++;
        }

        String out(int fd) {
            return data[fd].toString(US_ASCII);
        }

        /** connectionMade first, connectionLost once and last, each pipe lost once, one exit. */
        void assertLifecycle() {
            assertEquals(List.of(), violations);
            assertEquals("made", events.getFirst(), events.toString());
            assertEquals("lost", events.getLast(), events.toString());
            for (String once : new String[] {"made", "exited", "pipeLost0", "pipeLost1", "pipeLost2", "lost"}) {
                assertEquals(1, events.stream().filter(once::equals).count(), once + " once: " + events);
            }
            for (int fd = 1; fd <= 2; fd++) {
                int lost = events.indexOf("pipeLost" + fd);
                assertTrue(events.lastIndexOf("data" + fd) < lost, "fd " + fd + "'s data before its loss: " + events);
            }
            assertNotNull(returncodeAtExit, "processExited sees the return code");
        }
    }

    private static void await(Future<?> f) {
        waitFor(f, LIMIT);
    }

    @Test
    void cat_echoesWhatIsWrittenToStdin_thenExitsZero_withPythonsCallbackOrder() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessExec(() -> new Recorder(loop), "cat");
            Recorder p = tp.protocol();
            assertTrue(p.connected.isDone(), "connectionMade has run when subprocessExec returns");
            assertSame(tp.transport(), p.transport);
            assertNull(tp.transport().getReturncode(), "running: no return code");
            Transport stdin = tp.transport().getPipeTransport(0);
            stdin.write("Python The Winner".getBytes(US_ASCII));
            while (p.data[1].size() < 17) {
                sleep(0.01);
            }
            stdin.close();
            await(p.completed);
            assertEquals("Python The Winner", p.out(1));
            assertEquals(0, tp.transport().getReturncode());
            assertEquals(0, p.returncodeAtExit);
            assertNull(p.disconnects.get(0).resultNow());
            assertNull(p.lostWith);
            p.assertLifecycle();
            assertEquals(List.of("made", "data1", "pipeLost0"), p.events.subList(0, 3), p.events.toString());
        });
    }

    @Test
    void interactive_eachLineIsEchoedBeforeTheNextIsWritten() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessExec(() -> new Recorder(loop), "cat");
            Recorder p = tp.protocol();
            Transport stdin = tp.transport().getPipeTransport(0);
            stdin.write("Python ".getBytes(US_ASCII));
            while (p.data[1].size() < 7) {
                sleep(0.01);
            }
            assertEquals("Python ", p.out(1));
            stdin.write("The Winner".getBytes(US_ASCII));
            while (p.data[1].size() < 17) {
                sleep(0.01);
            }
            assertEquals("Python The Winner", p.out(1));
            tp.transport().close();
            await(p.completed);
            p.assertLifecycle();
        });
    }

    @Test
    void shell_runsTheCommandLine_andExitCodesComeThrough() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessShell(() -> new Recorder(loop), "echo Python; exit 7");
            Recorder p = tp.protocol();
            await(p.completed);
            assertEquals("Python\n", p.out(1));
            assertEquals(7, tp.transport().getReturncode());
            assertEquals(7, p.returncodeAtExit);
            p.assertLifecycle();
        });
    }

    @Test
    void stderr_arrivesOnFd2_apartFromStdout() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessShell(() -> new Recorder(loop), "echo out; echo err 1>&2");
            Recorder p = tp.protocol();
            await(p.completed);
            assertEquals("out\n", p.out(1));
            assertEquals("err\n", p.out(2));
            assertEquals(0, tp.transport().getReturncode());
            p.assertLifecycle();
        });
    }

    @Test
    void kill_givesExitCode137_andTerminate143() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var killed = loop.subprocessExec(() -> new Recorder(loop), "sleep", "30");
            killed.transport().kill();
            await(killed.protocol().completed);
            assertEquals(137, killed.transport().getReturncode());
            killed.protocol().assertLifecycle();
            killed.transport().kill();            // once exited: nothing
            var terminated = loop.subprocessExec(() -> new Recorder(loop), "sleep", "30");
            terminated.transport().terminate();
            await(terminated.protocol().completed);
            assertEquals(143, terminated.transport().getReturncode());
            terminated.transport().terminate();
        });
    }

    @Test
    void close_killsARunningProcess_closesThePipes_andConnectionLostStillComesLast() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessExec(() -> new Recorder(loop), "sleep", "30");
            Recorder p = tp.protocol();
            tp.transport().close();
            assertTrue(tp.transport().isClosing());
            assertTrue(tp.transport().getPipeTransport(0).isClosing());
            assertFalse(tp.transport().getPipeTransport(1).isReading());
            await(p.completed);
            assertEquals(137, tp.transport().getReturncode());
            p.assertLifecycle();
            tp.transport().close();               // idempotent
            assertThrows(IllegalStateException.class, () -> tp.transport().getPipeTransport(0).write(new byte[] {1}));
        });
    }

    @Test
    void closeAfterTheProcessFinished_killsNothing_andCallsNothingAgain() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessExec(() -> new Recorder(loop), "true");
            Recorder p = tp.protocol();
            await(p.completed);
            int events = p.events.size();
            tp.transport().close();
            sleep(0.05);
            assertEquals(events, p.events.size());
            assertEquals(0, tp.transport().getReturncode());
        });
    }

    @Test
    void writeEof_closesStdin_soCatEnds() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessExec(() -> new Recorder(loop), "cat");
            Recorder p = tp.protocol();
            Transport stdin = tp.transport().getPipeTransport(0);
            assertTrue(stdin.canWriteEof());
            stdin.write("abc".getBytes(US_ASCII));
            stdin.writeEof();
            assertTrue(stdin.isClosing());
            assertThrows(IllegalStateException.class, () -> stdin.write("more".getBytes(US_ASCII)));
            await(p.completed);
            assertEquals("abc", p.out(1));
            assertEquals(0, tp.transport().getReturncode());
        });
    }

    @Test
    void bigOutput_pauseReadingHoldsTheProcessBack_resumeReadingDeliversEverything() throws Exception {
        int size = 16 * 1024 * 1024;
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessShell(() -> new Recorder(loop) {
                @Override
                public void pipeDataReceived(int fd, ByteBuffer buf) {
                    super.pipeDataReceived(fd, buf);
                    if (data[1].size() >= 1024 * 1024 && !paused) {
                        paused = true;
                        transport.getPipeTransport(1).pauseReading();
                    }
                }
                boolean paused;
            }, "head -c " + size + " /dev/zero");
            Recorder p = tp.protocol();
            Transport stdout = tp.transport().getPipeTransport(1);
            while (stdout.isReading()) {
                sleep(0.01);
            }
            int atPause = p.data[1].size();
            sleep(0.5);
            assertEquals(atPause, p.data[1].size(), "nothing delivered while paused");
            assertNull(tp.transport().getReturncode(), "the process is held back by the full pipe");
            assertFalse(p.events.contains("pipeLost1"));
            stdout.resumeReading();
            assertTrue(stdout.isReading());
            await(p.completed);
            assertEquals(size, p.data[1].size(), "every byte, once resumed");
            assertEquals(0, tp.transport().getReturncode());
            p.assertLifecycle();
        });
    }

    @Test
    void stdinFlowControl_pauseWritingAboveTheHighWaterMark_resumeWritingOnceTheProcessReads() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessShell(() -> new Recorder(loop), "sleep 0.3; cat > /dev/null");
            Recorder p = tp.protocol();
            Transport stdin = tp.transport().getPipeTransport(0);
            stdin.setWriteBufferLimits(128 * 1024, 16 * 1024);
            stdin.write(new byte[2 * 1024 * 1024]);
            assertTrue(stdin.getWriteBufferSize() > 128 * 1024, "buffered: " + stdin.getWriteBufferSize());
            assertEquals(1, p.pauses);
            while (p.resumes == 0) {
                sleep(0.01);
            }
            assertTrue(stdin.getWriteBufferSize() <= 16 * 1024);
            stdin.close();
            await(p.completed);
            assertEquals(0, tp.transport().getReturncode());
            assertEquals(1, p.pauses);
            assertEquals(1, p.resumes);
            assertThrows(IllegalArgumentException.class, () -> stdin.setWriteBufferLimits(1, 2));
        });
    }

    @Test
    void aCallbackThatThrows_goesToTheExceptionHandler_closesTheTransport_andConnectionLostGetsTheException() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            List<ExceptionContext> reported = new ArrayList<>();
            loop.setExceptionHandler((l, ctx) -> reported.add(ctx));
            var tp = loop.subprocessShell(() -> new Recorder(loop) {
                @Override
                public void pipeDataReceived(int fd, ByteBuffer buf) {
                    super.pipeDataReceived(fd, buf);
                    throw new IllegalStateException("boom in pipeDataReceived");
                }
            }, "echo one; sleep 30; echo two");
            Recorder p = tp.protocol();
            await(p.completed);
            assertEquals("one\n", p.out(1));
            assertTrue(tp.transport().isClosing());
            assertEquals(137, tp.transport().getReturncode(), "the running process was killed");
            assertEquals(1, reported.size(), reported.toString());
            assertEquals("boom in pipeDataReceived", reported.getFirst().exception().getMessage());
            assertTrue(reported.getFirst().message().contains("pipeDataReceived"), reported.getFirst().message());
            assertSame(reported.getFirst().exception(), p.lostWith, "connectionLost receives the failure");
            p.assertLifecycle();
            loop.setExceptionHandler(null);
            sleep(0.01);                          // the loop goes on
        });
    }

    @Test
    void transportInfo_pidProcessAndPipes_andBadArguments() throws Exception {
        run(() -> {
            EventLoop loop = getRunningLoop();
            var tp = loop.subprocessExec(() -> new Recorder(loop), "sleep", "30");
            SubprocessTransport t = tp.transport();
            Process process = assertInstanceOf(Process.class, t.getExtraInfo("subprocess"));
            assertEquals(process.pid(), t.getPid());
            assertNull(t.getExtraInfo("peername"));
            assertThrows(IllegalArgumentException.class, () -> t.getPipeTransport(3));
            assertThrows(UnsupportedOperationException.class, () -> t.getPipeTransport(1).write(new byte[] {1}));
            assertFalse(t.getPipeTransport(1).canWriteEof());
            assertFalse(t.getPipeTransport(0).isReading());
            assertTrue(t.getPipeTransport(2).isReading());
            t.close();
            await(tp.protocol().completed);

            assertThrows(IllegalArgumentException.class, () -> loop.subprocessExec(() -> new Recorder(loop)));
            assertThrows(NullPointerException.class, () -> loop.subprocessExec(() -> null, "true"));
            assertThrows(NullPointerException.class, () -> loop.subprocessShell(() -> new Recorder(loop), null));
            assertThrows(IOException.class, () -> loop.subprocessExec(() -> new Recorder(loop), "/nonexistent/program"));
        });
    }

    @Test
    void outsideATask_subprocessExecIsIllegalState() throws Exception {
        try (EventLoop loop = org.asyncio4j.Asyncio.newEventLoop()) {
            assertThrows(IllegalStateException.class, () -> loop.subprocessExec(() -> new Recorder(loop), "true"));
        }
    }
}
