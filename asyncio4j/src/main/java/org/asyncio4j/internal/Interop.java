package org.asyncio4j.internal;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.Task;

/** Bridges between asyncio4j futures and java.util.concurrent ones, and done futures. */
public final class Interop {
    private Interop() {
    }

    /** asyncio.run_coroutine_threadsafe. */
    public static <T> CompletableFuture<T> runThreadsafe(Callable<T> body, EventLoop loop) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(loop, "loop");
        EventLoopImpl l = (EventLoopImpl) loop;
        Submitted<T> out = new Submitted<>(l);
        l.callSoonThreadsafe(() -> {
            if (out.isDone()) {
                return;                   // cancelled before the loop got to it
            }
            Task<T> t;
            try {
                t = l.createTask(body);
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            out.task = t;
            if (out.isCancelled()) {
                t.cancel();               // cancelled between the check above and now
            }
            t.addDoneCallback(f -> copy(f, out));
        });
        l.releaseOnClose(out);            // dropped unrun if the loop closes first
        return out;
    }

    private static <T> void copy(Future<T> f, CompletableFuture<T> cf) {
        switch (f.state()) {
            case SUCCESS -> cf.complete(f.resultNow());
            case FAILED -> cf.completeExceptionally(f.exceptionNow());
            default -> cf.cancel(false);
        }
    }

    private static final class Submitted<T> extends CompletableFuture<T> {
        private final EventLoopImpl loop;
        volatile Task<T> task;

        Submitted(EventLoopImpl loop) {
            this.loop = loop;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean r = super.cancel(mayInterruptIfRunning);
            Task<T> t = task;
            if (r && t != null) {
                try {
                    loop.callSoonThreadsafe(() -> t.cancel());
                } catch (IllegalStateException closed) {
                    // the loop is gone, and so is the task
                }
            }
            return r;
        }
    }

    /**
     * asyncio.wrap_future. A CompletableFuture is followed through its completion callback; any
     * other future is watched by {@link FutureWatch}, which holds no thread while it waits. The
     * wrapper counts as off-loop work in flight until it is done, so the virtual clock does not
     * jump over the source; cancelling the wrapper cancels the source.
     */
    public static <T> Future<T> wrap(java.util.concurrent.Future<T> source) {
        Objects.requireNonNull(source, "future");
        if (source instanceof Future<T> own) {
            return own;
        }
        EventLoopImpl loop = Structured.loop("wrapFuture");
        FutureImpl<T> out = new FutureImpl<>(loop);
        loop.offLoopStarted();
        out.addDoneCallback(f -> {
            loop.offLoopEnded();
            if (f.isCancelled()) {
                source.cancel(true);
            }
        });
        if (source instanceof CompletableFuture<T> cf) {
            cf.whenComplete((v, e) -> loop.schedule(new HandleImpl(loop,
                    () -> copy(e == null ? Outcome.success(v) : Outcome.failure(e), out))));
        } else {
            FutureWatch.watch(source, () -> out.isDone() || loop.isClosed(), () -> {
                Outcome<T> o = Outcome.of(source);        // read here, on the watch thread
                try {
                    loop.callSoonThreadsafe(() -> copy(o, out));
                } catch (IllegalStateException closedLoop) {
                    // nobody waits any more
                }
            });
        }
        return out;
    }

    /** The outcome of a done java.util.concurrent future, read without blocking the loop. */
    private record Outcome<T>(T value, Throwable failure, boolean cancelled, String message) {
        static <T> Outcome<T> success(T value) {
            return new Outcome<>(value, null, false, null);
        }

        static <T> Outcome<T> failure(Throwable e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof CancellationException c) {
                return new Outcome<>(null, null, true, c.getMessage());
            }
            return new Outcome<>(null, cause, false, null);
        }

        /** {@code source} is done: its get() does not block. */
        static <T> Outcome<T> of(java.util.concurrent.Future<T> source) {
            try {
                return success(source.get());
            } catch (ExecutionException e) {
                return failure(e.getCause() != null ? e.getCause() : e);
            } catch (Throwable e) {       // CancellationException, or a broken future
                return failure(e);
            }
        }
    }

    private static <T> void copy(Outcome<T> o, FutureImpl<T> out) {
        if (out.isDone()) {
            return;
        }
        if (o.cancelled()) {
            out.cancelFuture(o.message());
        } else if (o.failure() != null) {
            out.fail(o.failure());
        } else {
            out.complete(o.value());
        }
    }

    /** A done future: on the running loop if there is one, else detached. */
    public static <T> Future<T> completed(T value) {
        FutureImpl<T> f = new FutureImpl<>(homeLoop());
        f.complete(value);
        return f;
    }

    public static <T> Future<T> failed(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        FutureImpl<T> f = new FutureImpl<>(homeLoop());
        f.fail(exception);
        return f;
    }

    private static EventLoopImpl homeLoop() {
        EventLoopImpl running = EventLoopImpl.running();
        return running != null ? running : EventLoopImpl.DETACHED.get();
    }
}
