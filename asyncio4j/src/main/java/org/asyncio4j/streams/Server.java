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
import org.asyncio4j.internal.NetEngine;
import org.asyncio4j.internal.Transport;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A listening server from {@code Asyncio.startServer} or {@code startUnixServer}: it accepts
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
        public StreamReader reader(Transport transport, int limit) {
            return new StreamReader(transport, limit);
        }

        @Override
        public StreamWriter writer(Transport transport, StreamOptions options) {
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
        public void adoptClient(Server server, StreamWriter writer) {
            server.clients.add(writer);
            writer.whenClosed(() -> server.clientClosed(writer));
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
    private boolean closed;
    private final WaiterQueue idleWaiters = new WaiterQueue();   // woken when closed and every client is gone
    private Future<Void> serving;         // what serveForever waits for (one caller at a time)

    Server(EventLoopImpl loop, List<ServerSocketChannel> channels, List<InetSocketAddress> addresses, Path unixPath) {
        this.loop = loop;
        this.channels = channels;
        this.addresses = addresses;
        this.unixPath = unixPath;
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
            // Only close() completes this future and nothing fails it, so whatever leaves the
            // wait stops this task: a cancellation or a group's interruption (the predicate),
            // either of which also cancels the future this task awaits.
            if (Cancellation.isCancellation(stop) || mine.isCancelled()) {
                close();
                try {
                    waitClosed();
                } catch (Throwable again) {
                    stop.addSuppressed(again);     // stopped twice: the first stop leaves, as in Python
                }
            }
            throw stop;
        }
    }

    /**
     * Stops listening. Connections already accepted stay open. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
        for (StreamWriter w : new ArrayList<>(clients)) {
            w.close();
        }
    }

    /** Aborts every accepted connection at once (TCP reset, buffers dropped). */
    public void abortClients() {
        for (StreamWriter w : new ArrayList<>(clients)) {
            w.abort();
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
        // One waiter per caller: a cancelled caller's future is its own, so the others wait on.
        while (!isIdle()) {
            idleWaiters.await(loop, NO_TOKEN);
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
        return closed && clients.isEmpty() && acceptorsRunning == 0;
    }

    private void checkIdle() {
        if (isIdle()) {
            idleWaiters.wakeAll(null);
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
        return clients.size();
    }

    @Override
    public String toString() {
        return "Server[" + (closed ? "closed" : "serving") + " " + (unixPath != null ? unixPath : addresses)
                + ", clients=" + clients.size() + "]";
    }
}
