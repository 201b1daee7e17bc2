package org.asyncio4j.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loop's executor calls ({@code runInExecutor}, {@code toThread}) and its default executor.
 *
 * <h2>Implementation overview</h2>
 * The default executor is a pool of daemon platform threads (at most 32, the processors plus 4,
 * idle ones time out), made on first use from a platform thread, so its threads are never tasks
 * of the loop; {@link #set} replaces it. A call runs as a {@link Call}, a {@code FutureTask}
 * whose end hands a copy of its outcome to the loop through the inbox; the loop future it
 * feeds cancels it (with an interrupt) when cancelled. While a call is in flight the loop counts
 * it as off-loop work, so the virtual clock follows real time until its outcome is back.
 * The call runs in a copy of the caller's context (Python's {@code to_thread}; asyncio4j does the
 * same for {@code runInExecutor}), made current on the executor's thread for the call only.
 *
 * <p>Loop-confined, except {@link #shutdown}, which may be called from any thread that is not the
 * loop's (it waits for the calls to finish) or from a task of the loop (it waits without blocking
 * the loop).
 */
final class DefaultExecutor {
    private static final System.Logger LOG = System.getLogger("org.asyncio4j");

    private final EventLoopImpl loop;
    private final String threadPrefix;
    private volatile ExecutorService executor;
    private volatile boolean shutdown;

    DefaultExecutor(EventLoopImpl loop, String threadPrefix) {
        this.loop = loop;
        this.threadPrefix = threadPrefix;
    }

    /**
     * Runs {@code call} on {@code ex} (null: the default executor); the returned loop future gets
     * its outcome. Loop thread.
     *
     * @throws IllegalStateException if the default executor is shut down, or the executor
     *                               rejects the call
     */
    <T> FutureImpl<T> submit(Executor ex, Callable<T> call) {
        Executor target = ex != null ? ex : pool();
        FutureImpl<T> f = new FutureImpl<>(loop);
        Call<T> job = new Call<>(loop, f, call, Contexts.capture());
        f.addDoneCallback(x -> {
            if (x.isCancelled()) {
                job.cancel(true);
            }
        });
        loop.offLoopStarted();
        try {
            target.execute(job);
        } catch (RejectedExecutionException e) {
            loop.offLoopEnded();
            f.cancelFuture(null);
            throw new IllegalStateException("the executor rejected the call (is it shut down?): " + e.getMessage(), e);
        }
        return f;
    }

    private ExecutorService pool() {
        if (shutdown) {
            throw new IllegalStateException("the default executor is shut down");
        }
        ExecutorService ex = executor;
        if (ex == null) {
            int n = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            AtomicInteger ids = new AtomicInteger();
            ThreadPoolExecutor tpe = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    // Platform threads made from a platform thread: never a task of this loop.
                    r -> Thread.ofPlatform().daemon().name(threadPrefix + ids.incrementAndGet()).unstarted(r));
            tpe.allowCoreThreadTimeOut(true);
            executor = ex = tpe;
        }
        return ex;
    }

    /** Replaces the default executor (and lifts an earlier shutdown). Loop thread. */
    void set(ExecutorService ex) {
        executor = ex;
        shutdown = false;
    }

    /**
     * Shuts the default executor down and waits for its calls: inside a task of the loop, by
     * suspending the task (a helper thread waits); on any other thread, by blocking it.
     *
     * @throws IllegalStateException on the loop's thread outside a task (it would stall the loop)
     */
    void shutdown() {
        ExecutorService ex = executor;
        shutdown = true;
        if (ex == null) {
            return;
        }
        ex.shutdown();
        TaskImpl<?> task = TaskImpl.current();
        if (task != null && task.loop == loop) {
            FutureImpl<Void> done = new FutureImpl<>(loop);
            Thread.ofPlatform().daemon().name("asyncio4j-executor-shutdown").start(() -> {
                awaitTermination(ex);
                try {
                    loop.callSoonThreadsafe(() -> {
                        if (!done.isDone()) {
                            done.complete(null);
                        }
                    });
                } catch (IllegalStateException closedLoop) {
                    // nobody waits any more
                }
            });
            done.await();
        } else if (loop.isCarriedHere()) {
            throw new IllegalStateException("shutdownDefaultExecutor() on the loop thread outside a task would stall the loop");
        } else {
            awaitTermination(ex);
        }
    }

    /** The loop closes: the default executor is shut down without waiting. */
    void shutdownAtClose() {
        ExecutorService ex = executor;
        if (ex != null) {
            ex.shutdown();
        }
    }

    private static void awaitTermination(ExecutorService ex) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!ex.awaitTermination(300, TimeUnit.SECONDS)) {
                        LOG.log(System.Logger.Level.WARNING,
                                "The default executor did not finish its calls within 300 seconds; not waiting any longer");
                    }
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A call on an executor thread whose outcome is copied to a loop future. */
    private static final class Call<T> extends FutureTask<T> {
        private final EventLoopImpl loop;
        private final FutureImpl<T> target;
        private final org.asyncio4j.Context context;    // the caller's, copied; null: empty

        Call(EventLoopImpl loop, FutureImpl<T> target, Callable<T> call, org.asyncio4j.Context context) {
            super(call);
            this.loop = loop;
            this.target = target;
            this.context = context;
        }

        /** The call, with its context current (and whatever it sets dropped after it). */
        @Override
        public void run() {
            org.asyncio4j.Context outer = Contexts.swap(context);
            try {
                super.run();
            } finally {
                Contexts.swap(outer);
            }
        }

        @Override
        protected void done() {
            try {
                loop.schedule(new HandleImpl(loop, this::copyOutcome));
            } catch (RuntimeException e) {
                // never reached: schedule does not throw
            }
        }

        private void copyOutcome() {
            loop.offLoopEnded();
            if (target.isDone()) {
                return;
            }
            switch (state()) {
                case SUCCESS -> target.complete(resultNow());
                case FAILED -> target.fail(exceptionNow());
                default -> target.cancelFuture(null);
            }
        }
    }
}
