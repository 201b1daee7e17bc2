package org.asyncio4j;

import java.util.Objects;
import java.util.concurrent.Callable;

import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.carrier.Signals;

/**
 * Runs several bodies, one after another, on one event loop, and cleans up on {@link #close()}:
 * every remaining task cancelled and awaited, the default executor shut down, the loop closed.
 * {@link Asyncio#run} is a Runner used once.
 *
 * <pre>{@code
 * try (var runner = new Runner()) {
 *     runner.run(() -> connect());
 *     runner.run(() -> serve());
 * }
 * }</pre>
 *
 * <p>Context variables: every {@code run} runs its body in one context, a copy of the calling
 * thread's taken at the first {@code run}, so what one run sets the next one sees (Python's
 * {@code Runner}); the calling thread's own context is left as it was.
 *
 * <p>Ctrl+C: while {@link #run} runs a body on the JVM's main thread, a SIGINT cancels the
 * body's task and {@code run} throws {@link CancelledException}; a second one ends the JVM as
 * the JDK does (see {@link Asyncio#run(Callable)} and {@link RunOptions#withSigintHandler}).
 * The handler is installed for each {@code run} and taken off when it returns.
 *
 * <p>Interrupting the thread that runs a body cancels the body's task (Python's Runner does this
 * for Ctrl-C) when the interrupt reaches the loop between steps, as it does while the loop
 * waits. An interrupt that lands while a task runs on that thread is absorbed by the JDK (it
 * clears the carrier's interrupt status when a virtual thread mounts or unmounts), so from
 * another thread, cancel reliably with {@code loop.callSoonThreadsafe(() -> task.cancel())}.
 *
 * <p>Python: {@code asyncio.Runner}.
 */
public final class Runner implements AutoCloseable {
    private final RunOptions options;
    private EventLoopImpl loop;
    private Context context;            // the runs' context: a copy of the first caller's
    private boolean closed;

    /** A runner with the default options. */
    public Runner() {
        this(RunOptions.defaults());
    }

    /**
     * A runner with options.
     *
     * @param options the options
     * @throws NullPointerException if {@code options} is null
     */
    public Runner(RunOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * The runner's loop, created on first use.
     *
     * @return the loop
     * @throws IllegalStateException if the runner is closed, or no carrier mode can run
     *                               ({@link Asyncio#carrierMode()}; the message names the fix)
     */
    public EventLoop getLoop() {
        return lazyLoop();
    }

    private EventLoopImpl lazyLoop() {
        if (closed) {
            throw new IllegalStateException("Runner is closed");
        }
        if (loop == null) {
            loop = new EventLoopImpl(options.virtualClock());
            loop.setDebug(options.debug());
            loop.setShutdownTimeout(options.shutdownTimeout());
            loop.setJmx(options.jmx());
            loop.setEagerTasks(options.eagerTasks());
        }
        return loop;
    }

    /**
     * Runs a body as a task on the runner's loop until it is done.
     *
     * @param main the body
     * @param <T>  the result type
     * @return the body's result
     * @throws NullPointerException  if {@code main} is null
     * @throws IllegalStateException if called inside a running loop, or the runner is closed
     * @throws CancelledException    if the body was cancelled (by Ctrl+C, too)
     * @throws RuntimeException      the body's unchecked exception, as itself
     * @throws java.util.concurrent.CompletionException wrapping the body's checked exception
     */
    public <T> T run(Callable<T> main) {
        Objects.requireNonNull(main, "main");
        if (EventLoopImpl.running() != null || org.asyncio4j.internal.TaskImpl.current() != null) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event loop");
        }
        EventLoopImpl l = lazyLoop();
        if (context == null) {
            context = Context.copyCurrent();    // every run's main task runs in it (Python 3.11)
        }
        Signals.Sigint sigint = options.sigintHandler() ? Signals.Sigint.install() : null;
        if (sigint == null) {
            return l.runMain(main, context, null);
        }
        try {
            return l.runMain(main, context, sigint::watch);
        } finally {
            sigint.close();
        }
    }

    /**
     * Runs a body without result; see {@link #run(Callable)}.
     *
     * @param main the body
     * @throws NullPointerException  if {@code main} is null
     * @throws IllegalStateException as {@link #run(Callable)}
     */
    public void run(ThrowingRunnable main) {
        Objects.requireNonNull(main, "main");
        run(() -> {
            main.run();
            return null;
        });
    }

    /**
     * Cancels and awaits every remaining task (for at most {@link RunOptions#shutdownTimeout()}
     * of loop time; a task that refuses to end is reported and left behind, see
     * {@link RunOptions#withShutdownTimeout}), shuts the default executor down (waiting for its
     * calls), and closes the loop. Closing twice does nothing.
     *
     * @throws IllegalStateException if called inside the runner's running loop
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        EventLoopImpl l = loop;
        if (l != null) {
            if (l.isRunning()) {
                throw new IllegalStateException("Runner.close() called while its loop is running");
            }
            try {
                l.cancelAllTasks();
                l.shutdownDefaultExecutor();
            } finally {
                l.close();
            }
        }
        closed = true;
    }
}
