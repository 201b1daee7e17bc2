package org.asyncio4j.internal;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.asyncio4j.internal.carrier.Signals;
import org.asyncio4j.CancelledException;
import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.RunOptions;
import org.asyncio4j.Task;
import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;

/**
 * The engine of {@code LoopGroup}: N event loops, each running on its own platform thread from
 * creation until {@link #close()}, each unchanged and single-threaded. The only paths between
 * them are the loops' thread-safe inboxes: {@link #submit} posts a task's creation to a loop,
 * awaiting a future of another loop is woken through the awaiting task's inbox
 * ({@link FutureImpl}'s cross-loop wait), and a group server's members are closed through theirs.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class LoopGroupEngine {
    /** Forces the one-acceptor server path (tests; platforms without SO_REUSEPORT take it anyway). */
    public static final String NO_REUSE_PORT_PROPERTY = "asyncio4j.loopgroup.noReusePort";

    private static final AtomicInteger GROUPS = new AtomicInteger();

    private final EventLoopImpl[] loops;
    private final Thread[] threads;
    private final AtomicInteger cursor = new AtomicInteger();
    private final CountDownLatch ended;
    private volatile boolean closed;
    private final java.util.Set<Server> servers = java.util.concurrent.ConcurrentHashMap.newKeySet();   // closed by close()
    private final boolean sigintHandler;

    public LoopGroupEngine(int count, RunOptions options) {
        Objects.requireNonNull(options, "options");
        if (count < 0) {
            throw new IllegalArgumentException("loops must be >= 0 (0: one per available processor), not " + count);
        }
        int n = count == 0 ? Runtime.getRuntime().availableProcessors() : count;
        sigintHandler = options.sigintHandler();
        int group = GROUPS.incrementAndGet();
        loops = new EventLoopImpl[n];
        threads = new Thread[n];
        ended = new CountDownLatch(n);
        CountDownLatch started = new CountDownLatch(n);
        RuntimeException[] failure = new RuntimeException[1];
        for (int i = 0; i < n; i++) {
            int index = i;
            // Platform threads, daemon: a group that is never closed does not keep the JVM alive
            // (as the JDK's ForkJoinPool.commonPool does not); close() ends them.
            threads[i] = Thread.ofPlatform().daemon().name("asyncio4j-group" + group + "-loop" + i).unstarted(() -> {
                EventLoopImpl loop;
                try {
                    loop = new EventLoopImpl(options.virtualClock());
                    loop.setDebug(options.debug());
                    loop.setShutdownTimeout(options.shutdownTimeout());
                    loop.setJmx(options.jmx());
                    loop.setEagerTasks(options.eagerTasks());
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                    started.countDown();
                    ended.countDown();
                    return;
                }
                loops[index] = loop;
                started.countDown();
                serve(loop);
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        awaitUninterruptibly(started);
        synchronized (failure) {
            if (failure[0] != null) {
                close();
                throw failure[0];
            }
        }
    }

    /** A loop thread's life: serve until close() stops the loop, then shut it down as run does. */
    private void serve(EventLoopImpl loop) {
        try {
            while (!closed) {
                loop.runForever();
            }
        } catch (RuntimeException | Error e) {
            System.getLogger("org.asyncio4j").log(System.Logger.Level.ERROR, "a LoopGroup loop failed", e);
        } finally {
            try {
                loop.cancelAllTasks();
                loop.shutdownDefaultExecutor();
            } catch (RuntimeException | Error e) {
                System.getLogger("org.asyncio4j").log(System.Logger.Level.ERROR, "a LoopGroup loop failed to shut down", e);
            } finally {
                loop.close();
                ended.countDown();
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
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

    public List<EventLoop> loops() {
        return List.of(loops);
    }

    public EventLoop next() {
        checkOpen();
        return nextLoop();
    }

    private EventLoopImpl nextLoop() {
        return loops[Math.floorMod(cursor.getAndIncrement(), loops.length)];
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the LoopGroup is closed");
        }
    }

    /** True if the caller runs on one of the group's loops (its thread or a task it carries). */
    private EventLoopImpl ownLoopHere() {
        for (EventLoopImpl l : loops) {
            if (l != null && l.isCarriedHere()) {
                return l;
            }
        }
        return null;
    }

    public <T> Future<T> submit(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        return submitOn(nextLoop(), body, null);
    }

    /**
     * A task of {@code body} on {@code target}: the task itself when the caller runs on that
     * loop, else a future of that loop that follows the task (and cancels it when cancelled).
     */
    static <T> Future<T> submitOn(EventLoopImpl target, Callable<T> body, String name) {
        if (target.isCarriedHere()) {
            return target.createTask(body, name);
        }
        FutureImpl<T> out = new FutureImpl<>(target);
        try {
            target.callSoonThreadsafe(() -> {
                if (out.isDone()) {
                    return;                       // cancelled before the loop got to it
                }
                Task<T> t;
                try {
                    t = target.createTask(body, name);
                } catch (RuntimeException e) {
                    out.setException(e);
                    return;
                }
                t.addDoneCallback(f -> follow(f, out));
                out.addDoneCallback(f -> {
                    if (f.isCancelled()) {
                        t.cancel();
                    }
                });
            });
        } catch (IllegalStateException loopClosed) {
            throw new IllegalStateException("the LoopGroup is closed", loopClosed);
        }
        return out;
    }

    private static <T> void follow(Future<T> f, FutureImpl<T> out) {
        if (out.isDone()) {
            return;
        }
        switch (f.state()) {
            case SUCCESS -> out.setResult(f.resultNow());
            case FAILED -> out.setException(f.exceptionNow());
            default -> out.cancel();
        }
    }

    public <T> T run(Callable<T> main) {
        Objects.requireNonNull(main, "main");
        checkOpen();
        if (ownLoopHere() != null) {
            throw new IllegalStateException("LoopGroup.run() cannot be called from one of the group's own loops: "
                    + "it would wait for itself (await a submit() instead)");
        }
        Future<T> f = submitOn(loops[0], main, null);
        // Ctrl+C as Asyncio.run has it: on the JVM's main thread a first SIGINT cancels main.
        Signals.Sigint sigint = sigintHandler ? Signals.Sigint.install() : null;
        if (sigint != null) {
            sigint.watch(f);
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            f.cancel();                           // the caller gives up: the main task is cancelled
            Thread.currentThread().interrupt();
            CancelledException c = new CancelledException("LoopGroup.run() was interrupted");
            c.initCause(e);
            throw c;
        } catch (ExecutionException | CancelledException e) {
            // reported below as await() reports it
        } finally {
            if (sigint != null) {
                sigint.close();
            }
        }
        return EventLoopImpl.reportToCaller((FutureImpl<T>) f);
    }

    public Server startServer(ClientHandler handler, String host, int port, StreamOptions options) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        NetEngine.checkPort(port);
        checkOpen();
        boolean reusePort = !Boolean.getBoolean(NO_REUSE_PORT_PROPERTY) && reusePortSupported();
        List<Server> members = new ArrayList<>(loops.length);
        try {
            if (reusePort) {
                // Every loop binds the same addresses with SO_REUSEPORT and accepts on its own: the
                // kernel spreads the connections, and each lives on the loop that accepted it.
                Server first = get(submitOn(loops[0], () -> NetEngine.ENGINE.startServer(handler, host, port, options, true), "bind"));
                members.add(first);
                for (int i = 1; i < loops.length; i++) {
                    members.add(get(submitOn(loops[i],
                            () -> NetEngine.ENGINE.startServerAt(handler, first.addresses(), options), "bind")));
                }
            } else {
                // One acceptor, on the first loop, hands each connection to the next loop in turn.
                Server[] all = new Server[loops.length];
                for (int i = 1; i < loops.length; i++) {
                    EventLoopImpl l = loops[i];
                    all[i] = get(submitOn(l, () -> NetEngine.ENGINE.memberServer(l), "bind"));
                }
                AtomicInteger turn = new AtomicInteger();
                NetEngine.HandOff handOff = (c, here) -> {
                    int i = Math.floorMod(turn.getAndIncrement(), loops.length);
                    if (i == 0) {
                        return false;             // served here, on the acceptor's loop
                    }
                    Server m = all[i];
                    EventLoopImpl target = loops[i];
                    // In transit the connection belongs to no task: if the target loop closes
                    // before its task runs (the group is closing), the loop's close closes it.
                    Runnable drop = () -> closeQuietly(c);
                    if (!target.onClose(drop)) {
                        drop.run();                // that loop has closed already
                        return true;
                    }
                    try {
                        submitOn(target, () -> {
                            target.removeOnClose(drop);
                            NetEngine.ENGINE.serveAccepted(m, c, handler, options);
                            return null;
                        }, null);
                    } catch (IllegalStateException groupClosing) {
                        // That loop has closed (the group is closing): the connection is dropped
                        // here, and the acceptor goes on until its own loop stops it.
                        target.removeOnClose(drop);
                        drop.run();
                    }
                    return true;
                };
                all[0] = get(submitOn(loops[0], () -> NetEngine.ENGINE.startServer(handler, host, port, options, handOff), "bind"));
                members.addAll(List.of(all));
            }
        } catch (IOException | RuntimeException | Error e) {
            for (Server m : members) {
                NetEngine.ENGINE.closeFromAnyThread(m);
            }
            throw e;
        }
        Server group = NetEngine.ENGINE.groupServer(loops[0], members);
        servers.add(group);
        if (closed) {
            group.close();                        // close() ran meanwhile and may have missed it
        }
        return group;
    }

    private static void closeQuietly(java.nio.channels.SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    private static boolean reusePortSupported() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    /** The value of a group-internal future, with its IOException or unchecked exception as itself. */
    private static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the LoopGroup's loops bound the server");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw FutureImpl.rethrow(e.getCause());
        }
    }

    public void close() {
        EventLoopImpl own = ownLoopHere();
        if (own != null) {
            throw new IllegalStateException("LoopGroup.close() cannot be called from one of the group's own loops: "
                    + "it would wait for itself");
        }
        closed = true;
        // The group's servers first: their listening sockets close (the kernel resets what waits
        // in their backlogs), so no client connects to a group that no longer serves.
        for (Server s : servers) {
            s.close();
        }
        for (EventLoopImpl l : loops) {
            if (l != null) {
                try {
                    l.callSoonThreadsafe(l::stop);
                } catch (IllegalStateException alreadyClosed) {
                    // ended already
                }
            }
        }
        awaitUninterruptibly(ended);
        for (Thread t : threads) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs {@code r} on {@code loop}: at once when the caller runs there, else through its inbox;
     * dropped if the loop has closed (its tasks, and what they served, ended with it).
     */
    public static void runOn(EventLoopImpl loop, Runnable r) {
        if (loop.isCarriedHere()) {
            r.run();
            return;
        }
        try {
            loop.callSoonThreadsafe(r);
        } catch (IllegalStateException loopClosed) {
            // gone
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "LoopGroup[" + (closed ? "closed" : "running") + ", loops=" + loops.length + "]";
    }
}
