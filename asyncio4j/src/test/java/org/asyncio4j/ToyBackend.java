package org.asyncio4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.asyncio4j.BlockingCancellationTest.Conn;
import org.asyncio4j.BlockingCancellationTest.DriverException;

/**
 * A toy database server that cancels the way PostgreSQL does: every connection has a cancel
 * key, and a cancel request (on a second connection, naming the key) stops whatever that
 * connection is running at that moment: one that comes while a request is on its way waits
 * for it (it overtook its query), one that finds the connection idle is dropped, and one that
 * comes late stops the next query if that one already runs. Requests: {@code key} answers
 * the connection's cancel key; {@code cancel KEY} stops that connection's query; {@code sleep MS}
 * answers {@code done} after MS milliseconds (0: never) unless cancelled ({@code cancelled});
 * anything else answers {@code pong}. The clients are {@link BlockingCancellationTest.Conn}s.
 * Platform threads; for tests only.
 */
final class ToyBackend implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Map<Integer, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger keys = new AtomicInteger();
    /** Cancels that found their query running (and stopped it). */
    final AtomicInteger cancelsThatHit = new AtomicInteger();

    /** A connection's server side: whether it runs a query, and a pending cancel for it. */
    private static final class Session {
        final Socket socket;
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        boolean busy;                     // a request was read and is not answered yet
        boolean running;                  // that request is a sleep
        boolean cancelled;
        boolean closed;

        Session(Socket socket) {
            this.socket = socket;
        }

        /** Whether a request is on its way or being handled (a cancel then waits for it). */
        boolean requestPending() {
            try {
                return busy || socket.getInputStream().available() > 0;
            } catch (IOException closed) {
                return false;
            }
        }

        void setBusy(boolean b) {
            lock.lock();
            try {
                busy = b;
            } finally {
                lock.unlock();
            }
        }
    }

    ToyBackend() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("toy-backend-acceptor").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = server.accept();
                accepted.add(s);
                Thread.ofPlatform().daemon().name("toy-backend").start(() -> serve(s));
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private void serve(Socket s) {
        int key = keys.incrementAndGet();
        Session me = new Session(s);
        sessions.put(key, me);
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                me.setBusy(true);
                String answer;
                if (line.startsWith("cancel ")) {
                    Session target = sessions.get(Integer.parseInt(line.substring(7)));
                    if (target != null) {
                        target.lock.lock();
                        try {
                            // A cancel sent just after its query may overtake it (the client wrote
                            // the query, the server has not started it yet): it waits for it. One
                            // sent while the client is still on its way to writing the query (the
                            // cancel hook can run while the task is parked in a JDK lock just
                            // before the write) gets a shorter grace: without it, the query that
                            // follows would sleep forever here (a 'sleep 0'), where a real
                            // server's query would end by itself.
                            long now = System.nanoTime();
                            long end = now + TimeUnit.SECONDS.toNanos(5);
                            long grace = now + TimeUnit.MILLISECONDS.toNanos(500);
                            while (!target.running && !target.closed && System.nanoTime() < end
                                    && (target.requestPending() || System.nanoTime() < grace)) {
                                target.changed.awaitNanos(1_000_000);
                            }
                            if (target.running) {
                                target.cancelled = true;
                                cancelsThatHit.incrementAndGet();
                                target.changed.signalAll();
                            }
                        } finally {
                            target.lock.unlock();
                        }
                    }
                    answer = "ok";
                } else if (line.equals("key")) {
                    answer = Integer.toString(key);
                } else if (line.startsWith("sleep ")) {
                    answer = sleep(me, Long.parseLong(line.substring(6)));
                } else {
                    answer = "pong";
                }
                out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                me.setBusy(false);
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            sessions.remove(key);
            me.lock.lock();
            try {
                me.closed = true;
                me.changed.signalAll();
            } finally {
                me.lock.unlock();
            }
        }
    }

    private static String sleep(Session me, long millis) throws InterruptedException {
        me.lock.lock();
        try {
            me.running = true;
            me.cancelled = false;
            me.changed.signalAll();           // a cancel that came first may be waiting for it
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!me.cancelled) {
                if (millis == 0) {
                    me.changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return "done";
                    }
                    me.changed.awaitNanos(left);
                }
            }
            return "cancelled";
        } finally {
            me.running = false;
            me.lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    /** The cancel key of a connection ({@code Conn.cancel(key)} then stops what it runs). */
    static String keyOf(Conn c) {
        return c.query("key");
    }

    /** Usable: not closed, and a ping round-trips. */
    static boolean usable(Conn c) {
        if (c.socket.isClosed()) {
            return false;
        }
        try {
            return "pong".equals(c.query("ping"));
        } catch (DriverException e) {
            return false;
        }
    }

    /**
     * Starts {@code body} as a task and waits (at most 5 s) until it is parked in a JDK call:
     * the blocking query it is about to make.
     */
    static <T> Task<T> blockedTask(Callable<T> body) {
        Task<T> t = Asyncio.createTask(body);
        for (int i = 0; i < 500 && !parkedInJdk(t); i++) {
            Asyncio.sleep(0.01);
        }
        if (!parkedInJdk(t)) {
            throw new AssertionError("the task did not reach its blocking call: " + t);
        }
        return t;
    }

    private static boolean parkedInJdk(Task<?> t) {
        StackTraceElement[] stack = t.getStack();
        return !t.isDone() && stack.length > 0 && stack[0].getClassName().equals("java.lang.VirtualThread");
    }
}
