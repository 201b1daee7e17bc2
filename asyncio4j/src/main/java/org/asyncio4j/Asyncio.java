package org.asyncio4j;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import org.asyncio4j.internal.Bridges;
import org.asyncio4j.internal.CallGraphs;
import org.asyncio4j.internal.Cancellation;
import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.Interop;
import org.asyncio4j.internal.Structured;
import org.asyncio4j.internal.TaskImpl;
import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.Connection;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;
import org.asyncio4j.subprocess.Subprocess;

/**
 * The static entry points: {@code import static org.asyncio4j.Asyncio.*;} and the code reads
 * like Python's asyncio.
 *
 * <pre>{@code
 * static int work() { sleep(1); return 10; }
 *
 * List<Integer> vs = run(() -> gather(() -> work(), () -> work(), () -> work()));  // ~1 s
 * }</pre>
 *
 * <p>Every method that waits is a <em>suspension point</em>: it parks the calling task and lets
 * the loop run others, and it throws {@link CancelledException} if the task is cancelled there.
 * Such methods must be called from a task ({@link IllegalStateException} otherwise).
 *
 * <p>Python: the {@code asyncio} module's functions.
 */
public final class Asyncio {
    private Asyncio() {
    }

    // ------------------------------------------------------------------ run

    /**
     * Runs {@code main} as the first task ({@code Task-1}) of a new event loop in the calling
     * thread, then cancels and awaits every other task, shuts the default executor down and
     * closes the loop.
     *
     * <p>Ctrl+C (Python 3.11's {@code asyncio.run}): while the body runs on the JVM's main
     * thread, a SIGINT cancels the main task, so its {@code finally} blocks run, and then the
     * shutdown above cancels and awaits every other task; {@code run} then throws the
     * {@link CancelledException} (message {@code "cancelled by SIGINT (Ctrl+C)"}; Python raises
     * {@code KeyboardInterrupt}). A second SIGINT while that cleanup runs ends the JVM as the JDK
     * does: shutdown hooks, then exit status 130. To end with the status a shell expects
     * after Ctrl+C (128 + 2):
     * <pre>{@code
     * public static void main(String[] args) {
     *     try {
     *         Asyncio.run(() -> serve());
     *     } catch (CancelledException e) {
     *         System.exit(130);              // Ctrl+C: every task's cleanup has run
     *     }
     * }
     * }</pre>
     * Only on the JVM's main thread, and only where the application (or a loop's
     * {@link EventLoop#addSignalHandler}) has no SIGINT handler of its own; the JDK's handler is
     * back when {@code run} returns. {@link RunOptions#withSigintHandler(boolean)} turns it off.
     *
     * @param main the body
     * @param <T>  the result type
     * @return the body's result
     * @throws NullPointerException  if {@code main} is null
     * @throws IllegalStateException inside a running loop, or if no carrier mode can run
     *                               ({@link #carrierMode()}; the message names the fix)
     * @throws CancelledException    if the main task was cancelled (by Ctrl+C, too)
     * @throws RuntimeException      the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public static <T> T run(Callable<T> main) {
        return run(main, RunOptions.defaults());
    }

    /**
     * Runs a body without result; see {@link #run(Callable)}.
     *
     * @param main the body
     * @throws NullPointerException  if {@code main} is null
     * @throws IllegalStateException as {@link #run(Callable)}
     */
    public static void run(ThrowingRunnable main) {
        run(Structured.callable(main), RunOptions.defaults());
    }

    /**
     * Runs a body with options (debug mode, virtual clock); see {@link #run(Callable)}.
     *
     * @param main    the body
     * @param options the options
     * @param <T>     the result type
     * @return the body's result
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException as {@link #run(Callable)}
     */
    public static <T> T run(Callable<T> main, RunOptions options) {
        Objects.requireNonNull(main, "main");
        Objects.requireNonNull(options, "options");
        if (EventLoopImpl.running() != null || TaskImpl.current() != null) {
            throw new IllegalStateException("Asyncio.run() cannot be called from a running event loop");
        }
        try (Runner runner = new Runner(options)) {
            return runner.run(main);
        }
    }

    /**
     * Runs a body without result, with options; see {@link #run(Callable)}.
     *
     * @param main    the body
     * @param options the options
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException as {@link #run(Callable)}
     */
    public static void run(ThrowingRunnable main, RunOptions options) {
        run(Structured.callable(main), options);
    }

    // ------------------------------------------------------------------ sleep

    /**
     * Suspends the current task. {@code sleep(0)} yields once; a negative time counts as 0;
     * positive infinity waits until cancelled.
     *
     * @param seconds how long
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws IllegalStateException    outside a task
     * @throws CancelledException       if the task is cancelled meanwhile
     */
    public static void sleep(double seconds) {
        Structured.sleep(seconds);
    }

    /**
     * Suspends the current task; see {@link #sleep(double)}.
     *
     * @param duration how long
     * @throws NullPointerException  if {@code duration} is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the task is cancelled meanwhile
     */
    public static void sleep(Duration duration) {
        Structured.sleep(duration);
    }

    // ------------------------------------------------------------------ tasks

    /**
     * Schedules a body as a task of the running loop ({@code Task-N}); it starts at the loop's
     * next turn (or at once, until its first suspension point, on a loop with
     * {@link EventLoop#setEagerTasks eager tasks}; see {@link #createEagerTask(Callable)}).
     *
     * @param body the body
     * @param <T>  the result type
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static <T> Task<T> createTask(Callable<T> body) {
        return createTask(body, null);
    }

    /**
     * Schedules a named task; see {@link #createTask(Callable)}.
     *
     * @param body the body
     * @param name the name, or null for {@code Task-N}
     * @param <T>  the result type
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static <T> Task<T> createTask(Callable<T> body, String name) {
        Objects.requireNonNull(body, "body");
        return Structured.loop("createTask").createTask(body, name);
    }

    /**
     * Schedules a body without result; see {@link #createTask(Callable)}.
     *
     * @param body the body
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static Task<Void> createTask(ThrowingRunnable body) {
        return createTask(body, null);
    }

    /**
     * Schedules a named body without result; see {@link #createTask(Callable)}.
     *
     * @param body the body
     * @param name the name, or null for {@code Task-N}
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static Task<Void> createTask(ThrowingRunnable body, String name) {
        Objects.requireNonNull(body, "body");
        return Structured.loop("createTask").createTask(body, name);
    }

    /**
     * Creates a task that starts running at once, inside this call: its body runs until its
     * first suspension point (an {@code await} of a pending future, {@code sleep}, a blocking
     * JDK call), and only then does {@code createEagerTask} return; the rest of the body runs as
     * any task's, step by step on the loop. A body that ends without suspending gives a task that
     * is already done: with its result, its exception (this call does not throw it), or
     * cancelled (if the body cancelled itself and returned, or threw {@link CancelledException}).
     * During that first step {@link #currentTask()} is the new task, and no other ready task or
     * callback runs in between: the creator resumes right after the new task's first suspension.
     * The new task's own eager children start the same way, nested. Created while the loop is
     * not running, the task starts at the loop's next turn, as with {@link #createTask}.
     *
     * <p>A cancellation of the creator requested during that first step (by the new task, say)
     * does not end this call: it returns the task, and the cancellation is delivered at the
     * creator's next suspension point, as in Python.
     *
     * <p>Cost in this design: from a callback on the loop's thread, none beyond a normal task
     * (the first step runs right there). From a task, a virtual thread cannot run another one
     * inline, so the creator yields once and resumes after the new task's first step: one extra
     * switch, measured at 200-400 ns more loop time per task than {@code createTask} on the
     * project's 2-core machine, where a {@code sleep(0)} switch took 200 ns in the same run
     * ({@code ./dev probe 5 spawn spawnEager} compares the two). Unlike Python's, an eager task
     * is therefore not faster than a normal one here; use it for what it means: the body starts
     * before {@code createEagerTask} returns.
     *
     * <p>Python: {@code asyncio.create_task(coro, eager_start=True)} (3.14), or any
     * {@code create_task} under {@code asyncio.eager_task_factory} (3.12).
     * {@link EventLoop#setEagerTasks(boolean)} and {@link RunOptions#withEagerTasks(boolean)} make
     * every task of a loop eager.
     *
     * @param body the body
     * @param <T>  the result type
     * @return the task, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static <T> Task<T> createEagerTask(Callable<T> body) {
        return createEagerTask(body, null);
    }

    /**
     * Creates a named eager task; see {@link #createEagerTask(Callable)}.
     *
     * @param body the body
     * @param name the name, or null for {@code Task-N}
     * @param <T>  the result type
     * @return the task, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static <T> Task<T> createEagerTask(Callable<T> body, String name) {
        Objects.requireNonNull(body, "body");
        return Structured.loop("createEagerTask").createEagerTask(body, name);
    }

    /**
     * Creates an eager task without result; see {@link #createEagerTask(Callable)}.
     *
     * @param body the body
     * @return the task, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static Task<Void> createEagerTask(ThrowingRunnable body) {
        return createEagerTask(body, null);
    }

    /**
     * Creates a named eager task without result; see {@link #createEagerTask(Callable)}.
     *
     * @param body the body
     * @param name the name, or null for {@code Task-N}
     * @return the task, pending or already done
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static Task<Void> createEagerTask(ThrowingRunnable body, String name) {
        Objects.requireNonNull(body, "body");
        return Structured.loop("createEagerTask").createEagerTask(body, name);
    }

    /**
     * Schedules a named task that runs in {@code context} itself, not a copy: its
     * {@code ContextVar.set}s land in {@code context}, where the caller can read them after
     * (Python's {@code create_task(coro, context=ctx)}). Without a context (the other overloads,
     * or null here) a task runs in a copy of the context current at this call, taken before it
     * starts.
     *
     * @param body    the body
     * @param name    the name, or null for {@code Task-N}
     * @param context the context to run in, or null for a copy of the current one
     * @param <T>     the result type
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static <T> Task<T> createTask(Callable<T> body, String name, Context context) {
        Objects.requireNonNull(body, "body");
        return Structured.loop("createTask").createTask(body, name, context);
    }

    /**
     * Schedules a named body without result in {@code context}; see
     * {@link #createTask(Callable, String, Context)}.
     *
     * @param body    the body
     * @param name    the name, or null for {@code Task-N}
     * @param context the context to run in, or null for a copy of the current one
     * @return the task
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException without a running loop
     */
    public static Task<Void> createTask(ThrowingRunnable body, String name, Context context) {
        Objects.requireNonNull(body, "body");
        return Structured.loop("createTask").createTask(body, name, context);
    }

    /**
     * The task running on the current thread.
     *
     * @return the task, or null outside a task
     */
    public static Task<?> currentTask() {
        return TaskImpl.current();
    }

    /**
     * The running loop's tasks that are not done.
     *
     * @return an unmodifiable snapshot
     * @throws IllegalStateException without a running loop
     */
    public static Set<Task<?>> allTasks() {
        return Structured.loop("allTasks").allTasks();
    }

    /**
     * The loop running in the current thread (or carrying the current task).
     *
     * @return the loop
     * @throws IllegalStateException if no loop runs here
     */
    public static EventLoop getRunningLoop() {
        EventLoopImpl loop = EventLoopImpl.running();
        if (loop == null) {
            throw new IllegalStateException("no running event loop");
        }
        return loop;
    }

    // ------------------------------------------------------------------ call graph

    /**
     * The async call graph of a future: the tasks suspended on it (directly, or through
     * {@code gather}, {@code wait}, {@code asCompleted}, {@code shield}, {@code waitFor}, or as
     * the task of the {@link TaskGroup} it is a child of), and theirs, up to the tasks nobody
     * awaits; for a task, also where it is suspended (see {@link FutureCallGraph} for what the
     * stacks hold). For the current task, its stack at this call.
     *
     * <pre>{@code
     * System.out.println(formatCallGraph(someTask));
     * }</pre>
     *
     * <p>Python: {@code asyncio.capture_call_graph(future)} (3.14).
     *
     * @param future a future or task of the loop running here
     * @return the graph
     * @throws NullPointerException     if {@code future} is null
     * @throws IllegalArgumentException if it is not an asyncio4j future
     * @throws IllegalStateException    if the caller is not on the future's loop (a task of it,
     *                                  or its thread), or on an idle loop's own thread
     */
    public static FutureCallGraph captureCallGraph(Future<?> future) {
        return CallGraphs.capture(future);
    }

    /**
     * The async call graph of the current task, with its stack at this call (starting at the
     * caller); see {@link #captureCallGraph(Future)}.
     *
     * <p>Python: {@code asyncio.capture_call_graph()} (3.14).
     *
     * @return the graph, or null when called on the running loop outside a task (in a
     *         callback), as Python returns None there
     * @throws IllegalStateException if no loop runs here
     */
    public static FutureCallGraph captureCallGraph() {
        return CallGraphs.captureCurrent();
    }

    /**
     * The call graph of {@link #captureCallGraph(Future)} as text, one line per entry, without a
     * final line break:
     * <pre>
     * * Task 'fetch-2' #41
     *   + Call stack:
     *   |   at org.asyncio4j.Asyncio.sleep(Asyncio.java:124)
     *   |   at com.example.Crawler.fetch(Crawler.java:41)
     *   + Awaited by:
     *     * Task 'Task-1' #38
     *       + Call stack:
     *       |   at org.asyncio4j.TaskGroup.close(TaskGroup.java:243)
     *       |   at com.example.Crawler.main(Crawler.java:20)
     * </pre>
     * A task is named with its id (its thread's id, as thread dumps show it), a plain future
     * with its identity hash ({@code * Future @1b6d3586}).
     *
     * <p>Python: {@code asyncio.format_call_graph(future)} (3.14).
     *
     * @param future a future or task of the loop running here
     * @return the text
     * @throws NullPointerException     if {@code future} is null
     * @throws IllegalArgumentException if it is not an asyncio4j future
     * @throws IllegalStateException    as {@link #captureCallGraph(Future)}
     */
    public static String formatCallGraph(Future<?> future) {
        return CallGraphs.format(CallGraphs.capture(future));
    }

    /**
     * Prints {@link #formatCallGraph(Future)} to {@code System.out}.
     *
     * <p>Python: {@code asyncio.print_call_graph(future)} (3.14).
     *
     * @param future a future or task of the loop running here
     * @throws NullPointerException     if {@code future} is null
     * @throws IllegalArgumentException if it is not an asyncio4j future
     * @throws IllegalStateException    as {@link #captureCallGraph(Future)}
     */
    public static void printCallGraph(Future<?> future) {
        printCallGraph(future, System.out);
    }

    /**
     * Prints {@link #formatCallGraph(Future)} to {@code out}, with a final line break.
     *
     * <p>Python: {@code asyncio.print_call_graph(future, file=out)} (3.14).
     *
     * @param future a future or task of the loop running here
     * @param out    where to print
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code future} is not an asyncio4j future
     * @throws IllegalStateException    as {@link #captureCallGraph(Future)}
     */
    public static void printCallGraph(Future<?> future, java.io.PrintStream out) {
        Objects.requireNonNull(out, "out");
        out.println(formatCallGraph(future));
    }

    /**
     * A new event loop, not running. Close it when done.
     *
     * @return the loop
     * @throws IllegalStateException if no carrier mode can run ({@link #carrierMode()}; the
     *                               message names the fix)
     */
    public static EventLoop newEventLoop() {
        return new EventLoopImpl(false);
    }

    /**
     * How this JVM's loops carry their tasks, chosen once per JVM: {@link CarrierMode#FAST} when
     * {@code java.lang} is open to asyncio4j ({@code --add-opens java.base/java.lang=ALL-UNNAMED},
     * or {@code =org.asyncio4j} on the module path), else {@link CarrierMode#PORTABLE} (the first
     * loop then logs one INFO line naming the flag); {@code -Dasyncio4j.carrier=fast} or
     * {@code =portable} forces one.
     *
     * @return the mode
     * @throws IllegalStateException if no loop can run in this JVM: {@code -Dasyncio4j.carrier}
     *                               names no mode, or forces the fast mode where
     *                               {@code java.lang} is not open (the message names the flag)
     */
    public static CarrierMode carrierMode() {
        return org.asyncio4j.internal.carrier.TaskThreads.portable() ? CarrierMode.PORTABLE : CarrierMode.FAST;
    }

    // ------------------------------------------------------------------ gather

    /**
     * Runs bodies concurrently as tasks and returns their results in argument order. The first
     * failure is thrown at once (the other tasks keep running); cancelling the caller cancels
     * them all.
     *
     * @param bodies the bodies
     * @param <T>    the result type
     * @return the results, unmodifiable, in argument order (nulls allowed)
     * @throws NullPointerException  if the array or a body is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller or a child was cancelled
     * @throws RuntimeException      the first failing child's unchecked exception
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    @SafeVarargs
    public static <T> List<T> gather(Callable<? extends T>... bodies) {
        return Structured.gather(Structured.tasksOf("gather", bodies));
    }

    /**
     * Runs bodies with results concurrently as tasks; see {@link #gather(Callable[])}. This
     * overload exists for method references to overloaded methods, {@code gather(p1::waitFor,
     * p2::waitFor)}, which would otherwise be ambiguous between {@code gather(Callable...)} and
     * {@code gather(ThrowingRunnable...)} (see {@link #toThread(Call)}); lambdas resolve as before.
     *
     * @param bodies the bodies
     * @param <T>    the result type
     * @return the results, unmodifiable, in argument order (nulls allowed)
     * @throws NullPointerException  if the array or a body is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller or a child was cancelled
     * @throws RuntimeException      the first failing child's unchecked exception
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    @SafeVarargs
    public static <T> List<T> gather(Call<? extends T>... bodies) {
        return gather((Callable<? extends T>[]) bodies);
    }

    /**
     * Runs bodies without result concurrently as tasks and waits for all of them:
     * {@code gather(() -> sleep(1), () -> sleep(2))}. Otherwise as {@link #gather(Callable[])}.
     * Java picks this overload only when some body has no value ({@code () -> sleep(1)}, a block
     * without {@code return}); when every body has one, {@code gather(Callable...)} runs and
     * returns the values. A mix of futures and bodies goes through the bodies' form with
     * {@code fut::await} for each future: {@code gather(() -> fetch(a), task::await)}.
     *
     * <p>Python: {@code await asyncio.gather(f(), g())} over coroutines returning {@code None}.
     *
     * @param bodies the bodies
     * @return a list of nulls, one per body (Python's {@code [None, None]})
     * @throws NullPointerException  if the array or a body is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller or a child was cancelled
     * @throws RuntimeException      the first failing child's unchecked exception
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    public static List<Void> gather(ThrowingRunnable... bodies) {
        return Structured.gather(Structured.tasksOf("gather", bodies));
    }

    /**
     * Awaits futures concurrently; see {@link #gather(Callable[])}.
     *
     * @param futures the futures
     * @param <T>     the result type
     * @return the results in argument order
     * @throws NullPointerException  if the array or a future is null
     * @throws IllegalStateException outside a task, or a future of another loop
     */
    @SafeVarargs
    public static <T> List<T> gather(Future<? extends T>... futures) {
        return Structured.gather(Arrays.asList(Objects.requireNonNull(futures, "futures")));
    }

    /**
     * Awaits a collection of futures; see {@link #gather(Callable[])}. An empty collection
     * returns an empty list at once.
     *
     * @param futures the futures
     * @param <T>     the result type
     * @return the results in iteration order
     * @throws NullPointerException  if the collection or a future is null
     * @throws IllegalStateException outside a task, or a future of another loop
     */
    public static <T> List<T> gather(Collection<? extends Future<? extends T>> futures) {
        return Structured.gather(futures);
    }

    /**
     * Runs bodies concurrently and returns their futures once all are done, in argument order,
     * whatever their outcome (Python's {@code return_exceptions=True}).
     *
     * @param bodies the bodies
     * @param <T>    the result type
     * @return the done futures
     * @throws NullPointerException  if the array or a body is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller was cancelled
     */
    @SafeVarargs
    public static <T> List<Future<T>> gatherSettled(Callable<? extends T>... bodies) {
        return Structured.gatherSettled(Structured.tasksOf("gatherSettled", bodies));
    }

    /**
     * Runs bodies with results concurrently and returns their futures once all are done; see
     * {@link #gatherSettled(Callable[])}. For method references to overloaded methods, as
     * {@link #gather(Call[])}.
     *
     * @param bodies the bodies
     * @param <T>    the result type
     * @return the done futures
     * @throws NullPointerException  if the array or a body is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller was cancelled
     */
    @SafeVarargs
    public static <T> List<Future<T>> gatherSettled(Call<? extends T>... bodies) {
        return gatherSettled((Callable<? extends T>[]) bodies);
    }

    /**
     * Runs bodies without result concurrently and returns their futures once all are done; see
     * {@link #gatherSettled(Callable[])} and {@link #gather(ThrowingRunnable[])}.
     *
     * @param bodies the bodies
     * @return the done futures
     * @throws NullPointerException  if the array or a body is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller was cancelled
     */
    public static List<Future<Void>> gatherSettled(ThrowingRunnable... bodies) {
        return Structured.gatherSettled(Structured.tasksOf("gatherSettled", bodies));
    }

    /**
     * Awaits futures whatever their outcome; see {@link #gatherSettled(Callable[])}.
     *
     * @param futures the futures
     * @param <T>     the result type
     * @return the done futures
     * @throws NullPointerException  if the array or a future is null
     * @throws IllegalStateException outside a task, or a future of another loop
     */
    @SafeVarargs
    public static <T> List<Future<T>> gatherSettled(Future<? extends T>... futures) {
        return Structured.gatherSettled(Arrays.asList(Objects.requireNonNull(futures, "futures")));
    }

    /**
     * Awaits a collection of futures whatever their outcome; see
     * {@link #gatherSettled(Callable[])}.
     *
     * @param futures the futures
     * @param <T>     the result type
     * @return the done futures
     * @throws NullPointerException  if the collection or a future is null
     * @throws IllegalStateException outside a task, or a future of another loop
     */
    public static <T> List<Future<T>> gatherSettled(Collection<? extends Future<? extends T>> futures) {
        return Structured.gatherSettled(futures);
    }

    // ------------------------------------------------------------------ wait

    /**
     * Waits until the condition holds, without cancelling anything. Call it as
     * {@code Asyncio.wait(...)} (an unqualified {@code wait} is {@code Object.wait}).
     *
     * @param futures    the futures, not empty
     * @param returnWhen when to return
     * @param <F>        the future type
     * @return the done and pending futures, each in the order given
     * @throws NullPointerException     if an argument or a future is null
     * @throws IllegalArgumentException if {@code futures} is empty
     * @throws IllegalStateException    outside a task, or a future of another loop
     * @throws CancelledException       if the caller is cancelled
     */
    public static <F extends Future<?>> WaitResult<F> wait(Collection<F> futures, ReturnWhen returnWhen) {
        return Structured.wait(futures, null, returnWhen);
    }

    /**
     * Waits until the condition holds or the timeout passes (then returns what is done so far;
     * no exception).
     *
     * @param futures    the futures, not empty
     * @param timeout    the longest wait
     * @param returnWhen when to return
     * @param <F>        the future type
     * @return the done and pending futures
     * @throws NullPointerException     if an argument or a future is null
     * @throws IllegalArgumentException if {@code futures} is empty
     * @throws IllegalStateException    outside a task, or a future of another loop
     * @throws CancelledException       if the caller is cancelled
     */
    public static <F extends Future<?>> WaitResult<F> wait(Collection<F> futures, Duration timeout, ReturnWhen returnWhen) {
        Objects.requireNonNull(timeout, "timeout");
        return Structured.wait(futures, EventLoopImpl.durationToNanos(timeout), returnWhen);
    }

    /**
     * Waits until the condition holds or {@code seconds} pass; see
     * {@link #wait(Collection, Duration, ReturnWhen)}. Zero or negative returns what is done now
     * (after one look); {@link Double#POSITIVE_INFINITY} means no timeout.
     *
     * <p>Python: {@code asyncio.wait(fs, timeout=seconds, return_when=...)}.
     *
     * @param futures    the futures, not empty
     * @param seconds    the longest wait
     * @param returnWhen when to return
     * @param <F>        the future type
     * @return the done and pending futures
     * @throws IllegalArgumentException if {@code seconds} is NaN or {@code futures} is empty
     * @throws NullPointerException     if an argument or a future is null
     * @throws IllegalStateException    outside a task, or a future of another loop
     * @throws CancelledException       if the caller is cancelled
     */
    public static <F extends Future<?>> WaitResult<F> wait(Collection<F> futures, double seconds, ReturnWhen returnWhen) {
        return Structured.wait(futures, timeoutNanos("wait", seconds), returnWhen);
    }

    /**
     * Awaits a future for at most {@code timeout}; on expiry the future is cancelled and
     * awaited, then {@link AsyncTimeoutException} is thrown.
     *
     * @param future  the future
     * @param timeout the longest wait
     * @param <T>     the result type
     * @return the result
     * @throws NullPointerException   if an argument is null
     * @throws AsyncTimeoutException  on expiry
     * @throws IllegalStateException  outside a task
     * @throws CancelledException     if the caller is cancelled
     */
    public static <T> T waitFor(Future<T> future, Duration timeout) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(timeout, "timeout");
        return Structured.waitFor(future, EventLoopImpl.durationToNanos(timeout));
    }

    /**
     * Runs a body as a task and awaits it for at most {@code timeout}; see
     * {@link #waitFor(Future, Duration)}.
     *
     * @param body    the body
     * @param timeout the longest wait
     * @param <T>     the result type
     * @return the result
     * @throws NullPointerException  if an argument is null
     * @throws AsyncTimeoutException on expiry
     */
    public static <T> T waitFor(Callable<T> body, Duration timeout) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(timeout, "timeout");
        return waitFor(createTask(body), timeout);
    }

    /**
     * Awaits a future for at most {@code seconds}; see {@link #waitFor(Future, Duration)}. Zero
     * or negative: the future's result if it is done already, else it is cancelled and awaited
     * and {@link AsyncTimeoutException} is thrown; {@link Double#POSITIVE_INFINITY}: no deadline,
     * as {@link #waitFor(Future)}.
     *
     * <p>Python: {@code asyncio.wait_for(aw, seconds)}.
     *
     * @param future  the future
     * @param seconds the longest wait
     * @param <T>     the result type
     * @return the result
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws NullPointerException     if {@code future} is null
     * @throws AsyncTimeoutException    on expiry
     * @throws IllegalStateException    outside a task
     * @throws CancelledException       if the caller is cancelled
     */
    public static <T> T waitFor(Future<T> future, double seconds) {
        Objects.requireNonNull(future, "future");
        Long nanos = timeoutNanos("waitFor", seconds);
        return nanos == null ? Structured.waitFor(future) : Structured.waitFor(future, nanos);
    }

    /**
     * Runs a body as a task and awaits it for at most {@code seconds}; see
     * {@link #waitFor(Future, double)}.
     *
     * @param body    the body
     * @param seconds the longest wait
     * @param <T>     the result type
     * @return the result
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    on expiry
     * @throws IllegalStateException    outside a task
     */
    public static <T> T waitFor(Callable<T> body, double seconds) {
        Objects.requireNonNull(body, "body");
        timeoutNanos("waitFor", seconds);
        return waitFor(createTask(body), seconds);
    }

    /**
     * Awaits a future with no deadline: Python's {@code asyncio.wait_for(aw, None)}, which just
     * awaits it. Cancelling the caller cancels the future, as with every await.
     *
     * @param future the future
     * @param <T>    the result type
     * @return the result
     * @throws NullPointerException  if {@code future} is null
     * @throws IllegalStateException outside a task, or a future of another loop
     * @throws CancelledException    if the caller or the future is cancelled
     * @throws RuntimeException      the future's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    public static <T> T waitFor(Future<T> future) {
        return Structured.waitFor(future);
    }

    /**
     * Runs a body as a task and awaits it with no deadline; see {@link #waitFor(Future)}.
     *
     * @param body the body
     * @param <T>  the result type
     * @return the result
     * @throws NullPointerException  if {@code body} is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller or the task is cancelled
     */
    public static <T> T waitFor(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        return waitFor(createTask(body));
    }

    /** Seconds as a timeout for an operation: NaN is refused, +infinity is none (null). */
    private static Long timeoutNanos(String operation, double seconds) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException(operation + ": seconds is NaN");
        }
        return seconds == Double.POSITIVE_INFINITY ? null : EventLoopImpl.secondsToNanos(seconds);
    }

    // ------------------------------------------------------------------ timeout

    /**
     * Runs {@code body} in the current task with a deadline {@code delay} from now. At the
     * deadline the task is cancelled; the cancellation this timeout caused leaves the call as
     * {@link AsyncTimeoutException} (an outer timeout's, or an outside cancel, passes through).
     *
     * @param delay the time allowed
     * @param body  the body
     * @param <T>   the result type
     * @return the body's result
     * @throws NullPointerException  if an argument is null
     * @throws AsyncTimeoutException if the deadline passed
     * @throws IllegalStateException outside a task
     * @throws RuntimeException      the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public static <T> T timeout(Duration delay, Callable<T> body) {
        Objects.requireNonNull(delay, "delay");
        return Structured.timeout(EventLoopImpl.durationToNanos(delay), body);
    }

    /**
     * A timeout around a body without result; see {@link #timeout(Duration, Callable)}.
     *
     * @param delay the time allowed
     * @param body  the body
     * @throws NullPointerException  if an argument is null
     * @throws AsyncTimeoutException if the deadline passed
     */
    public static void timeout(Duration delay, ThrowingRunnable body) {
        timeout(delay, Structured.callable(body));
    }

    /**
     * A timeout with an absolute deadline on the loop's clock ({@link EventLoop#time()}); see
     * {@link #timeout(Duration, Callable)}.
     *
     * @param loopTime the deadline, in loop seconds
     * @param body     the body
     * @param <T>      the result type
     * @return the body's result
     * @throws IllegalArgumentException if {@code loopTime} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    if the deadline passed
     */
    public static <T> T timeoutAt(double loopTime, Callable<T> body) {
        if (Double.isNaN(loopTime)) {
            throw new IllegalArgumentException("timeoutAt: loopTime is NaN");
        }
        return Structured.timeoutAtTime(loopTime, body);
    }

    /**
     * An absolute timeout around a body without result; see {@link #timeoutAt(double, Callable)}.
     *
     * @param loopTime the deadline, in loop seconds
     * @param body     the body
     * @throws IllegalArgumentException if {@code loopTime} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    if the deadline passed
     */
    public static void timeoutAt(double loopTime, ThrowingRunnable body) {
        timeoutAt(loopTime, Structured.callable(body));
    }

    /**
     * A timeout whose body is given the region's {@link Timeout}, to read or move the deadline:
     * {@code timeout(Duration.ofSeconds(5), t -> { ...; t.reschedule(getRunningLoop().time() + 10); ... })}.
     * Otherwise as {@link #timeout(Duration, Callable)}.
     *
     * <p>Python: {@code async with asyncio.timeout(delay) as t:}.
     *
     * @param delay the time allowed
     * @param body  the body
     * @param <T>   the result type
     * @return the body's result
     * @throws NullPointerException  if an argument is null
     * @throws AsyncTimeoutException if the deadline passed
     * @throws IllegalStateException outside a task
     * @throws RuntimeException      the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public static <T> T timeout(Duration delay, Timeout.Body<T> body) {
        Objects.requireNonNull(delay, "delay");
        return Structured.timeoutAfter(EventLoopImpl.durationToNanos(delay), body);
    }

    /**
     * A timeout of {@code seconds} from now; see {@link #timeout(Duration, Callable)}. Zero or
     * negative expires at the body's first suspension point; {@link Double#POSITIVE_INFINITY}
     * means no deadline.
     *
     * <p>Python: {@code async with asyncio.timeout(seconds):}.
     *
     * @param seconds the time allowed
     * @param body    the body
     * @param <T>     the result type
     * @return the body's result
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    if the deadline passed
     * @throws IllegalStateException    outside a task
     * @throws RuntimeException         the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public static <T> T timeout(double seconds, Callable<T> body) {
        return timeoutSeconds(seconds, body);
    }

    /**
     * A timeout of {@code seconds} around a body without result; see {@link #timeout(double, Callable)}.
     *
     * @param seconds the time allowed
     * @param body    the body
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    if the deadline passed
     */
    public static void timeout(double seconds, ThrowingRunnable body) {
        timeoutSeconds(seconds, Structured.callable(body));
    }

    /**
     * A timeout of {@code seconds} whose body is given the region's {@link Timeout}; see
     * {@link #timeout(double, Callable)} and {@link #timeout(Duration, Timeout.Body)}.
     *
     * @param seconds the time allowed
     * @param body    the body
     * @param <T>     the result type
     * @return the body's result
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    if the deadline passed
     */
    public static <T> T timeout(double seconds, Timeout.Body<T> body) {
        return timeoutSeconds(seconds, body);
    }

    private static <T> T timeoutSeconds(double seconds, Object body) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("timeout: seconds is NaN");
        }
        Objects.requireNonNull(body, "body");
        if (seconds == Double.POSITIVE_INFINITY) {
            return Structured.timeoutAtTime(Double.POSITIVE_INFINITY, body);
        }
        return Structured.timeoutAfter(EventLoopImpl.secondsToNanos(seconds), body);
    }

    /**
     * A timeout region with no deadline yet, whose body is given the {@link Timeout} to set one:
     * Python's {@code async with asyncio.timeout(None) as t:}. It expires only if the body (or
     * another task or callback holding {@code t}) calls {@link Timeout#reschedule(double)}.
     * (As everywhere in asyncio4j, a null {@code Duration} is not "no deadline": this overload
     * without one is.)
     *
     * @param body the body
     * @param <T>  the result type
     * @return the body's result
     * @throws NullPointerException  if {@code body} is null
     * @throws AsyncTimeoutException if a deadline set meanwhile passed
     * @throws IllegalStateException outside a task
     * @throws RuntimeException      the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public static <T> T timeout(Timeout.Body<T> body) {
        return Structured.timeoutAtTime(Double.POSITIVE_INFINITY, body);
    }

    /**
     * An absolute timeout whose body is given the region's {@link Timeout} ({@link Timeout#when()}
     * returns {@code loopTime} as given); see {@link #timeoutAt(double, Callable)}.
     * {@link Double#POSITIVE_INFINITY} means no deadline (Python's {@code timeout_at(None)}).
     *
     * <p>Python: {@code async with asyncio.timeout_at(when) as t:}.
     *
     * @param loopTime the deadline, in loop seconds
     * @param body     the body
     * @param <T>      the result type
     * @return the body's result
     * @throws IllegalArgumentException if {@code loopTime} is NaN
     * @throws NullPointerException     if {@code body} is null
     * @throws AsyncTimeoutException    if the deadline passed
     * @throws IllegalStateException    outside a task
     */
    public static <T> T timeoutAt(double loopTime, Timeout.Body<T> body) {
        if (Double.isNaN(loopTime)) {
            throw new IllegalArgumentException("timeoutAt: loopTime is NaN");
        }
        return Structured.timeoutAtTime(loopTime, body);
    }

    // ------------------------------------------------------------------ shield, asCompleted

    /**
     * A future that follows {@code future} but whose cancellation does not reach it: a task
     * awaiting the shield can be cancelled while the shielded work goes on.
     *
     * @param future the future to protect
     * @param <T>    the result type
     * @return the shield (or {@code future} itself if it is already done)
     * @throws NullPointerException  if {@code future} is null
     * @throws IllegalStateException without a running loop, or a future of another loop
     */
    public static <T> Future<T> shield(Future<T> future) {
        return Structured.shield(future);
    }

    /**
     * The given futures in the order they complete: the iterator's {@code next()} suspends until
     * the next one is done.
     *
     * @param futures the futures
     * @param <F>     the future type
     * @return a single-use iterable
     * @throws NullPointerException  if the collection or a future is null
     * @throws IllegalStateException without a running loop, or a future of another loop
     */
    public static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> futures) {
        return Structured.asCompleted(futures, null);
    }

    /**
     * The futures in completion order, with a deadline: once it passes with futures still
     * pending, the iterator's {@code next()} throws {@link AsyncTimeoutException}.
     *
     * @param futures the futures
     * @param timeout the time allowed for all of them
     * @param <F>     the future type
     * @return a single-use iterable
     * @throws NullPointerException  if an argument or a future is null
     * @throws IllegalStateException without a running loop, or a future of another loop
     */
    public static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> futures, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Structured.asCompleted(futures, EventLoopImpl.durationToNanos(timeout));
    }

    /**
     * The futures in completion order, with a deadline {@code seconds} from now; see
     * {@link #asCompleted(Collection, Duration)}. {@link Double#POSITIVE_INFINITY} means none.
     *
     * <p>Python: {@code asyncio.as_completed(fs, timeout=seconds)}.
     *
     * @param futures the futures
     * @param seconds the time allowed for all of them
     * @param <F>     the future type
     * @return a single-use iterable
     * @throws IllegalArgumentException if {@code seconds} is NaN
     * @throws NullPointerException     if the collection or a future is null
     * @throws IllegalStateException    without a running loop, or a future of another loop
     */
    public static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> futures, double seconds) {
        return Structured.asCompleted(futures, timeoutNanos("asCompleted", seconds));
    }

    // ------------------------------------------------------------------ task groups

    /**
     * Runs {@code body} with a new {@link TaskGroup} in the current task: the same as
     * {@link TaskGroup#run(TaskGroup.Body)}, Python's {@code async with TaskGroup() as tg:} with
     * its exact semantics.
     *
     * @param body the body
     * @param <T>  the body's result type
     * @return the body's value; null if {@link TaskGroup#cancel()} stopped the body
     * @throws NullPointerException  if {@code body} is null
     * @throws ExceptionGroup        if children or the body failed
     * @throws CancelledException    if the calling task was cancelled from outside and no child
     *                               failed
     * @throws IllegalStateException outside a task
     */
    public static <T> T taskGroup(TaskGroup.Body<T> body) {
        return TaskGroup.run(body);
    }

    // ------------------------------------------------------------------ threads

    /**
     * Runs blocking code on the loop's default executor (platform threads, at most
     * {@code min(32, cores + 4)}) and suspends until it ends. Cancelling the awaiting task
     * interrupts the call and throws {@link CancelledException} at once.
     *
     * @param call the blocking code
     * @param <T>  the result type
     * @return the call's result
     * @throws NullPointerException  if {@code call} is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller is cancelled
     * @throws RuntimeException      the call's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    public static <T> T toThread(Callable<T> call) {
        return Structured.toThread(call);
    }

    /**
     * Runs blocking code with a result on the default executor; see {@link #toThread(Callable)}.
     * This overload exists for method references to overloaded methods, such as
     * {@code toThread(process::waitFor)} or {@code toThread(future::get)}: Java cannot tell such
     * a reference's result type before it picks an overload (JLS 15.12.2.5), so between
     * {@code toThread(Callable)} and {@code toThread(ThrowingRunnable)} it would be ambiguous;
     * a {@link Call} is both, so Java picks this one and the value is returned. Lambdas resolve
     * as before: one with a value here, one without to {@link #toThread(ThrowingRunnable)}. A
     * reference to an overloaded <em>void</em> method ({@code latch::await}) therefore does not
     * compile ("bad return type in method reference"): write it as a lambda,
     * {@code toThread(() -> latch.await())}.
     *
     * @param call the blocking code
     * @param <T>  the result type
     * @return the call's result
     * @throws NullPointerException  if {@code call} is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the caller is cancelled
     * @throws RuntimeException      the call's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping its checked exception
     */
    public static <T> T toThread(Call<T> call) {
        return Structured.toThread(call);
    }

    /**
     * A body with a result that is also a {@link ThrowingRunnable} (whose {@code run()} calls
     * {@link #call()} and drops the value). It never needs to be named: it is the parameter type
     * of the overloads that a method reference to an overloaded method resolves to, such as
     * {@link #toThread(Call) toThread(process::waitFor)}, because it is more specific than both
     * {@code Callable} and {@code ThrowingRunnable}.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Call<T> extends Callable<T>, ThrowingRunnable {
        /**
         * Runs the call for its effect, dropping the value.
         *
         * @throws Exception what {@link #call()} throws
         */
        @Override
        default void run() throws Exception {
            call();
        }
    }

    /**
     * Runs blocking code without result on the default executor; see {@link #toThread(Callable)}.
     *
     * @param call the blocking code
     * @throws NullPointerException  if {@code call} is null
     * @throws IllegalStateException outside a task
     */
    public static void toThread(ThrowingRunnable call) {
        Structured.toThread(Structured.callable(call));
    }

    // ------------------------------------------------------------------ cancelling blocking code

    /**
     * Runs blocking code in the current task so that a cancellation stops it through the
     * library's own cancel call instead of a thread interrupt. Normally {@code cancel()} wakes a
     * task blocked in a JDK call by interrupting its thread, and many libraries answer an
     * interrupt by closing the connection they were using. Inside this region a cancellation
     * (from {@code cancel()}, a {@code timeout}, {@code waitFor}, a {@code TaskGroup}) that lands
     * while the task is blocked in a JDK call runs {@code onCancel} instead, for example
     * {@code cancellable(stmt::cancel, () -> stmt.executeQuery(sql))}: the server abandons the
     * query, the call returns or fails as the library makes it, the connection stays usable, and
     * this method then throws the cancellation ({@link CancelledException}, whose cause is the
     * call's exception if it threw one). A cancellation that finds the task waiting in an
     * asyncio4j call inside the region ({@code await}, {@code sleep}) is delivered there as
     * usual, without the hook.
     *
     * <p>The hook runs on the loop, in a helper task named {@code cancel-hook:<task name>}, so
     * blocking I/O inside it (as JDBC's {@code Statement.cancel()} does) is cooperative too; the
     * task stays blocked until its call ends. It runs once per cancellation request, never twice
     * at once: a request that comes while it runs neither starts it again nor interrupts. The
     * helper skips the hook if, by the time it runs, the region has ended (the call returned
     * meanwhile: the hook would cancel whatever the connection runs next) or the request was
     * withdrawn ({@code uncancel}). If the hook throws, the exception goes to the loop's
     * exception handler and the cancellation falls back to interrupting the thread. In nested
     * regions the innermost region's hook runs. A cancellation already pending when the region
     * starts is thrown at once, before {@code call} runs.
     *
     * @param onCancel the library's cancel call; must make {@code call} end soon
     * @param call     the blocking call
     * @param <T>      the result type
     * @return the call's result, if no cancellation landed
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the task was cancelled before or while the call ran
     * @throws Exception             what the call threw, as itself, when no cancellation landed
     */
    public static <T> T cancellable(ThrowingRunnable onCancel, Callable<T> call) throws Exception {
        Objects.requireNonNull(onCancel, "onCancel");
        Objects.requireNonNull(call, "call");
        return Structured.task("cancellable").cancellable(onCancel, call);
    }

    /**
     * Runs blocking code without result as a cancellable region; see
     * {@link #cancellable(ThrowingRunnable, Callable)}.
     *
     * @param onCancel the library's cancel call
     * @param call     the blocking call
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException outside a task
     * @throws CancelledException    if the task was cancelled before or while the call ran
     * @throws Exception             what the call threw, as itself, when no cancellation landed
     */
    public static void cancellable(ThrowingRunnable onCancel, ThrowingRunnable call) throws Exception {
        Objects.requireNonNull(call, "call");
        cancellable(onCancel, Structured.callable(call));
    }

    /**
     * Tells whether {@code t} is a cancellation, for code that catches broadly
     * ({@code catch (Exception e)}) and must let cancellations through: true for a
     * {@link CancelledException}, for a try-form {@link TaskGroup}'s interruption of its body,
     * and, when called in a task that was asked to cancel (and did not {@code uncancel()}) and
     * was interrupted for it, for an exception that interrupt caused (an
     * {@code InterruptedException}, {@code InterruptedIOException}, {@code
     * ClosedByInterruptException} or, while the interrupt is still set, {@code SocketException}
     * anywhere in its cause chain, such as a JDBC driver's {@code SQLException} "An I/O error
     * occurred"). A task that ends with such an exception ends cancelled.
     *
     * @param t any throwable, or null (false)
     * @return whether {@code t} should be let through as a cancellation
     */
    public static boolean isCancellation(Throwable t) {
        return Cancellation.isCancellationHere(t);
    }

    /**
     * Submits a body to a loop from another thread and returns a {@code CompletableFuture} of
     * its result. Cancelling the returned future cancels the task. Do not block on the result
     * from the loop's own thread. If the loop closes before the body ends (or before it starts),
     * the future ends with a {@link CancelledException}.
     *
     * @param body the body
     * @param loop the target loop
     * @param <T>  the result type
     * @return the future of the result
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if the loop is closed
     */
    public static <T> CompletableFuture<T> runCoroutineThreadsafe(Callable<T> body, EventLoop loop) {
        return Interop.runThreadsafe(body, loop);
    }

    /**
     * An asyncio4j future of the running loop that follows a {@code java.util.concurrent}
     * future. A {@code CompletableFuture} is followed through its completion callbacks; any other
     * future is watched by one shared library thread that polls {@code isDone()} (no thread is
     * held per future: the default executor stays free; a completion is seen within a tenth of
     * the time the future waited, at most 50 ms later). Cancelling the result cancels the source
     * ({@code cancel(true)}); a cancelled source cancels the result. Under the virtual clock the
     * result counts as off-loop work in flight until it is done, so the clock does not jump over
     * it.
     *
     * @param future the source
     * @param <T>    the result type
     * @return the wrapper ({@code future} itself if it is already an asyncio4j future)
     * @throws NullPointerException  if {@code future} is null
     * @throws IllegalStateException without a running loop
     */
    public static <T> Future<T> wrapFuture(java.util.concurrent.Future<T> future) {
        return Interop.wrap(future);
    }

    /**
     * A future already completed with {@code value}; awaiting it never suspends. Callable from
     * any thread, inside a loop or not.
     *
     * @param value the value, may be null
     * @param <T>   the result type
     * @return the done future
     */
    public static <T> Future<T> completed(T value) {
        return Interop.completed(value);
    }

    /**
     * A future already failed with {@code exception}; awaiting it throws at once.
     *
     * @param exception the exception
     * @param <T>       the result type
     * @return the failed future
     * @throws NullPointerException if {@code exception} is null
     */
    public static <T> Future<T> failed(Throwable exception) {
        return Interop.failed(exception);
    }

    // ------------------------------------------------------------------ streams

    /**
     * Opens a TCP connection (host names are resolved off the loop; each address is tried in
     * turn).
     *
     * @param host the host name or literal address
     * @param port the port
     * @return the reader and writer
     * @throws NullPointerException     if {@code host} is null
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IOException              if no address can be connected
     * @throws IllegalStateException    outside a task
     */
    public static Connection openConnection(String host, int port) throws IOException {
        return openConnection(host, port, StreamOptions.defaults());
    }

    /**
     * Opens a TCP connection with options (TLS, read limit, water marks); see
     * {@link #openConnection(String, int)}.
     *
     * @param host    the host name or literal address
     * @param port    the port
     * @param options the options
     * @return the reader and writer
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IOException              if no address can be connected, or the TLS handshake fails
     * @throws IllegalStateException    outside a task
     */
    public static Connection openConnection(String host, int port, StreamOptions options) throws IOException {
        return Bridges.net().openConnection(host, port, options);
    }

    /**
     * Starts a TCP server: it listens on every address {@code host} resolves to (null: all
     * interfaces) and runs {@code handler} in a new task per client.
     *
     * @param handler serves one client
     * @param host    the host to bind, or null for all interfaces
     * @param port    the port, 0 for any free one (see {@link Server#port()})
     * @return the server, already accepting
     * @throws NullPointerException     if {@code handler} is null
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IOException              if it cannot bind
     * @throws IllegalStateException    outside a task
     */
    public static Server startServer(ClientHandler handler, String host, int port) throws IOException {
        return startServer(handler, host, port, StreamOptions.defaults());
    }

    /**
     * Starts a TCP server with options (TLS, read limit, water marks); see
     * {@link #startServer(ClientHandler, String, int)}.
     *
     * @param handler serves one client
     * @param host    the host to bind, or null for all interfaces
     * @param port    the port
     * @param options the options
     * @return the server
     * @throws NullPointerException     if {@code handler} or {@code options} is null
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IOException              if it cannot bind
     * @throws IllegalStateException    outside a task
     */
    public static Server startServer(ClientHandler handler, String host, int port, StreamOptions options) throws IOException {
        return Bridges.net().startServer(handler, host, port, options);
    }

    /**
     * Opens a Unix-domain socket connection.
     *
     * @param path the socket file
     * @return the reader and writer
     * @throws NullPointerException  if {@code path} is null
     * @throws IOException           if it cannot connect
     * @throws IllegalStateException outside a task
     */
    public static Connection openUnixConnection(Path path) throws IOException {
        return openUnixConnection(path, StreamOptions.defaults());
    }

    /**
     * Opens a Unix-domain socket connection with options.
     *
     * @param path    the socket file
     * @param options the options
     * @return the reader and writer
     * @throws NullPointerException  if an argument is null
     * @throws IOException           if it cannot connect
     * @throws IllegalStateException outside a task
     */
    public static Connection openUnixConnection(Path path, StreamOptions options) throws IOException {
        return Bridges.net().openUnixConnection(path, options);
    }

    /**
     * Starts a Unix-domain socket server; a stale socket file at {@code path} is replaced, and
     * the file is removed when the server closes.
     *
     * @param handler serves one client
     * @param path    the socket file
     * @return the server
     * @throws NullPointerException  if an argument is null
     * @throws IOException           if it cannot bind
     * @throws IllegalStateException outside a task
     */
    public static Server startUnixServer(ClientHandler handler, Path path) throws IOException {
        return startUnixServer(handler, path, StreamOptions.defaults());
    }

    /**
     * Starts a Unix-domain socket server with options; see
     * {@link #startUnixServer(ClientHandler, Path)}.
     *
     * @param handler serves one client
     * @param path    the socket file
     * @param options the options
     * @return the server
     * @throws NullPointerException  if an argument is null
     * @throws IOException           if it cannot bind
     * @throws IllegalStateException outside a task
     */
    public static Server startUnixServer(ClientHandler handler, Path path, StreamOptions options) throws IOException {
        return Bridges.net().startUnixServer(handler, path, options);
    }

    // ------------------------------------------------------------------ datagrams

    /**
     * Opens a UDP endpoint for tasks: {@link org.asyncio4j.protocols.DatagramEndpoint#receive()}
     * suspends until a datagram arrives, {@code send} queues one. {@code local} (bound; port 0 for
     * any free one) and {@code remote} (connected) may each be null, not both; host names are
     * resolved off the loop. Python has no such call (its datagrams are callback-only: {@code
     * loop.create_datagram_endpoint}); this is its task-style twin.
     *
     * @param local  the address to bind, or null
     * @param remote the address to connect to, or null
     * @return the endpoint, open
     * @throws IllegalArgumentException if both addresses are null, or no family fits both
     * @throws IOException              if a name cannot be resolved, or no address pair can be
     *                                  bound and connected
     * @throws IllegalStateException    outside a task
     */
    public static org.asyncio4j.protocols.DatagramEndpoint openDatagramEndpoint(java.net.InetSocketAddress local,
            java.net.InetSocketAddress remote) throws IOException {
        return openDatagramEndpoint(local, remote, org.asyncio4j.protocols.DatagramOptions.defaults());
    }

    /**
     * {@link #openDatagramEndpoint(java.net.InetSocketAddress, java.net.InetSocketAddress)} with
     * socket options (address reuse, port reuse, broadcast), set before binding.
     *
     * @param local   the address to bind, or null
     * @param remote  the address to connect to, or null
     * @param options the socket options
     * @return the endpoint, open
     * @throws NullPointerException     if {@code options} is null
     * @throws IllegalArgumentException if both addresses are null, no family fits both, or
     *                                  {@code reusePort} is asked for where the OS lacks it
     * @throws IOException              if a name cannot be resolved, or no address pair can be
     *                                  bound and connected
     * @throws IllegalStateException    outside a task
     */
    public static org.asyncio4j.protocols.DatagramEndpoint openDatagramEndpoint(java.net.InetSocketAddress local,
            java.net.InetSocketAddress remote, org.asyncio4j.protocols.DatagramOptions options) throws IOException {
        return org.asyncio4j.internal.DatagramEngine.openEndpoint(local, remote, options);
    }

    // ------------------------------------------------------------------ streams over given channels (issue 13)

    /**
     * Opens streams over a TCP or Unix-domain channel that is connected, or has its connect in
     * progress (Python's {@code open_connection(sock=...)}). The channel is switched to
     * non-blocking mode if it was blocking, and owned by the connection from then on: closing
     * the writer closes it.
     *
     * @param channel the connected (or connecting) channel
     * @return the reader and writer
     * @throws NullPointerException     if {@code channel} is null
     * @throws IllegalArgumentException if the channel is closed, or neither connected nor connecting
     * @throws IOException              if the pending connect fails (the channel is then closed)
     * @throws IllegalStateException    outside a task
     */
    public static Connection openConnection(java.nio.channels.SocketChannel channel) throws IOException {
        return openConnection(channel, StreamOptions.defaults());
    }

    /**
     * Opens streams over a given channel with options; see
     * {@link #openConnection(java.nio.channels.SocketChannel)}. With TLS, the options must name
     * the server ({@link StreamOptions#withServerHostname(String)}), as Python requires
     * {@code server_hostname} with {@code sock}.
     *
     * @param channel the connected (or connecting) channel
     * @param options the options
     * @return the reader and writer
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is closed, or neither connected nor
     *                                  connecting, or TLS is asked without a server name
     * @throws IOException              if the pending connect or the TLS handshake fails (the
     *                                  channel is then closed)
     * @throws IllegalStateException    outside a task
     */
    public static Connection openConnection(java.nio.channels.SocketChannel channel, StreamOptions options) throws IOException {
        return org.asyncio4j.internal.NetEngine.ENGINE.openConnection(channel, options);
    }

    /**
     * Starts a server on a listening channel that is bound already (Python's {@code
     * start_server(sock=...)}): it runs {@code handler} in a new task per client. The channel is
     * switched to non-blocking mode and owned by the server: {@link Server#close()} closes it.
     *
     * @param handler serves one client
     * @param channel the bound listening channel (TCP or Unix-domain)
     * @return the server, already accepting
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is closed or not bound
     * @throws IOException              if the channel cannot be set up
     * @throws IllegalStateException    outside a task
     */
    public static Server startServer(ClientHandler handler, java.nio.channels.ServerSocketChannel channel) throws IOException {
        return startServer(handler, channel, StreamOptions.defaults());
    }

    /**
     * Starts a server on a bound listening channel with options; see
     * {@link #startServer(ClientHandler, java.nio.channels.ServerSocketChannel)}.
     *
     * @param handler serves one client
     * @param channel the bound listening channel
     * @param options the options
     * @return the server, already accepting
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the channel is closed or not bound
     * @throws IOException              if the channel cannot be set up
     * @throws IllegalStateException    outside a task
     */
    public static Server startServer(ClientHandler handler, java.nio.channels.ServerSocketChannel channel, StreamOptions options)
            throws IOException {
        return org.asyncio4j.internal.NetEngine.ENGINE.startServer(handler, channel, options);
    }

    // ------------------------------------------------------------------ subprocesses

    /**
     * Starts a process as the builder says; its redirects decide which streams are piped.
     *
     * @param builder the process builder
     * @return the running process
     * @throws NullPointerException  if {@code builder} is null
     * @throws IOException           if the process cannot start
     * @throws IllegalStateException outside a task
     */
    public static Subprocess createSubprocess(ProcessBuilder builder) throws IOException {
        return Subprocess.start(builder);
    }

    /**
     * Starts a program with all three streams piped.
     *
     * @param command the program and its arguments
     * @return the running process
     * @throws NullPointerException     if {@code command} or an element is null
     * @throws IllegalArgumentException if {@code command} is empty
     * @throws IOException              if the process cannot start
     * @throws IllegalStateException    outside a task
     */
    public static Subprocess createSubprocessExec(String... command) throws IOException {
        Objects.requireNonNull(command, "command");
        if (command.length == 0) {
            throw new IllegalArgumentException("createSubprocessExec: the command is empty");
        }
        for (String c : command) {
            Objects.requireNonNull(c, "command contains null");
        }
        return Subprocess.start(new ProcessBuilder(command));
    }

    /**
     * Runs a command line through {@code /bin/sh -c} with all three streams piped.
     *
     * @param command the shell command line
     * @return the running process
     * @throws NullPointerException  if {@code command} is null
     * @throws IOException           if the shell cannot start
     * @throws IllegalStateException outside a task
     */
    public static Subprocess createSubprocessShell(String command) throws IOException {
        Objects.requireNonNull(command, "command");
        return Subprocess.start(new ProcessBuilder("/bin/sh", "-c", command));
    }
}
