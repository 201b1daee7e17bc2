package org.asyncio4j;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

import org.asyncio4j.internal.LoopGroupEngine;
import org.asyncio4j.internal.Structured;
import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;

/**
 * N event loops on N threads: one loop per core, each unchanged and single-threaded, so
 * asyncio's model (one task at a time, atomic code between suspension points) holds on each.
 *
 * <pre>{@code
 * try (var group = LoopGroup.create(0)) {                  // one loop per available processor
 *     Server server = group.startServer(handler, "127.0.0.1", 8080);   // every loop accepts
 *     group.run(() -> { server.serveForever(); return null; });
 * }
 * }</pre>
 *
 * <h2>What crosses loops, and what does not</h2>
 * Each loop runs on its own platform thread (a daemon thread named
 * {@code asyncio4j-groupG-loopI}) from {@link #create} until {@link #close()}. A task belongs to
 * one loop for its whole life. Awaiting a future of another loop ({@link Future#await()} or
 * {@code get()} from a task) suspends the task until that future is done; it is woken through
 * its own loop's thread-safe inbox (Python forbids this; here it works). Cancelling the waiting
 * task cancels the awaited future, as awaiting any future does. Everything else keeps its loop
 * confinement: a {@code Lock}, {@code Queue} or {@code Event} belongs to one loop, and the
 * combinators ({@code gather}, {@code wait}, {@code TaskGroup}) take futures of the calling
 * task's loop only. Code that needs to reach another loop uses {@link #submit}, or
 * {@link EventLoop#callSoonThreadsafe} on {@link #loops()}.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class LoopGroup implements AutoCloseable {
    private final LoopGroupEngine engine;

    private LoopGroup(LoopGroupEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts a group of loops with the default options.
     *
     * @param loops how many loops; 0: one per available processor
     * @return the running group
     * @throws IllegalArgumentException if {@code loops} is negative
     * @throws IllegalStateException    if no event loop can be created in this JVM (the message
     *                                  names the fix)
     */
    public static LoopGroup create(int loops) {
        return create(loops, RunOptions.defaults());
    }

    /**
     * Starts a group of loops with options (debug mode, shutdown timeout, JMX) applied to each.
     *
     * @param loops   how many loops; 0: one per available processor
     * @param options the options of every loop
     * @return the running group
     * @throws NullPointerException     if {@code options} is null
     * @throws IllegalArgumentException if {@code loops} is negative
     * @throws IllegalStateException    if no event loop can be created in this JVM
     */
    public static LoopGroup create(int loops, RunOptions options) {
        return new LoopGroup(new LoopGroupEngine(loops, options));
    }

    /**
     * The group's loops, in order; the first is the one {@link #run} uses.
     *
     * @return an unmodifiable list
     */
    public List<EventLoop> loops() {
        return engine.loops();
    }

    /**
     * The next loop, round robin.
     *
     * @return a loop of the group
     * @throws IllegalStateException if the group is closed
     */
    public EventLoop next() {
        return engine.next();
    }

    /**
     * Runs {@code body} as a new task on {@link #next()}. The returned future may be awaited
     * from a task of any loop, read with {@code get()} from any thread, and cancelled from
     * anywhere (which cancels the task). Called from a task of the chosen loop itself, it
     * returns the task.
     *
     * @param body the task's body
     * @param <T>  the result type
     * @return a future of the task's outcome
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if the group is closed
     */
    public <T> Future<T> submit(Callable<T> body) {
        return engine.submit(body);
    }

    /**
     * Runs a body without result as a new task on {@link #next()}; see {@link #submit(Callable)}.
     *
     * @param body the task's body
     * @return a future of the task's outcome (null on success)
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if the group is closed
     */
    public Future<Void> submit(ThrowingRunnable body) {
        return engine.submit(Structured.callable(body));
    }

    /**
     * Runs {@code main} as a task on the first loop and blocks the calling thread until it
     * ends, as {@link Asyncio#run(Callable)} does, while the other loops go on serving; nothing
     * is closed afterwards, and it may be called again. If the calling thread is interrupted
     * while it waits, the main task is cancelled and this throws {@code CancelledException}
     * with the interrupt flag set again. Ctrl+C as {@link Asyncio#run(Callable)} has it: called on
     * the JVM's main thread (and unless the options say {@code withSigintHandler(false)}), a
     * first SIGINT cancels the main task, so this throws {@code CancelledException}; closing the
     * group then cancels every other task.
     *
     * @param main the body
     * @param <T>  the result type
     * @return the body's result
     * @throws NullPointerException  if {@code main} is null
     * @throws IllegalStateException if the group is closed, or the caller runs on one of the
     *                               group's loops (it would wait for itself)
     * @throws CancelledException    if the main task was cancelled
     * @throws RuntimeException      the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public <T> T run(Callable<T> main) {
        return engine.run(main);
    }

    /**
     * Runs a body without result; see {@link #run(Callable)}.
     *
     * @param main the body
     * @throws NullPointerException  if {@code main} is null
     * @throws IllegalStateException as {@link #run(Callable)}
     */
    public void run(ThrowingRunnable main) {
        engine.run(Structured.callable(main));
    }

    /**
     * Starts a TCP server that accepts on every loop, with the default stream options; see
     * {@link #startServer(ClientHandler, String, int, StreamOptions)}.
     *
     * @param handler run as a new task per connection, on the loop that serves it
     * @param host    the host or address to listen on
     * @param port    the port; 0 picks a free one (the same on every loop)
     * @return the server
     * @throws IOException              if a listening socket cannot be bound
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the port is out of range
     * @throws IllegalStateException    if the group is closed
     */
    public Server startServer(ClientHandler handler, String host, int port) throws IOException {
        return engine.startServer(handler, host, port, StreamOptions.defaults());
    }

    /**
     * Starts a TCP server that accepts on every loop. Where the OS offers {@code SO_REUSEPORT}
     * (Linux, the BSDs, macOS), each loop binds the same addresses with it and accepts on its
     * own, and the kernel spreads the connections over them; elsewhere the first loop accepts
     * and hands each connection to the next loop in turn. Either way each connection lives on
     * one loop for its whole life: its handler task and every read and write run there. The
     * returned {@link Server} stands for all the loops' sockets: {@code close()} may be called
     * from any thread, {@code serveForever()} and {@code waitClosed()} from a task of any loop;
     * {@code clientCount()} is a snapshot summed across loops.
     *
     * @param handler run as a new task per connection, on the loop that serves it
     * @param host    the host or address to listen on
     * @param port    the port; 0 picks a free one (the same on every loop)
     * @param options read limit, TLS, water marks, backlog
     * @return the server
     * @throws IOException              if a listening socket cannot be bound
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the port is out of range
     * @throws IllegalStateException    if the group is closed
     */
    public Server startServer(ClientHandler handler, String host, int port, StreamOptions options) throws IOException {
        return engine.startServer(handler, host, port, options);
    }

    /**
     * Cancels every task of every loop and waits for them to end (their {@code finally}
     * blocks run), shuts down each loop's default executor and closes the loops; then the
     * loops' threads have ended. Closing twice does nothing more. Blocks the calling thread;
     * from a task of another loop the wait is cooperative.
     *
     * @throws IllegalStateException if called from one of the group's own loops (it would wait
     *                               for itself)
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return engine.isClosed();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}
