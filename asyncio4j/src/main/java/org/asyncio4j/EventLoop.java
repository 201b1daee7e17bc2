package org.asyncio4j;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

import org.asyncio4j.protocols.SubprocessProtocol;
import org.asyncio4j.protocols.SubprocessTransport;
import org.asyncio4j.protocols.TransportAndProtocol;

/**
 * One thread draining one ready queue of callbacks and task steps, with timers and a clock.
 *
 * <p>The loop runs on the thread that calls {@link #runUntilComplete} or {@link #runForever}
 * (a platform thread; called from a virtual thread, the loop runs on a fresh platform thread
 * while the caller waits). Its tasks are virtual threads carried only by that thread, so at most
 * one of them runs at a time.
 *
 * <h2>Loop confinement</h2>
 * Only the loop's owner thread and its tasks may call the methods that schedule or change state
 * ({@code callSoon}, {@code callLater}, {@code createTask}, a future's {@code setResult}...);
 * from another thread they throw {@link IllegalStateException}. While the loop runs, its owner
 * is the thread running it; while it is idle, the thread that created it or last ran it, which
 * may prepare work (create tasks, schedule callbacks). A thread that runs an idle loop becomes
 * its owner, and when the owner thread has ended, the next thread that uses the loop does.
 * Other threads use {@link #callSoonThreadsafe(Runnable)} or {@link #execute(Runnable)}; their
 * {@code cancel} calls on the loop's tasks, futures and handles are forwarded to the loop and
 * take effect when it next runs (see the package's loop-confinement guarantee).
 *
 * <p>Python: {@code asyncio.AbstractEventLoop} / {@code BaseEventLoop}.
 */
public interface EventLoop extends Executor, AutoCloseable {

    /**
     * Schedules a callback for the next iteration; callbacks run in the order scheduled.
     *
     * @param callback the callback; an exception it throws goes to the exception handler
     * @return a handle that can cancel it
     * @throws NullPointerException  if {@code callback} is null
     * @throws IllegalStateException if the loop is closed, or the caller is another thread
     *                               while the loop runs
     */
    Handle callSoon(Runnable callback);

    /**
     * Schedules a callback from any thread, waking the loop if it sleeps.
     *
     * @param callback the callback
     * @return a handle that can cancel it (cancel it on the loop thread)
     * @throws NullPointerException  if {@code callback} is null
     * @throws IllegalStateException if the loop is closed
     */
    Handle callSoonThreadsafe(Runnable callback);

    /**
     * Runs a runnable on the loop, from any thread: {@link #callSoonThreadsafe(Runnable)}
     * without a handle, so a loop can serve as an {@code Executor}.
     *
     * @throws NullPointerException                           if {@code command} is null
     * @throws java.util.concurrent.RejectedExecutionException if the loop is closed
     */
    @Override
    void execute(Runnable command);

    /**
     * Schedules a callback after a delay.
     *
     * @param delaySeconds seconds from now; zero or negative means the next iteration
     * @param callback     the callback
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if the delay is NaN
     * @throws NullPointerException     if {@code callback} is null
     * @throws IllegalStateException    as {@link #callSoon(Runnable)}
     */
    TimerHandle callLater(double delaySeconds, Runnable callback);

    /**
     * Schedules a callback after a delay.
     *
     * @param delay    the delay; negative means the next iteration
     * @param callback the callback
     * @return a handle that can cancel it
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException as {@link #callSoon(Runnable)}
     */
    TimerHandle callLater(Duration delay, Runnable callback);

    /**
     * Schedules a callback at a loop time (see {@link #time()}).
     *
     * @param when     the loop time, in seconds
     * @param callback the callback
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws NullPointerException     if {@code callback} is null
     * @throws IllegalStateException    as {@link #callSoon(Runnable)}
     */
    TimerHandle callAt(double when, Runnable callback);

    /**
     * A callback that may throw checked exceptions, so that {@code loop.callSoon(() -> Files.delete(p))}
     * compiles. It is a {@code Runnable} (whose {@code run()} calls {@link #call()} and lets what
     * it throws through, a checked exception included, undeclared), so the overloads taking one
     * are thin adapters onto the {@code Runnable} ones; a lambda or method reference passed to
     * {@code callSoon}, {@code callSoonThreadsafe}, {@code callLater} or {@code callAt} becomes a
     * {@code Callback} (Java prefers it as the more specific type), and a {@code Runnable} value
     * goes to the {@code Runnable} overload unchanged. What {@code call()} throws goes to the
     * exception handler, as a {@code Runnable}'s exception does.
     *
     * <p>Python: a callback of {@code loop.call_soon}, which may raise anything.
     */
    @FunctionalInterface
    interface Callback extends Runnable {
        /**
         * Runs the callback.
         *
         * @throws Exception anything; the loop gives it to the exception handler
         */
        void call() throws Exception;

        /** Runs {@link #call()}, letting its exception through as it is (checked ones undeclared). */
        @Override
        default void run() {
            try {
                call();
            } catch (Exception e) {
                throw Callback.<RuntimeException>sneaky(e);
            }
        }

        @SuppressWarnings("unchecked")
        private static <E extends Exception> E sneaky(Exception e) throws E {
            throw (E) e;
        }
    }

    /**
     * Schedules a callback that may throw checked exceptions; see {@link #callSoon(Runnable)}
     * and {@link Callback}.
     *
     * @param callback the callback; what it throws goes to the exception handler
     * @return a handle that can cancel it
     * @throws NullPointerException  if {@code callback} is null
     * @throws IllegalStateException as {@link #callSoon(Runnable)}
     */
    default Handle callSoon(Callback callback) {
        return callSoon((Runnable) callback);
    }

    /**
     * Schedules a callback that may throw checked exceptions from any thread; see
     * {@link #callSoonThreadsafe(Runnable)}.
     *
     * @param callback the callback
     * @return a handle that can cancel it
     * @throws NullPointerException  if {@code callback} is null
     * @throws IllegalStateException if the loop is closed
     */
    default Handle callSoonThreadsafe(Callback callback) {
        return callSoonThreadsafe((Runnable) callback);
    }

    /**
     * Schedules a callback that may throw checked exceptions after a delay; see
     * {@link #callLater(double, Runnable)}.
     *
     * @param delaySeconds seconds from now
     * @param callback     the callback
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if the delay is NaN
     * @throws NullPointerException     if {@code callback} is null
     * @throws IllegalStateException    as {@link #callSoon(Runnable)}
     */
    default TimerHandle callLater(double delaySeconds, Callback callback) {
        return callLater(delaySeconds, (Runnable) callback);
    }

    /**
     * Schedules a callback that may throw checked exceptions after a delay; see
     * {@link #callLater(Duration, Runnable)}.
     *
     * @param delay    the delay
     * @param callback the callback
     * @return a handle that can cancel it
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException as {@link #callSoon(Runnable)}
     */
    default TimerHandle callLater(Duration delay, Callback callback) {
        return callLater(delay, (Runnable) callback);
    }

    /**
     * Schedules a callback that may throw checked exceptions at a loop time; see
     * {@link #callAt(double, Runnable)}.
     *
     * @param when     the loop time, in seconds
     * @param callback the callback
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws NullPointerException     if {@code callback} is null
     * @throws IllegalStateException    as {@link #callSoon(Runnable)}
     */
    default TimerHandle callAt(double when, Callback callback) {
        return callAt(when, (Runnable) callback);
    }

    /**
     * The loop's clock, in seconds: monotonic, with an arbitrary origin (or virtual, see
     * {@link RunOptions#withVirtualClock(boolean)}).
     *
     * @return the current loop time
     */
    double time();

    /**
     * A new pending future bound to this loop.
     *
     * @param <T> the result type
     * @return the future
     * @throws IllegalStateException if the loop is closed
     */
    <T> Future<T> createFuture();

    /**
     * Schedules a body as a task of this loop, named {@code Task-N}.
     *
     * @param body the body
     * @param <T>  the result type
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException if the loop is closed, or the caller is another thread
     *                               while the loop runs
     */
    <T> Task<T> createTask(Callable<T> body);

    /**
     * Schedules a named task; see {@link #createTask(Callable)}.
     *
     * @param body the body
     * @param name the name; null means {@code Task-N}
     * @param <T>  the result type
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    <T> Task<T> createTask(Callable<T> body, String name);

    /**
     * Schedules a body without a result; see {@link #createTask(Callable)}.
     *
     * @param body the body
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    Task<Void> createTask(ThrowingRunnable body);

    /**
     * Schedules a named body without a result; see {@link #createTask(Callable)}.
     *
     * @param body the body
     * @param name the name; null means {@code Task-N}
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    Task<Void> createTask(ThrowingRunnable body, String name);

    /**
     * Makes every task created on this loop from now on start eagerly, or not (the default):
     * {@link #createTask}, {@link Asyncio#createTask}, {@link TaskGroup#createTask} and the tasks
     * that {@link Asyncio#gather(java.util.concurrent.Callable[])} makes of bodies. An eager task,
     * created while the loop runs, runs its body at once, inside {@code createTask}, until its
     * first suspension point; a body that ends without suspending gives a task that is already
     * done when {@code createTask} returns. See {@link Asyncio#createEagerTask(java.util.concurrent.Callable)}
     * for the details and what it costs. A task created while the loop is not running starts at
     * the loop's next turn, eager or not. Callable from any thread; it applies to the tasks
     * created afterwards.
     *
     * <p>Python: {@code loop.set_task_factory(asyncio.eager_task_factory)} (3.12).
     *
     * @param enabled true for eager tasks
     */
    void setEagerTasks(boolean enabled);

    /**
     * Whether every task created on this loop starts eagerly ({@link #setEagerTasks}).
     *
     * @return true if eager
     */
    boolean getEagerTasks();

    /**
     * Schedules a named task that runs in {@code context} itself, not a copy (Python's
     * {@code loop.create_task(coro, context=ctx)}); the other overloads, and a null context, run
     * the task in a copy of the context current at this call.
     *
     * @param body    the body
     * @param name    the name; null means {@code Task-N}
     * @param context the context to run in, or null for a copy of the current one
     * @param <T>     the result type
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    <T> Task<T> createTask(Callable<T> body, String name, Context context);

    /**
     * Schedules a named body without a result in {@code context}; see
     * {@link #createTask(Callable, String, Context)}.
     *
     * @param body    the body
     * @param name    the name; null means {@code Task-N}
     * @param context the context to run in, or null for a copy of the current one
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException as {@link #createTask(Callable)}
     */
    Task<Void> createTask(ThrowingRunnable body, String name, Context context);

    /**
     * Runs the loop until the future is done, and returns its result.
     *
     * @param future a future of this loop
     * @param <T>    the result type
     * @return the result
     * @throws IllegalStateException if the loop is closed or already running, another loop runs
     *                               in this thread, the future belongs to another loop, or the
     *                               loop was stopped before the future completed
     * @throws CancelledException    if the future was cancelled
     * @throws RuntimeException      the future's own unchecked exception
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    <T> T runUntilComplete(Future<T> future);

    /**
     * Runs a body as a task until it is done; see {@link #runUntilComplete(Future)}.
     *
     * @param body the body
     * @param <T>  the result type
     * @return the body's result
     * @throws NullPointerException if {@code body} is null
     */
    <T> T runUntilComplete(Callable<T> body);

    /**
     * Runs a body without result as a task until it is done; see
     * {@link #runUntilComplete(Future)}.
     *
     * @param body the body
     * @throws NullPointerException if {@code body} is null
     */
    void runUntilComplete(ThrowingRunnable body);

    /**
     * Runs the loop until {@link #stop()} is called.
     *
     * @throws IllegalStateException if the loop is closed or already running, or another loop
     *                               runs in this thread
     */
    void runForever();

    /**
     * Asks the loop to stop after the callbacks already scheduled have run; callable from any
     * thread. If the loop is not running, its next run stops after one iteration.
     */
    void stop();

    /**
     * Whether the loop is running.
     *
     * @return true while {@code runForever} or {@code runUntilComplete} is on the stack
     */
    boolean isRunning();

    /**
     * Whether the loop is closed.
     *
     * @return true after {@link #close()}
     */
    boolean isClosed();

    /**
     * Closes the loop. Tasks still pending are cancelled and the loop runs until they end, for
     * at most the shutdown timeout of loop time (5 seconds unless
     * {@link RunOptions#withShutdownTimeout} says otherwise); a task still running then is
     * reported to the exception handler by name and stack and left behind, pending. Then the
     * default executor is shut down without waiting; then every failed future whose exception
     * nobody read is reported ("exception was never retrieved"), once. Work the loop drops (callbacks not
     * run, futures left pending) never completes, so the threads waiting on it are released: a
     * foreign {@code get()} on a pending future of this loop, and the {@code CompletableFuture}s
     * of {@code runCoroutineThreadsafe} and {@code toCompletableFuture}, end with a
     * {@link CancelledException} saying the loop closed. Closing twice does nothing.
     *
     * @throws IllegalStateException if the loop is running
     */
    @Override
    void close();

    /**
     * Runs a blocking call on an executor and returns a future of its outcome. Cancelling the
     * future interrupts the call.
     *
     * @param executor the executor; null means the loop's default executor (platform threads)
     * @param call     the blocking call
     * @param <T>      the result type
     * @return a future of this loop
     * @throws NullPointerException  if {@code call} is null
     * @throws IllegalStateException if the loop is closed, or the caller is another thread
     *                               while the loop runs
     */
    <T> Future<T> runInExecutor(Executor executor, Callable<T> call);

    /**
     * Replaces the default executor used by {@link #runInExecutor} and {@link Asyncio#toThread}.
     *
     * @param executor the executor
     * @throws NullPointerException  if {@code executor} is null
     * @throws IllegalStateException if the caller is another thread while the loop runs
     */
    void setDefaultExecutor(ExecutorService executor);

    /**
     * Shuts the default executor down and waits for its running calls to end (inside a task, the
     * task suspends while it waits). Later {@code runInExecutor(null, ...)} calls fail.
     *
     * @throws IllegalStateException if called on the loop thread outside a task while the loop
     *                               runs (waiting there would stall the loop)
     */
    void shutdownDefaultExecutor();

    /**
     * Sets the exception handler; null restores the default, which logs through
     * {@code System.Logger} ("org.asyncio4j").
     *
     * @param handler the handler, or null
     */
    void setExceptionHandler(ExceptionHandler handler);

    /**
     * The current exception handler.
     *
     * @return the handler set, or null for the default
     */
    ExceptionHandler getExceptionHandler();

    /**
     * Reports an exception to the exception handler, on the calling thread.
     *
     * @param context what happened
     * @throws NullPointerException if {@code context} is null
     */
    void callExceptionHandler(ExceptionContext context);

    /**
     * Turns debug mode on or off. In debug mode the loop reports, through the exception
     * handler, every step that holds the loop longer than the slow-callback duration, with the
     * task's name and the stack it was sampled at while it held the loop; and every
     * cancellation of a task records where it was requested: the {@link CancelledException} it
     * delivers (to the task's body, and to whoever awaits the task) carries a "cancelled here"
     * exception, whose message names the requesting task or thread and the first frame of its
     * code ({@code cancelled by task Task-3 at Crawler.stop(Crawler.java:17)}) and whose stack is
     * the requester's: as its cause, or, when the exception has a cause already (the exception of
     * a driver that {@link Asyncio#cancellable} stopped), as a suppressed exception.
     *
     * @param enabled true to enable
     */
    void setDebug(boolean enabled);

    /**
     * Whether debug mode is on.
     *
     * @return true if on
     */
    boolean getDebug();

    /**
     * A dump of every live task, for reading: a table (Python 3.14's {@code python -m asyncio
     * ps}) with each task's id (its thread's id, as thread dumps show it), name, state
     * ({@code running}, {@code ready}, {@code waiting}), what it waits for (a future, a task, a
     * {@code gather}, {@code sleep}, the JDK call it is blocked in), where (the first frame of its
     * own code) and which tasks await it; then a tree from the tasks nobody awaits down to the
     * tasks they await ({@code pstree}: a {@link TaskGroup}'s task above its children, a task
     * above what it gathers); then each task's stack, without the JDK's and asyncio4j's frames
     * above the call its code is suspended in. Who awaits whom is what
     * {@link Asyncio#captureCallGraph(Future)} shows. The format is for people; it may change.
     *
     * <p>Callable from any thread. On the loop's thread it reads the loop at once. From another
     * thread it has the running loop take the dump between two steps and waits for it (up to one
     * second), or, while the loop is idle, reads it while keeping any thread from starting the
     * loop meanwhile. If the running loop does not answer in time (a step holds its thread, which
     * is often why a dump is wanted), the tasks are read without the loop's cooperation, a best
     * effort that the dump's second line says it is.
     *
     * @return the dump, several lines
     */
    String dumpTasks();

    /**
     * Sets how long a step may hold the loop before debug mode reports it (default 100 ms).
     *
     * @param duration the threshold
     * @throws NullPointerException     if {@code duration} is null
     * @throws IllegalArgumentException if it is negative
     */
    void setSlowCallbackDuration(Duration duration);

    /**
     * Sets the slow-step threshold in seconds, as Python's
     * {@code loop.slow_callback_duration = 0.1}; see {@link #setSlowCallbackDuration(Duration)}.
     *
     * @param seconds the threshold
     * @throws IllegalArgumentException if {@code seconds} is NaN or negative
     */
    default void setSlowCallbackDuration(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) {
            throw new IllegalArgumentException("slow callback duration: seconds is " + seconds);
        }
        setSlowCallbackDuration(Duration.ofNanos(seconds >= 9.0e9 ? Long.MAX_VALUE : (long) (seconds * 1e9)));
    }

    /**
     * The loop's figures now: live tasks, ready entries, timers, I/O waiters, the turns, steps
     * and callbacks run so far, the longest timed step and its task, and the loop lag (how late
     * the last timer to fire ran, which shows a loop starved by many short steps as well as by
     * one long one). See {@link LoopStatistics} for what each figure means; {@code longestStep}
     * is measured only while debug mode is on or a JFR recording enables
     * {@code org.asyncio4j.SlowStep}.
     *
     * <p>Safe from any thread, running loop or not, and it never waits for the loop: on the
     * loop's thread the snapshot is exact; from another thread the figures are read without
     * synchronisation, so each is a recent value and they may disagree slightly with each other
     * (good enough for monitoring, which is what they are for).
     *
     * @return a snapshot of the figures
     */
    LoopStatistics statistics();

    // ------------------------------------------------------------------ datagrams

    /**
     * Opens a UDP endpoint under a protocol the factory makes. {@code local} (bound; port 0 for
     * any free one) and {@code remote} (connected: every datagram then goes to it, only its
     * datagrams are received, and {@code sendTo} with another address is refused) may each be
     * null, not both. Host names in unresolved addresses are resolved off the loop, and each
     * local and remote address pair of one family is tried in turn (a wildcard local address fits
     * either family). The protocol's {@code connectionMade} has run when this returns; its
     * datagrams arrive as loop callbacks ({@code datagramReceived}).
     *
     * <p>Python: {@code loop.create_datagram_endpoint(protocol_factory, local_addr, remote_addr)}.
     *
     * @param protocolFactory makes the endpoint's protocol
     * @param local           the address to bind, or null
     * @param remote          the address to connect to, or null
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws NullPointerException     if {@code protocolFactory} is null, or it returns null
     * @throws IllegalArgumentException if both addresses are null, or no family fits both
     * @throws java.io.IOException      if a name cannot be resolved, or no address pair can be
     *                                  bound and connected (the last failure)
     * @throws IllegalStateException    outside a task of this loop
     */
    default <P extends org.asyncio4j.protocols.DatagramProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.DatagramTransport, P> createDatagramEndpoint(
                    java.util.function.Supplier<P> protocolFactory, java.net.InetSocketAddress local,
                    java.net.InetSocketAddress remote) throws java.io.IOException {
        return createDatagramEndpoint(protocolFactory, local, remote, org.asyncio4j.protocols.DatagramOptions.defaults());
    }

    /**
     * {@link #createDatagramEndpoint(java.util.function.Supplier, java.net.InetSocketAddress,
     * java.net.InetSocketAddress)} with socket options (address reuse, port reuse, broadcast),
     * set before binding.
     *
     * @param protocolFactory makes the endpoint's protocol
     * @param local           the address to bind, or null
     * @param remote          the address to connect to, or null
     * @param options         the socket options
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws NullPointerException     if {@code protocolFactory} or {@code options} is null, or
     *                                  the factory returns null
     * @throws IllegalArgumentException if both addresses are null, no family fits both, or
     *                                  {@code reusePort} is asked for where the OS lacks it
     * @throws java.io.IOException      if a name cannot be resolved, or no address pair can be
     *                                  bound and connected (the last failure)
     * @throws IllegalStateException    outside a task of this loop
     */
    <P extends org.asyncio4j.protocols.DatagramProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.DatagramTransport, P> createDatagramEndpoint(
                    java.util.function.Supplier<P> protocolFactory, java.net.InetSocketAddress local,
                    java.net.InetSocketAddress remote, org.asyncio4j.protocols.DatagramOptions options)
            throws java.io.IOException;

    /**
     * Opens a UDP endpoint on an existing channel (bound or connected already, or neither),
     * which is switched to non-blocking mode and owned by the transport from then on (closed
     * with it).
     *
     * <p>Python: {@code loop.create_datagram_endpoint(protocol_factory, sock=sock)}.
     *
     * @param protocolFactory makes the endpoint's protocol
     * @param channel         the channel
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws NullPointerException  if an argument is null, or the factory returns null
     * @throws java.io.IOException   if the channel is closed or cannot be switched to
     *                               non-blocking mode
     * @throws IllegalStateException outside a task of this loop
     */
    <P extends org.asyncio4j.protocols.DatagramProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.DatagramTransport, P> createDatagramEndpoint(
                    java.util.function.Supplier<P> protocolFactory, java.nio.channels.DatagramChannel channel)
            throws java.io.IOException;

    /**
     * Receives one datagram on a non-blocking channel, suspending the task until one arrives:
     * at most {@code n} bytes of it (the rest of a longer datagram is discarded, as
     * {@code recvfrom} does). A cancelled call takes no datagram.
     *
     * <p>Python: {@code loop.sock_recvfrom(sock, bufsize)}.
     *
     * @param channel the channel, in non-blocking mode
     * @param n       the most bytes to take, at least 0
     * @return the payload and its sender
     * @throws NullPointerException     if {@code channel} is null
     * @throws IllegalArgumentException if the channel is in blocking mode, or {@code n < 0}
     * @throws java.io.IOException      if the receive fails (a {@code PortUnreachableException}
     *                                  on a connected channel whose peer is gone, say)
     * @throws IllegalStateException    outside a task of this loop
     */
    org.asyncio4j.protocols.Datagram sockRecvfrom(java.nio.channels.DatagramChannel channel, int n)
            throws java.io.IOException;

    /**
     * Receives one datagram into the buffer's remaining space on a non-blocking channel,
     * suspending the task until one arrives (the part of a longer datagram that does not fit is
     * discarded); the buffer's position advances by the bytes received. A cancelled call takes
     * no datagram.
     *
     * <p>Python: {@code loop.sock_recvfrom_into(sock, buf)}, which returns {@code (nbytes,
     * address)}: here the count is what the position moved.
     *
     * @param channel the channel, in non-blocking mode
     * @param dst     where the payload goes
     * @return the sender
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode, or {@code dst} is read-only
     * @throws java.io.IOException      if the receive fails
     * @throws IllegalStateException    outside a task of this loop
     */
    java.net.InetSocketAddress sockRecvfromInto(java.nio.channels.DatagramChannel channel, ByteBuffer dst)
            throws java.io.IOException;

    /**
     * Sends one datagram (the buffer's remaining bytes) on a non-blocking channel, suspending the
     * task while the socket cannot take it.
     *
     * <p>Python: {@code loop.sock_sendto(sock, data, address)}.
     *
     * @param channel the channel, in non-blocking mode
     * @param data    the payload (the position is advanced)
     * @param to      the destination (on a connected channel, its remote address)
     * @return the bytes sent (all of them)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws java.io.IOException      if the send fails (a datagram larger than the OS allows,
     *                                  say)
     * @throws IllegalStateException    outside a task of this loop
     */
    int sockSendto(java.nio.channels.DatagramChannel channel, java.nio.ByteBuffer data, java.net.SocketAddress to)
            throws java.io.IOException;

    // ------------------------------------------------------------------ signals

    /**
     * Runs {@code callback} on this loop whenever the process receives the signal: the JVM's
     * signal thread only hands it to the loop through {@link #callSoonThreadsafe}, so the
     * callback runs between two steps, on the loop's thread, like any callback (an exception it
     * throws goes to the exception handler). A second call for the same signal replaces the
     * callback. The handler stays until {@link #removeSignalHandler} or {@link #close()}; it is
     * the process's only handler of that signal meanwhile (the JDK's own for {@code HUP},
     * {@code INT} and {@code TERM}, which runs the shutdown hooks and exits, is put back when
     * the last asyncio4j handler of it goes). When several loops handle one signal, the loop
     * that added its handler last gets it; removing that handler gives the signal back to the
     * loop that had it before. Callable from any thread.
     *
     * <p>Refused: names the JVM or the OS keeps ({@code KILL} and {@code STOP} cannot be caught;
     * on JDK 25 the JVM keeps {@code QUIT} for thread dumps, {@code SEGV}, {@code BUS},
     * {@code FPE}, {@code ILL}, {@code USR2}, {@code PIPE}, {@code XFSZ}, and {@code HUP},
     * {@code INT} and {@code TERM} under {@code -Xrs}), and {@code HUP}, {@code INT} or
     * {@code TERM} while the process ignores it ({@code nohup}, a background job of a
     * non-interactive shell), since the JVM then never delivers it.
     *
     * <p>Python: {@code loop.add_signal_handler(sig, callback)}.
     *
     * @param signal   the signal's name as the OS spells it, without {@code SIG}: {@code "INT"},
     *                 {@code "TERM"}, {@code "HUP"}, {@code "USR1"}, ... (a leading {@code SIG},
     *                 as in {@code "SIGINT"}, is accepted)
     * @param callback what to run on the loop
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the name is unknown, or the JVM does not let Java
     *                                  handle that signal (the message says why)
     * @throws IllegalStateException    if the loop is closed
     */
    void addSignalHandler(String signal, Runnable callback);

    /**
     * Removes this loop's handler of the signal, if it has one. The signal then goes to the
     * loop that handled it before this one added its handler, or, if none, to the handler that
     * was there before asyncio4j installed its own (for {@code INT}, {@code TERM} and
     * {@code HUP} the JDK's: shutdown hooks, then exit; otherwise the OS default).
     *
     * <p>Python: {@code loop.remove_signal_handler(sig)}.
     *
     * @param signal the signal's name, as for {@link #addSignalHandler}
     * @return true if a handler was removed, false if this loop had none (a closed loop has none)
     * @throws NullPointerException     if {@code signal} is null
     * @throws IllegalArgumentException if the name is unknown
     */
    boolean removeSignalHandler(String signal);

    // ------------------------------------------------------------------ low-level sockets (Python's loop.sock_*)

    /**
     * Connects a non-blocking channel, suspending the calling task (only it) until the connection
     * is made. An unresolved {@link java.net.InetSocketAddress} is resolved off the loop first.
     * A cancelled call leaves the connection attempt running: calling it again with the same
     * address takes it up and finishes it (and returns at once if it is done).
     *
     * <p>Python: {@code loop.sock_connect(sock, address)}.
     *
     * @param channel a channel in non-blocking mode
     * @param address where to connect
     * @throws IOException              if the connection fails ({@link java.net.ConnectException}
     *                                  when refused; the JDK then closes the channel), or the host
     *                                  name cannot be resolved ({@link java.net.UnknownHostException})
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException    outside a task of this loop, if another task is connecting or
     *                                  sending on the channel, or the channel has a writer callback
     *                                  ({@link #addWriter}); the JDK's {@code AlreadyConnectedException}
     *                                  or {@code ConnectionPendingException} for another address
     * @throws CancelledException       if the task is cancelled while it waits
     */
    void sockConnect(SocketChannel channel, SocketAddress address) throws IOException;

    /**
     * Accepts a connection on a non-blocking listening channel, suspending the calling task until
     * one comes. A cancelled call accepts nothing.
     *
     * <p>Python: {@code loop.sock_accept(sock)} (the peer's address is the channel's
     * {@code getRemoteAddress()}).
     *
     * @param channel a bound listening channel in non-blocking mode
     * @return the accepted channel, in non-blocking mode
     * @throws IOException              if accepting fails
     * @throws NullPointerException     if {@code channel} is null
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException    outside a task of this loop, if another task is accepting on
     *                                  the channel, or it has a reader callback ({@link #addReader})
     * @throws CancelledException       if the task is cancelled while it waits
     */
    SocketChannel sockAccept(ServerSocketChannel channel) throws IOException;

    /**
     * Receives up to {@code n} bytes, suspending the calling task until some arrive. A cancelled
     * call has consumed nothing.
     *
     * <p>Python: {@code loop.sock_recv(sock, n)}.
     *
     * @param channel a connected channel in non-blocking mode
     * @param n       the most bytes to return
     * @return the bytes received; an empty array at end of stream (and for {@code n == 0})
     * @throws IOException              if reading fails
     * @throws NullPointerException     if {@code channel} is null
     * @throws IllegalArgumentException if the channel is in blocking mode, or {@code n < 0}
     * @throws IllegalStateException    outside a task of this loop, if another task is receiving
     *                                  from the channel, or it has a reader callback
     * @throws CancelledException       if the task is cancelled while it waits
     */
    byte[] sockRecv(SocketChannel channel, int n) throws IOException;

    /**
     * Receives into the buffer's remaining space, suspending the calling task until some bytes
     * arrive; advances the buffer's position. A cancelled call has consumed nothing.
     *
     * <p>Python: {@code loop.sock_recv_into(sock, buf)}.
     *
     * @param channel a connected channel in non-blocking mode
     * @param buffer  where to put the bytes
     * @return how many bytes were received, 0 if the buffer has no room left, -1 at end of stream
     * @throws IOException              if reading fails
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode, or the buffer is read-only
     * @throws IllegalStateException    as {@link #sockRecv}
     * @throws CancelledException       if the task is cancelled while it waits
     */
    int sockRecvInto(SocketChannel channel, ByteBuffer buffer) throws IOException;

    /**
     * Sends all of the buffer's remaining bytes, suspending the calling task while the socket
     * cannot take more. The buffer's position advances as bytes go out, so after a cancellation
     * (or a failure) it says exactly how much was sent: as in Python, a cancelled call may have
     * sent part of the data, which stays sent.
     *
     * <p>Python: {@code loop.sock_sendall(sock, data)}.
     *
     * @param channel a connected channel in non-blocking mode
     * @param data    the bytes, from its position to its limit
     * @throws IOException              if writing fails
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException    outside a task of this loop, if another task is sending on
     *                                  (or connecting) the channel, or it has a writer callback
     * @throws CancelledException       if the task is cancelled while it waits
     */
    void sockSendall(SocketChannel channel, ByteBuffer data) throws IOException;

    /**
     * Sends all the bytes, as {@link #sockSendall(SocketChannel, ByteBuffer)}; a cancelled call
     * may have sent a prefix of them (how much is not reported: pass a {@code ByteBuffer} to know).
     *
     * @param channel a connected channel in non-blocking mode
     * @param data    the bytes
     * @throws IOException              if writing fails
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws IllegalStateException    as {@link #sockSendall(SocketChannel, ByteBuffer)}
     * @throws CancelledException       if the task is cancelled while it waits
     */
    void sockSendall(SocketChannel channel, byte[] data) throws IOException;

    /**
     * Sends part of a file over a non-blocking socket channel, suspending the task while the
     * socket is full: zero copy ({@link java.nio.channels.FileChannel#transferTo}). The file's
     * position is left alone. A cancelled call may have sent part of the file.
     *
     * <p>Python: {@code loop.sock_sendfile(sock, file, offset, count)}.
     *
     * @param channel a connected channel in non-blocking mode
     * @param file    the file, open for reading
     * @param offset  where to start, in bytes
     * @param count   how many bytes, or 0 for all up to the end of the file
     * @return the bytes sent (fewer than {@code count} if the file is shorter)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode, or {@code offset} or
     *                                  {@code count} is negative
     * @throws IOException              if sending or reading the file fails
     * @throws IllegalStateException    as {@link #sockSendall(SocketChannel, ByteBuffer)}
     * @throws CancelledException       if the task is cancelled while it waits
     */
    long sockSendfile(SocketChannel channel, java.nio.channels.FileChannel file, long offset, long count) throws IOException;

    /**
     * Calls {@code callback} on the loop in every iteration in which the channel is ready to
     * read (or, for a listening channel, to accept), until {@link #removeReader}: level-triggered,
     * so a callback that leaves data unread is called again. Adding a reader to a channel that
     * has one replaces its callback. The callback runs in the context current when it was added;
     * one that throws goes to the exception handler and stays registered. Closing the channel
     * ends the calls (remove the reader before or after; {@code removeReader} still returns true).
     *
     * <p>Python: {@code loop.add_reader(fd, callback)}.
     *
     * @param channel  a channel in non-blocking mode
     * @param callback what to run
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode, closed, or cannot be read
     * @throws IllegalStateException    if a task waits to receive from (or accept on) the channel,
     *                                  the loop is closed, or the caller is another thread
     */
    void addReader(SelectableChannel channel, Runnable callback);

    /**
     * Stops the reader callback of the channel.
     *
     * <p>Python: {@code loop.remove_reader(fd)}.
     *
     * @param channel the channel
     * @return true if the channel had a reader callback, false if not
     * @throws NullPointerException  if {@code channel} is null
     * @throws IllegalStateException if the caller is another thread
     */
    boolean removeReader(SelectableChannel channel);

    /**
     * Calls {@code callback} on the loop in every iteration in which the channel is ready to
     * write, until {@link #removeWriter}; otherwise as {@link #addReader}.
     *
     * <p>Python: {@code loop.add_writer(fd, callback)}.
     *
     * @param channel  a channel in non-blocking mode
     * @param callback what to run
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is in blocking mode, closed, or cannot be written
     * @throws IllegalStateException    if a task waits to send on (or connect) the channel, the loop
     *                                  is closed, or the caller is another thread
     */
    void addWriter(SelectableChannel channel, Runnable callback);

    /**
     * Stops the writer callback of the channel.
     *
     * <p>Python: {@code loop.remove_writer(fd)}.
     *
     * @param channel the channel
     * @return true if the channel had a writer callback, false if not
     * @throws NullPointerException  if {@code channel} is null
     * @throws IllegalStateException if the caller is another thread
     */
    boolean removeWriter(SelectableChannel channel);

    // ------------------------------------------------------------------ subprocesses with protocols

    /**
     * Starts a process with all three standard streams piped, under a protocol the factory makes
     * (the fork runs off the loop). When this returns, the protocol's {@code connectionMade} has
     * run; then, on the loop: {@code pipeDataReceived(1 | 2, data)} as output arrives (the buffer
     * is valid only during the call), {@code pipeConnectionLost(fd, failure)} once per pipe,
     * {@code processExited()} when the exit is seen, and {@code connectionLost(null)} last, once
     * every pipe is closed and the process has exited. The transport's
     * {@code getPipeTransport(0)} writes to the process's stdin (with the protocol's
     * {@code pauseWriting}/{@code resumeWriting} at its water marks; {@code writeEof} or
     * {@code close} closes it); 1 and 2 can {@code pauseReading}/{@code resumeReading}.
     * {@code close()} kills a running process and closes the pipes; {@code
     * getExtraInfo("subprocess")} is the {@link Process}. A protocol callback that throws goes to
     * the exception handler and closes the transport, as for every protocol (so a running process
     * is killed; Python's subprocess transport would go on), and {@code connectionLost} then
     * receives that exception. When the loop closes, a process still running is killed.
     *
     * <p>Python: {@code loop.subprocess_exec(protocol_factory, *args)}.
     *
     * @param protocolFactory makes the protocol
     * @param command         the program and its arguments
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws IOException              if the process cannot start
     * @throws NullPointerException     if an argument, a command element, or the factory's result
     *                                  is null
     * @throws IllegalArgumentException if {@code command} is empty
     * @throws IllegalStateException    outside a task of this loop
     * @throws CancelledException       if the task is cancelled meanwhile (the process, if started,
     *                                  is killed)
     */
    <P extends SubprocessProtocol> TransportAndProtocol<SubprocessTransport, P> subprocessExec(
            Supplier<P> protocolFactory, String... command) throws IOException;

    /**
     * {@link #subprocessExec} of {@code /bin/sh -c command}.
     *
     * <p>Python: {@code loop.subprocess_shell(protocol_factory, cmd)}.
     *
     * @param protocolFactory makes the protocol
     * @param command         the shell command line
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws IOException           if the shell cannot start
     * @throws NullPointerException  if an argument or the factory's result is null
     * @throws IllegalStateException outside a task of this loop
     * @throws CancelledException    if the task is cancelled meanwhile
     */
    <P extends SubprocessProtocol> TransportAndProtocol<SubprocessTransport, P> subprocessShell(
            Supplier<P> protocolFactory, String command) throws IOException;
    // ------------------------------------------------------------------ stream protocols (TCP, Unix sockets, TLS)

    /**
     * Connects to {@code host:port} and runs a protocol on the connection: Python's {@code
     * loop.create_connection}. Suspends the calling task until the connection is made (and its
     * TLS handshake done, with {@link org.asyncio4j.streams.StreamOptions#withSsl}) and the
     * protocol's {@code connectionMade} has run. Host names are resolved off the loop; each
     * address is tried in turn, exactly as {@code Asyncio.openConnection} does. The transport's
     * water marks are the options'.
     *
     * @param protocolFactory makes the protocol (a {@link org.asyncio4j.protocols.Protocol} or a
     *                        {@link org.asyncio4j.protocols.BufferedProtocol})
     * @param host            a host name or a literal address
     * @param port            the port
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws java.io.IOException      if no address could be connected, or the TLS handshake failed
     * @throws IllegalArgumentException if {@code port} is out of range, or the factory's protocol
     *                                  is neither a {@code Protocol} nor a {@code BufferedProtocol}
     * @throws NullPointerException     if an argument is null, or the factory returns null
     * @throws IllegalStateException    if the caller is not a task of this loop
     * @throws CancelledException       if the task is cancelled while it waits
     */
    <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createConnection(
                    java.util.function.Supplier<P> protocolFactory, String host, int port) throws java.io.IOException;

    /**
     * {@link #createConnection(java.util.function.Supplier, String, int)} with options: TLS,
     * the server name TLS checks, the water marks.
     *
     * @param protocolFactory makes the protocol
     * @param host            a host name or a literal address
     * @param port            the port
     * @param options         the options
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws java.io.IOException      if no address could be connected, or the TLS handshake failed
     * @throws IllegalArgumentException if {@code port} is out of range, or the protocol's kind is wrong
     * @throws NullPointerException     if an argument is null, or the factory returns null
     * @throws IllegalStateException    if the caller is not a task of this loop
     * @throws CancelledException       if the task is cancelled while it waits
     */
    <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createConnection(
                    java.util.function.Supplier<P> protocolFactory, String host, int port,
                    org.asyncio4j.streams.StreamOptions options) throws java.io.IOException;

    /**
     * Runs a protocol on an existing connected socket (Python's {@code create_connection(sock=...)}
     * and {@code connect_accepted_socket}). The channel is switched to non-blocking mode and is
     * the transport's from now on: it is closed with it (and closed at once if this call fails
     * after taking it). A channel whose non-blocking connect is still pending is finished first.
     * A closed or unconnected channel is refused before it is taken, and left as it was (as
     * {@link org.asyncio4j.Asyncio#openConnection(java.nio.channels.SocketChannel)} does).
     *
     * @param protocolFactory makes the protocol
     * @param channel         a connected TCP or Unix-domain socket channel
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws java.io.IOException      if its pending connect fails (the channel is then closed)
     * @throws IllegalArgumentException if the channel is closed, or neither connected nor
     *                                  connecting, or the protocol's kind is wrong
     * @throws NullPointerException     if an argument is null, or the factory returns null
     * @throws IllegalStateException    if the caller is not a task of this loop
     * @throws CancelledException       if the task is cancelled while it waits
     */
    <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createConnection(
                    java.util.function.Supplier<P> protocolFactory, java.nio.channels.SocketChannel channel)
                    throws java.io.IOException;

    /**
     * Connects to a Unix-domain socket and runs a protocol on it: Python's {@code
     * loop.create_unix_connection}.
     *
     * @param protocolFactory makes the protocol
     * @param path            the socket file
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws java.io.IOException      if the connect fails
     * @throws IllegalArgumentException if the protocol's kind is wrong
     * @throws NullPointerException     if an argument is null, or the factory returns null
     * @throws IllegalStateException    if the caller is not a task of this loop
     * @throws CancelledException       if the task is cancelled while it waits
     */
    <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createUnixConnection(
                    java.util.function.Supplier<P> protocolFactory, java.nio.file.Path path) throws java.io.IOException;

    /**
     * {@link #createUnixConnection(java.util.function.Supplier, java.nio.file.Path)} with options
     * (TLS needs {@code withServerHostname}).
     *
     * @param protocolFactory makes the protocol
     * @param path            the socket file
     * @param options         the options
     * @param <P>             the protocol's type
     * @return the transport and the protocol
     * @throws java.io.IOException      if the connect or the TLS handshake fails
     * @throws IllegalArgumentException if the protocol's kind is wrong
     * @throws NullPointerException     if an argument is null, or the factory returns null
     * @throws IllegalStateException    if the caller is not a task of this loop
     * @throws CancelledException       if the task is cancelled while it waits
     */
    <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createUnixConnection(
                    java.util.function.Supplier<P> protocolFactory, java.nio.file.Path path,
                    org.asyncio4j.streams.StreamOptions options) throws java.io.IOException;

    /**
     * Listens on {@code host:port} and runs a new protocol on every accepted connection: Python's
     * {@code loop.create_server}. Returns the same {@link org.asyncio4j.streams.Server} as
     * {@code Asyncio.startServer}: {@code close} stops listening, {@code closeClients} and
     * {@code abortClients} end the connections, {@code waitClosed} waits until every connection's
     * {@code connectionLost} has run (Python 3.12+). A plain connection costs no task: its
     * protocol runs from the loop's selector. A factory that throws is reported to the exception
     * handler and that connection is closed; the server goes on.
     *
     * @param protocolFactory makes one protocol per connection
     * @param host            the address to bind (null or empty: every interface)
     * @param port            the port (0: any free one, see {@code Server.port()})
     * @return the server, listening
     * @throws java.io.IOException      if binding fails (the address is in use, say)
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws NullPointerException     if {@code protocolFactory} is null
     * @throws IllegalStateException    if the caller is not a task of this loop
     */
    org.asyncio4j.streams.Server createServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>> protocolFactory,
            String host, int port) throws java.io.IOException;

    /**
     * {@link #createServer(java.util.function.Supplier, String, int)} with options: TLS, the
     * backlog, the handshake timeout, the water marks.
     *
     * @param protocolFactory makes one protocol per connection
     * @param host            the address to bind (null or empty: every interface)
     * @param port            the port
     * @param options         the options
     * @return the server, listening
     * @throws java.io.IOException      if binding fails
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws NullPointerException     if {@code protocolFactory} or {@code options} is null
     * @throws IllegalStateException    if the caller is not a task of this loop
     */
    org.asyncio4j.streams.Server createServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>> protocolFactory,
            String host, int port, org.asyncio4j.streams.StreamOptions options) throws java.io.IOException;

    /**
     * A protocol server on an already bound listening channel (Python's {@code
     * create_server(sock=...)}), switched to non-blocking mode and owned by the server (closed
     * with it).
     *
     * @param protocolFactory makes one protocol per connection
     * @param channel         a bound server socket channel (TCP or Unix-domain)
     * @return the server, listening
     * @throws java.io.IOException      if the channel cannot be switched to non-blocking mode
     * @throws IllegalArgumentException if the channel is closed or not bound
     * @throws NullPointerException     if an argument is null
     * @throws IllegalStateException    if the caller is not a task of this loop
     */
    org.asyncio4j.streams.Server createServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>> protocolFactory,
            java.nio.channels.ServerSocketChannel channel) throws java.io.IOException;

    /**
     * A protocol server on a Unix-domain socket: Python's {@code loop.create_unix_server}. A
     * socket file left at {@code path} by an earlier server is replaced; {@code close} deletes it.
     *
     * @param protocolFactory makes one protocol per connection
     * @param path            the socket file
     * @return the server, listening
     * @throws java.io.IOException   if binding fails
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if the caller is not a task of this loop
     */
    org.asyncio4j.streams.Server createUnixServer(java.util.function.Supplier<? extends org.asyncio4j.protocols.Protocol> protocolFactory,
            java.nio.file.Path path) throws java.io.IOException;

    /**
     * {@link #createUnixServer(java.util.function.Supplier, java.nio.file.Path)} with options.
     *
     * @param protocolFactory makes one protocol per connection
     * @param path            the socket file
     * @param options         the options
     * @return the server, listening
     * @throws java.io.IOException   if binding fails
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if the caller is not a task of this loop
     */
    org.asyncio4j.streams.Server createUnixServer(java.util.function.Supplier<? extends org.asyncio4j.protocols.Protocol> protocolFactory,
            java.nio.file.Path path, org.asyncio4j.streams.StreamOptions options) throws java.io.IOException;

    /**
     * Upgrades a connection to TLS (Python 3.11's {@code loop.start_tls}): what the transport has
     * buffered is sent first, in clear; then the handshake runs (suspending the calling task, for
     * at most {@link org.asyncio4j.streams.StreamOptions#DEFAULT_HANDSHAKE_TIMEOUT}), and {@code
     * protocol} receives the connection's data from the returned transport on. The old transport
     * is detached: it is closing, writes to it throw, and it calls no more callbacks; {@code
     * protocol}'s {@code connectionMade} is not called again. A failed handshake closes the
     * connection (the protocol's {@code connectionLost} receives the failure) and is thrown.
     *
     * @param transport      a plain TCP or Unix-socket transport of this loop
     * @param protocol       the protocol to run over TLS (usually the transport's own)
     * @param sslContext     the TLS context
     * @param serverSide     true to take the server's part of the handshake
     * @param serverHostname the name a client checks the server's certificate against, and sends
     *                       (SNI); null checks the certificate chain only
     * @return the TLS transport
     * @throws java.io.IOException      if the handshake fails (an {@code SSLException}) or times out
     * @throws IllegalArgumentException if {@code transport} is not a plain socket transport of this loop
     * @throws IllegalStateException    if the transport is closing or in a sendfile, or the caller
     *                                  is not a task of this loop
     * @throws NullPointerException     if {@code transport}, {@code protocol} or {@code sslContext} is null
     * @throws CancelledException       if the task is cancelled while it waits (the connection is closed)
     */
    org.asyncio4j.protocols.Transport startTls(org.asyncio4j.protocols.Transport transport,
            org.asyncio4j.protocols.Protocol protocol, javax.net.ssl.SSLContext sslContext, boolean serverSide,
            String serverHostname) throws java.io.IOException;

    /**
     * Sends part of a file over a protocol transport: Python's {@code loop.sendfile}. Waits until
     * the transport's write buffer is empty, then sends with {@code FileChannel.transferTo}
     * (zero copy) on a plain socket, or reads and writes through TLS; the transport stops reading
     * meanwhile, and its {@code write} throws {@code IllegalStateException} until this returns.
     * The file's position is left alone.
     *
     * @param transport a socket transport of this loop
     * @param file      the file
     * @param offset    where to start
     * @param count     how many bytes (0: to the end of the file)
     * @return the bytes sent (fewer than {@code count} if the file is shorter)
     * @throws java.io.IOException      if the connection fails
     * @throws IllegalArgumentException if {@code offset} or {@code count} is negative, or the
     *                                  transport is not a socket transport of this loop
     * @throws IllegalStateException    if the transport is closing or already in a sendfile, or
     *                                  the caller is not a task of this loop
     * @throws NullPointerException     if {@code transport} or {@code file} is null
     * @throws CancelledException       if the task is cancelled while it waits
     */
    long sendfile(org.asyncio4j.protocols.Transport transport, java.nio.channels.FileChannel file, long offset, long count)
            throws java.io.IOException;
    // ------------------------------------------------------------------ name resolution (issue 13)

    /**
     * Resolves a host name to socket addresses without blocking the loop: a literal address
     * (IPv4 or IPv6) is parsed in place, a name is looked up on the loop's default executor
     * while the calling task suspends. The addresses come in the JDK's order (IPv4 first unless
     * {@code java.net.preferIPv6Addresses} says otherwise), each with {@code port}.
     *
     * <p>Python: {@code loop.getaddrinfo(host, port)}, keeping only the addresses.
     *
     * @param host the host name or literal address
     * @param port the port, 0 to 65535
     * @return the addresses, at least one
     * @throws NullPointerException              if {@code host} is null
     * @throws IllegalArgumentException          if {@code port} is out of range
     * @throws java.net.UnknownHostException     if the name is unknown
     * @throws java.io.IOException               if the lookup fails otherwise
     * @throws IllegalStateException             if the caller is not a task of this loop
     * @throws CancelledException                if the task is cancelled while it waits
     */
    java.util.List<java.net.InetSocketAddress> getaddrinfo(String host, int port) throws java.io.IOException;
}
