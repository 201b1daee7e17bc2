package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * api.md, "Cancelling blocking code": a cancellation stays a cancellation through libraries that
 * turn the interrupt into their own exception, and {@code cancellable(onCancel, call)} stops a
 * blocking call through the library's own cancel instead. The "drivers" here are stand-ins made
 * of JDK sockets and queues that behave as pgjdbc, Jedis and HikariCP do: they wrap the
 * interrupt's exception ({@code SocketException} "Closed by interrupt",
 * {@code InterruptedException}) in their own.
 */
@Tag("fast-only")   // cooperative blocking: JDK blocking calls inside tasks park only the task
class BlockingCancellationTest {

    /** A driver's own exception, like PSQLException "An I/O error occurred". */
    static final class DriverException extends RuntimeException {
        DriverException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A toy server: each connection reads request lines; "sleep" answers nothing until the
     * server is told, over a second "cancel" connection naming the request, to abandon it (then
     * it answers "cancelled"); "ping" answers "pong" at once. Runs on platform threads.
     */
    static final class ToyServer implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final BlockingQueue<String> cancels = new ArrayBlockingQueue<>(16);
        final Thread acceptor;

        ToyServer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofPlatform().daemon().start(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Socket s = server.accept();
                    accepted.add(s);
                    Thread.ofPlatform().daemon().start(() -> serve(s));
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serve(Socket s) {
            try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                OutputStream out = s.getOutputStream();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("cancel ")) {
                        cancels.add(line.substring(7));
                        out.write("ok\n".getBytes(StandardCharsets.UTF_8));
                    } else if (line.startsWith("sleep ")) {
                        String id = line.substring(6);
                        while (!id.equals(cancels.take())) {
                            // another request's cancel: not ours
                        }
                        out.write("cancelled\n".getBytes(StandardCharsets.UTF_8));
                    } else {
                        out.write("pong\n".getBytes(StandardCharsets.UTF_8));
                    }
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /** A blocking client connection of the toy driver, on java.net.Socket. */
    static final class Conn implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final int port;

        Conn(int port) throws IOException {
            this.port = port;
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Sends a request and reads the answer; I/O failures as the driver's own exception. */
        String query(String request) {
            try {
                socket.getOutputStream().write((request + "\n").getBytes(StandardCharsets.UTF_8));
                String answer = in.readLine();
                if (answer == null) {
                    throw new DriverException("connection closed by the server", null);
                }
                if (answer.equals("cancelled")) {
                    throw new DriverException("canceling statement due to user request", null);
                }
                return answer;
            } catch (IOException e) {
                throw new DriverException("An I/O error occurred while sending to the backend", e);
            }
        }

        /** The out-of-band cancel (JDBC's Statement.cancel): a new connection names the request. */
        void cancel(String id) throws IOException {
            try (Conn side = new Conn(port)) {
                side.query("cancel " + id);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A checked driver exception with a state code, like java.sql.SQLException. */
    static final class SQLException extends Exception {
        final String state;

        SQLException(String message, Throwable cause) {
            super(message, cause);
            state = null;
        }

        SQLException(String message, String state) {
            super(message);
            this.state = state;
        }

        String getSQLState() {
            return state;
        }
    }

    ToyServer server;

    @BeforeEach
    void start() throws IOException {
        server = new ToyServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Starts {@code body} as a task and lets it reach its blocking call. */
    private static <T> Task<T> startBlocked(java.util.concurrent.Callable<T> body) {
        Task<T> t = Asyncio.createTask(body);
        Asyncio.sleep(0.2);
        assertFalse(t.isDone(), "the task should be blocked in its call");
        return t;
    }

    // ------------------------------------------------------------------ a cancellation stays one

    @Test
    void cancel_ofTaskInDriverSocketRead_endsCancelled_withTheDriversExceptionAsCause() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = startBlocked(() -> c.query("sleep a"));
                assertTrue(t.cancel());
                CancelledException e = assertThrows(CancelledException.class, t::await);
                assertTrue(t.isCancelled(), "the task ends cancelled, not failed");
                assertInstanceOf(DriverException.class, e.getCause());
                assertInstanceOf(java.net.SocketException.class, e.getCause().getCause());
            }
        });
    }

    @Test
    void cancel_ofTaskInPoolWait_wrappedInterruptedException_endsCancelled() {
        // HikariCP: SQLException("Interrupted during connection acquisition", InterruptedException)
        BlockingQueue<Object> pool = new ArrayBlockingQueue<>(1);
        Asyncio.run(() -> {
            Task<Object> t = startBlocked(() -> {
                try {
                    return pool.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("Interrupted during connection acquisition", e);
                }
            });
            t.cancel();
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertInstanceOf(SQLException.class, e.getCause());
        });
    }

    @Test
    void cancel_ofTaskInChannelRead_closedByInterrupt_wrapped_endsCancelled() {
        Asyncio.run(() -> {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))) {
                Task<Integer> t = startBlocked(() -> {
                    try {
                        return ch.read(ByteBuffer.allocate(16));
                    } catch (IOException e) {
                        throw new DriverException("read failed", e);
                    }
                });
                t.cancel();
                CancelledException e = assertThrows(CancelledException.class, t::await);
                assertInstanceOf(java.nio.channels.ClosedByInterruptException.class, e.getCause().getCause());
            }
        });
    }

    @Test
    void timeout_aroundDriverRead_throwsAsyncTimeoutException() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                long t0 = System.nanoTime();
                AsyncTimeoutException e = assertThrows(AsyncTimeoutException.class,
                        () -> Asyncio.timeout(Duration.ofMillis(200), () -> c.query("sleep b")));
                assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
                assertInstanceOf(DriverException.class, e.getCause());
                assertEquals(0, Asyncio.currentTask().cancelling(), "the timeout withdrew its request");
                Asyncio.sleep(0.01);      // no stale cancellation is left behind
            }
            return null;
        });
    }

    @Test
    void waitFor_aroundDriverRead_throwsAsyncTimeoutException() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                assertThrows(AsyncTimeoutException.class,
                        () -> Asyncio.waitFor(() -> c.query("sleep c"), Duration.ofMillis(200)));
            }
            return null;
        });
    }

    @Test
    void taskGroup_siblingsBlockedInDriverReads_areCancelled_notReportedAsFailures() {
        List<Conn> conns = new ArrayList<>();
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            for (int i = 0; i < 3; i++) {
                conns.add(new Conn(server.port()));
            }
            Asyncio.taskGroup(tg -> {
                for (int i = 0; i < 3; i++) {
                    Conn c = conns.get(i);
                    String id = "g" + i;
                    tg.createTask(() -> c.query("sleep " + id));
                }
                tg.createTask(() -> {
                    Asyncio.sleep(0.2);
                    throw new IllegalStateException("boom");
                });
                return null;
            });
            return null;
        }));
        assertEquals(1, g.exceptions().size(), g.exceptions().toString());
        assertInstanceOf(IllegalStateException.class, g.exceptions().get(0));
    }

    @Test
    void tryFormTaskGroup_childrenBlockedInDriverReads_areCancelled_notReportedAsFailures() {
        ExceptionGroup g = assertThrows(ExceptionGroup.class, () -> Asyncio.run(() -> {
            Conn a = new Conn(server.port());
            Conn b = new Conn(server.port());
            try (TaskGroup tg = new TaskGroup()) {
                tg.createTask(() -> a.query("sleep t1"));
                tg.createTask(() -> b.query("sleep t2"));
                tg.createTask(() -> {
                    Asyncio.sleep(0.2);
                    throw new IllegalStateException("boom");
                });
            }
            return null;
        }));
        assertEquals(1, g.exceptions().size(), g.exceptions().toString());
    }

    @Test
    void peerReset_withoutCancellation_isAFailure_notACancellation() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = startBlocked(() -> c.query("sleep d"));
                for (Socket s : server.accepted) {
                    s.setSoLinger(true, 0);
                    s.close();                                    // the server resets the connection
                }
                DriverException e = assertThrows(DriverException.class, t::await);
                assertFalse(t.isCancelled());
                assertNotNull(e);
            }
        });
    }

    @Test
    void bodyThatUncancels_andFailsWithTheDriversException_endsFailed() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = startBlocked(() -> {
                    try {
                        return c.query("sleep e");
                    } catch (DriverException e) {
                        Asyncio.currentTask().uncancel();         // it chose not to be cancelled
                        throw new IllegalStateException("gave up", e);
                    }
                });
                t.cancel();
                assertThrows(IllegalStateException.class, t::await);
                assertFalse(t.isCancelled());
            }
        });
    }

    @Test
    void isCancellation_seesTheDriversException_onlyInATaskInterruptedForACancellation() {
        AtomicReference<Boolean> inTask = new AtomicReference<>();
        AtomicReference<DriverException> caught = new AtomicReference<>();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = startBlocked(() -> {
                    try {
                        return c.query("sleep f");
                    } catch (DriverException e) {
                        caught.set(e);
                        inTask.set(Asyncio.isCancellation(e));
                        throw e;
                    }
                });
                t.cancel();
                assertThrows(CancelledException.class, t::await);
                assertFalse(Asyncio.isCancellation(caught.get()), "this task was not cancelled");
            }
        });
        assertTrue(inTask.get());
        assertFalse(Asyncio.isCancellation(caught.get()), "outside a task");
        assertTrue(Asyncio.isCancellation(new CancelledException("x")));
        assertFalse(Asyncio.isCancellation(null));
        assertFalse(Asyncio.isCancellation(new java.net.SocketTimeoutException("read timed out")));
    }

    // ------------------------------------------------------------------ cancellable

    @Test
    void cancellable_cancelRunsTheHook_connectionSurvives_taskEndsCancelled() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                AtomicReference<String> hookThread = new AtomicReference<>();
                Task<String> t = startBlocked(() -> Asyncio.cancellable(() -> {
                    hookThread.set(Thread.currentThread().getName());
                    c.cancel("h");
                }, () -> c.query("sleep h")));
                t.cancel();
                CancelledException e = assertThrows(CancelledException.class, t::await);
                assertTrue(t.isCancelled());
                DriverException cause = assertInstanceOf(DriverException.class, e.getCause());
                assertEquals("canceling statement due to user request", cause.getMessage());
                assertTrue(hookThread.get().startsWith("cancel-hook:"), hookThread.get());
                assertFalse(c.socket.isClosed(), "the connection was not interrupted");
                assertEquals("pong", c.query("ping"), "and it still works");
            }
        });
    }

    @Test
    void cancellable_underTimeout_throwsAsyncTimeoutException_connectionSurvives() {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                assertThrows(AsyncTimeoutException.class, () -> Asyncio.timeout(Duration.ofMillis(200),
                        () -> Asyncio.cancellable(() -> c.cancel("i"), () -> c.query("sleep i"))));
                assertEquals("pong", c.query("ping"));
            }
            return null;
        });
    }

    @Test
    void cancellable_withoutCancellation_returnsTheCallsResult_andThrowsItsExceptionAsItself() throws Exception {
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                assertEquals("pong", Asyncio.cancellable(() -> c.cancel("x"), () -> c.query("ping")));
                SQLException e = assertThrows(SQLException.class,
                        () -> Asyncio.cancellable(() -> { }, () -> {
                            throw new SQLException("syntax error", "42601");
                        }));
                assertEquals("42601", e.getSQLState());
            }
            return null;
        });
    }

    @Test
    void cancellable_hookThatThrows_isReported_andTheCancellationFallsBackToTheInterrupt() {
        List<ExceptionContext> reported = new CopyOnWriteArrayList<>();
        Asyncio.run(() -> {
            Asyncio.getRunningLoop().setExceptionHandler((loop, ctx) -> reported.add(ctx));
            try (Conn c = new Conn(server.port())) {
                Task<String> t = startBlocked(() -> Asyncio.cancellable(() -> {
                    throw new IOException("cancel refused");
                }, () -> c.query("sleep j")));
                t.cancel();
                CancelledException e = assertThrows(CancelledException.class, t::await);
                assertInstanceOf(DriverException.class, e.getCause());
                assertTrue(c.socket.isClosed(), "the interrupt closed the socket");
            }
            return null;
        });
        assertEquals(1, reported.size());
        assertEquals("cancel refused", reported.get(0).exception().getMessage());
    }

    @Test
    void cancellable_nested_theInnermostHookRuns() {
        List<String> hooks = new CopyOnWriteArrayList<>();
        Asyncio.run(() -> {
            try (Conn c = new Conn(server.port())) {
                Task<String> t = startBlocked(() -> Asyncio.cancellable(() -> hooks.add("outer"),
                        () -> Asyncio.cancellable(() -> {
                            hooks.add("inner");
                            c.cancel("k");
                        }, () -> c.query("sleep k"))));
                t.cancel();
                assertThrows(CancelledException.class, t::await);
            }
            return null;
        });
        assertEquals(List.of("inner"), hooks);
    }

    @Test
    void cancellable_pendingCancellationAtEntry_throwsAtOnce_callNeverRuns() {
        AtomicInteger calls = new AtomicInteger();
        Asyncio.run(() -> {
            Task<?> me = Asyncio.currentTask();
            me.cancel();
            assertThrows(CancelledException.class, () -> Asyncio.cancellable(() -> { }, () -> calls.incrementAndGet()));
            me.uncancel();
            return null;
        });
        assertEquals(0, calls.get());
    }

    @Test
    void cancellable_cancellationWhileAwaitingInside_isDeliveredThere_hookNotRun() {
        AtomicInteger hooks = new AtomicInteger();
        Asyncio.run(() -> {
            Task<Object> t = startBlocked(() -> Asyncio.cancellable(hooks::incrementAndGet, () -> {
                Asyncio.sleep(10);
                return null;
            }));
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            return null;
        });
        assertEquals(0, hooks.get());
    }

    @Test
    void cancellable_callThatFinishesNormallyAfterTheHook_stillEndsCancelled() {
        Asyncio.run(() -> {
            BlockingQueue<String> q = new ArrayBlockingQueue<>(1);
            Task<String> t = startBlocked(() -> Asyncio.cancellable(() -> q.add("late result"), q::take));
            t.cancel("stop");
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("stop", e.getMessage());
            return null;
        });
    }

    @Test
    void cancellable_outsideATask_throwsIllegalStateException() {
        assertThrows(IllegalStateException.class, () -> Asyncio.cancellable(() -> { }, () -> 1));
    }

    // ------------------------------------------------------------------ thread names

    @Test
    void taskThreads_carryTheirTasksNames_andFollowSetName() {
        Asyncio.run(() -> {
            Task<String> named = Asyncio.createTask(() -> Thread.currentThread().getName(), "fetch-3");
            assertEquals("fetch-3", named.await());
            Task<String> unnamed = Asyncio.createTask(() -> Thread.currentThread().getName());
            assertEquals(unnamed.getName(), unnamed.await());
            assertTrue(unnamed.getName().startsWith("Task-"), unnamed.getName());
            Task<String> renamed = Asyncio.createTask(() -> {
                Asyncio.sleep(0.01);
                return Thread.currentThread().getName();
            });
            renamed.setName("renamed");
            assertEquals("renamed", renamed.await());
            assertEquals(Asyncio.currentTask().getName(), Thread.currentThread().getName());
            return null;
        });
    }

    // ------------------------------------------------------------------ caller frames

    private static void failInTask() {
        throw new IllegalArgumentException("bad input");
    }

    @Test
    void exceptionLeavingRun_isItself_withTheCallersFramesAppended() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Asyncio.run(BlockingCancellationTest::failInTask));
        assertEquals("bad input", e.getMessage());
        StackTraceElement[] trace = e.getStackTrace();
        assertEquals("failInTask", trace[0].getMethodName(), "the task's frames come first");
        int marker = indexOf(trace, "asyncio4j.task", "awaitedBy");
        assertTrue(marker > 0, "a marker separates the task's frames from the caller's");
        assertTrue(indexOf(trace, BlockingCancellationTest.class.getName(),
                "exceptionLeavingRun_isItself_withTheCallersFramesAppended") > marker, "this test's frame follows");
    }

    @Test
    void runUntilCompleteTwice_appendsTheCallersFramesOnce_andKeepsTheTasksExceptionIdentity() {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            Task<Object> t = loop.createTask(() -> {
                failInTask();
                return null;
            });
            IllegalArgumentException first = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(t));
            int length = first.getStackTrace().length;
            IllegalArgumentException second = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(t));
            assertSame(first, second);
            assertSame(first, t.exceptionNow());
            assertEquals(length, second.getStackTrace().length);
            int markers = 0;
            for (StackTraceElement f : second.getStackTrace()) {
                if (f.getClassName().equals("asyncio4j.task")) {
                    markers++;
                }
            }
            assertEquals(1, markers);
        } finally {
            loop.close();
        }
    }

    private static int indexOf(StackTraceElement[] trace, String cls, String method) {
        for (int i = 0; i < trace.length; i++) {
            if (trace[i].getClassName().equals(cls) && trace[i].getMethodName().equals(method)) {
                return i;
            }
        }
        return -1;
    }
}
