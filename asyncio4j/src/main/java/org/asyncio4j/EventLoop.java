package org.asyncio4j;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

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
