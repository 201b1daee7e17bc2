package org.asyncio4j.streams;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.asyncio4j.Future;
import org.asyncio4j.Task;
import org.asyncio4j.internal.Cancellation;
import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.FutureImpl;
import org.asyncio4j.internal.LoopGroupEngine;
import org.asyncio4j.internal.NetEngine;
import org.asyncio4j.internal.ByteTransport;
import org.asyncio4j.internal.WaiterQueue;
import org.asyncio4j.protocols.BaseTransport;

/**
 * A listening server from {@code Asyncio.startServer} or {@code startUnixServer} (or, with a protocol
 * per connection, {@code EventLoop.createServer} and {@code createUnixServer}): it accepts
 * connections from the moment it is created, and serves each in a new task running its
 * {@link ClientHandler}.
 *
 * <pre>{@code
 * var server = startServer((r, w) -> { w.write(r.readLine()); w.drain(); w.close(); }, "127.0.0.1", 8888);
 * server.serveForever();
 * }</pre>
 *
 * <p>{@link #close()} stops listening; the connections already accepted stay open (close them
 * with {@link #closeClients()} or {@link #abortClients()}); {@link #waitClosed()} waits until
 * the server is closed and every connection has ended. A connection stays open after its
 * handler returns, until its writer is closed (as in Python), so a handler that is done with
 * its client should close the writer.
 *
 * <p>Python: {@code asyncio.Server}.
 */
public final class Server implements AutoCloseable {
    static {
        NetEngine.install(new EngineAccess());
    }

    /** The engine's way to the package-private constructors and bookkeeping of this package. */
    private static final class EngineAccess implements NetEngine.Streams {
        @Override
        public StreamReader reader(ByteTransport transport, int limit) {
            return new StreamReader(transport, limit);
        }

        @Override
        public StreamWriter writer(ByteTransport transport, StreamOptions options) {
            return new StreamWriter(transport, options);
        }

        @Override
        public Server server(EventLoopImpl loop, List<ServerSocketChannel> channels, List<InetSocketAddress> addresses,
                Path unixPath) {
            return new Server(loop, channels, addresses, unixPath);
        }

        @Override
        public void adoptAcceptor(Server server, Task<Void> acceptor) {
            server.acceptors.add(acceptor);
            server.acceptorsRunning++;
            acceptor.addDoneCallback(f -> server.acceptorEnded());
        }

        @Override
        public void adoptClient(Server server, StreamWriter writer, Runnable ended) {
            server.clients.add(writer);
            writer.whenClosed(() -> {
                server.clientClosed(writer);
                ended.run();
            });
        }

        @Override
        public Server groupServer(EventLoopImpl home, List<Server> members) {
            Server first = members.get(0);
            return new Server(home, List.of(), first.addresses, first.unixPath, List.copyOf(members));
        }

        @Override
        public void closeFromAnyThread(Server server) {
            LoopGroupEngine.runOn(server.loop, server::close);
        }

        @Override
        public Runnable adoptTransport(Server server, BaseTransport transport) {
            server.transports.add(transport);
            return () -> {
                server.transports.remove(transport);
                server.checkIdle();
            };
        }
    }

    private static final Runnable NO_TOKEN = () -> { };   // a broadcast wake-up hands nothing on
    private final EventLoopImpl loop;
    private final List<ServerSocketChannel> channels;
    private final List<InetSocketAddress> addresses;
    private final Path unixPath;
    final List<Task<Void>> acceptors = new ArrayList<>();   // package-private for the tests
    private int acceptorsRunning;         // accept tasks not yet done
    private final Set<StreamWriter> clients = new LinkedHashSet<>();
    private final Set<BaseTransport> transports = new LinkedHashSet<>();   // a protocol server's connections
    private volatile boolean closed;      // volatile for a LoopGroup's server, read from any thread
    private final WaiterQueue idleWaiters = new WaiterQueue();   // woken when closed and every client is gone
    private List<Runnable> idleCallbacks; // run once idle: a LoopGroup server's waiters on other loops
    private Future<Void> serving;         // what serveForever waits for (one caller at a time)

    // A LoopGroup's server: one member server per loop, each confined to its loop; this one holds
    // no socket and forwards to them through their loops' inboxes. Null for a plain server.
    private final List<Server> members;
    private final java.util.Queue<FutureImpl<Void>> groupServing = new java.util.concurrent.ConcurrentLinkedQueue<>();

    Server(EventLoopImpl loop, List<ServerSocketChannel> channels, List<InetSocketAddress> addresses, Path unixPath) {
        this(loop, channels, addresses, unixPath, null);
    }

    private Server(EventLoopImpl loop, List<ServerSocketChannel> channels, List<InetSocketAddress> addresses, Path unixPath,
            List<Server> members) {
        this.loop = loop;
        this.channels = channels;
        this.addresses = addresses;
        this.unixPath = unixPath;
        this.members = members;
    }

    /**
     * Serves until the server is closed: returns when {@link #close()} is called. If the calling
     * task is stopped meanwhile, by a cancellation or by its try-form {@code TaskGroup}'s
     * interruption (a sibling failed), the server is closed, serveForever waits as
     * {@link #waitClosed()} does, and rethrows, as Python's {@code serve_forever} does when
     * cancelled.
     *
     * @throws IllegalStateException            if the server is closed, another task is already in
     *                                          serveForever, or the caller is not a task
     * @throws org.asyncio4j.CancelledException if the calling task is cancelled
     * @throws org.asyncio4j.ExceptionGroup     if the calling task's TaskGroup interrupts it
     */
    public void serveForever() {
        if (members != null) {
            groupServeForever();
            return;
        }
        if (closed) {
            throw new IllegalStateException("server is closed: " + this);
        }
        if (serving != null && !serving.isDone()) {
            throw new IllegalStateException("server is already being awaited on serveForever(): " + this);
        }
        Future<Void> mine = loop.createFuture();
        serving = mine;
        try {
            mine.await();
        } catch (Throwable stop) {
            closeOnStop(stop, mine);
            throw stop;
        }
    }

    /**
     * serveForever's wait was left by {@code stop}. Only close() completes the future it waits
     * on, and nothing fails it, so whatever leaves the wait stops the task: a cancellation or a
     * group's interruption (the predicate), either of which also cancels that future. The
     * server closes and is waited for; the caller rethrows {@code stop}.
     */
    private void closeOnStop(Throwable stop, Future<Void> mine) {
        if (Cancellation.isCancellation(stop) || mine.isCancelled()) {
            close();
            try {
                waitClosed();
            } catch (Throwable again) {
                stop.addSuppressed(again);     // stopped twice: the first stop leaves, as in Python
            }
        }
    }

    private void groupServeForever() {
        if (closed) {
            throw new IllegalStateException("server is closed: " + this);
        }
        FutureImpl<Void> mine = new FutureImpl<>(callerLoop("serveForever"));
        groupServing.add(mine);
        if (closed && !mine.isDone()) {
            mine.setResult(null);                 // close() drained the queue before our add
        }
        try {
            mine.await();
        } catch (Throwable stop) {
            closeOnStop(stop, mine);
            throw stop;
        } finally {
            groupServing.remove(mine);
        }
    }

    private static EventLoopImpl callerLoop(String operation) {
        org.asyncio4j.internal.TaskImpl<?> t = org.asyncio4j.internal.TaskImpl.current();
        if (t == null) {
            throw new IllegalStateException(operation + "() of a LoopGroup server must be called from a task (of any loop)");
        }
        return (EventLoopImpl) t.getLoop();
    }

    /**
     * Stops listening. Connections already accepted stay open. Closing twice does nothing. A
     * {@code LoopGroup}'s server may be closed from any thread: each loop's listening socket is
     * closed on its loop.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (members != null) {
            for (Server m : members) {
                LoopGroupEngine.runOn(m.loop, m::close);
            }
            FutureImpl<Void> f;
            while ((f = groupServing.poll()) != null) {
                FutureImpl<Void> w = f;
                LoopGroupEngine.runOn((EventLoopImpl) w.getLoop(), () -> {
                    if (!w.isDone()) {
                        w.setResult(null);
                    }
                });
            }
            return;
        }
        for (Task<Void> t : acceptors) {
            t.cancel();                        // each ends soon; waitClosed waits for that
        }
        for (ServerSocketChannel ch : channels) {
            loop.forget(ch);
            try {
                ch.close();
            } catch (IOException e) {
                // closing
            }
        }
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                // left behind
            }
        }
        if (serving != null && !serving.isDone()) {
            serving.setResult(null);
        }
        checkIdle();
    }

    /** Closes every accepted connection (after flushing what each has buffered). */
    public void closeClients() {
        if (members != null) {
            for (Server m : members) {
                LoopGroupEngine.runOn(m.loop, m::closeClients);
            }
            return;
        }
        for (StreamWriter w : new ArrayList<>(clients)) {
            w.close();
        }
        for (BaseTransport t : new ArrayList<>(transports)) {
            t.close();
        }
    }

    /** Aborts every accepted connection at once (TCP reset, buffers dropped). */
    public void abortClients() {
        if (members != null) {
            for (Server m : members) {
                LoopGroupEngine.runOn(m.loop, m::abortClients);
            }
            return;
        }
        for (StreamWriter w : new ArrayList<>(clients)) {
            w.abort();
        }
        for (BaseTransport t : new ArrayList<>(transports)) {
            t.abort();
        }
    }

    /**
     * Waits until the server is closed, its accept tasks have ended and every accepted
     * connection has ended.
     *
     * @throws IllegalStateException            if the caller is not a task and must wait
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     */
    public void waitClosed() {
        if (members != null) {
            groupWaitClosed();
            return;
        }
        // One waiter per caller: a cancelled caller's future is its own, so the others wait on.
        while (!isIdle()) {
            idleWaiters.await(loop, NO_TOKEN);
        }
    }

    /**
     * A LoopGroup server's waitClosed: each member on its own loop; a member of another loop is
     * awaited through a future of the caller's loop that the member completes, from its loop,
     * once idle (a fresh future per call, so a cancelled caller cancels only its own).
     */
    private void groupWaitClosed() {
        EventLoopImpl here = callerLoop("waitClosed");
        for (Server m : members) {
            if (m.loop == here) {
                m.waitClosed();
                continue;
            }
            FutureImpl<Void> f = new FutureImpl<>(here);
            Runnable done = () -> LoopGroupEngine.runOn(here, () -> {
                if (!f.isDone()) {
                    f.setResult(null);
                }
            });
            if (!m.loop.onClose(done)) {
                continue;                         // that loop has closed, and the member with it
            }
            try {
                LoopGroupEngine.runOn(m.loop, () -> m.whenIdle(done));
                f.await();
            } finally {
                m.loop.removeOnClose(done);
            }
        }
    }

    /** Runs {@code r} once the server is idle (at once if it is); loop thread. */
    private void whenIdle(Runnable r) {
        if (isIdle()) {
            r.run();
        } else {
            (idleCallbacks == null ? idleCallbacks = new ArrayList<>() : idleCallbacks).add(r);
        }
    }

    private void clientClosed(StreamWriter w) {
        clients.remove(w);
        checkIdle();
    }

    private void acceptorEnded() {
        acceptorsRunning--;
        checkIdle();
    }

    private boolean isIdle() {
        return closed && clients.isEmpty() && transports.isEmpty() && acceptorsRunning == 0;
    }

    private void checkIdle() {
        if (isIdle()) {
            idleWaiters.wakeAll(null);
            List<Runnable> cbs = idleCallbacks;
            if (cbs != null) {
                idleCallbacks = null;
                for (Runnable r : cbs) {
                    r.run();
                }
            }
        }
    }

    /**
     * Whether the server still accepts connections.
     *
     * @return true until {@link #close()}
     */
    public boolean isServing() {
        return !closed;
    }

    /**
     * The port of the first listening socket: useful after binding port 0.
     *
     * @return the port
     * @throws IllegalStateException for a Unix-socket server, which has no port
     */
    public int port() {
        if (addresses.isEmpty()) {
            throw new IllegalStateException("a Unix-socket server has no port: " + this);
        }
        return addresses.get(0).getPort();
    }

    /**
     * The addresses the server listens on (empty for a Unix-socket server).
     *
     * @return an unmodifiable list
     */
    public List<InetSocketAddress> addresses() {
        return Collections.unmodifiableList(addresses);
    }

    /**
     * The socket file of a Unix-socket server.
     *
     * @return the path, or null for a TCP server
     */
    public Path unixPath() {
        return unixPath;
    }

    /**
     * The number of connections accepted and not yet closed.
     *
     * @return the count
     */
    public int clientCount() {
        if (members != null) {
            int n = 0;
            for (Server m : members) {
                n += m.clients.size();            // each read racy across loops: a snapshot, not a count
            }
            return n;
        }
        return clients.size() + transports.size();
    }

    @Override
    public String toString() {
        return "Server[" + (closed ? "closed" : "serving") + " " + (unixPath != null ? unixPath : addresses)
                + (members != null ? ", loops=" + members.size() : "") + ", clients=" + clientCount() + "]";
    }
}
