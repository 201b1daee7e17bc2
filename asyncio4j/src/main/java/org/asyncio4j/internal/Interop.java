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

    /** asyncio.wrap_future. */
    public static <T> Future<T> wrap(java.util.concurrent.Future<T> source) {
        Objects.requireNonNull(source, "future");
        if (source instanceof Future<T> own) {
            return own;
        }
        EventLoopImpl loop = Structured.loop("wrapFuture");
        FutureImpl<T> out = new FutureImpl<>(loop);
        if (source instanceof CompletableFuture<T> cf) {
            cf.whenComplete((v, e) -> loop.schedule(new HandleImpl(loop, () -> {
                if (out.isDone()) {
                    return;
                }
                if (e == null) {
                    out.complete(v);
                } else {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof CancellationException) {
                        out.cancelFuture(cause.getMessage());
                    } else {
                        out.fail(cause);
                    }
                }
            })));
        } else {
            Future<T> waiting = loop.runInExecutor(null, () -> {
                try {
                    return source.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;        // unchecked: arrives as itself
                    }
                    throw e.getCause() instanceof Exception ex ? ex : new CompletionException(e.getCause());
                }
            });
            waiting.addDoneCallback(w -> {
                if (out.isDone()) {
                    return;
                }
                switch (w.state()) {
                    case SUCCESS -> out.complete(w.resultNow());
                    case FAILED -> {
                        if (w.exceptionNow() instanceof CancellationException c) {
                            out.cancelFuture(c.getMessage());
                        } else {
                            out.fail(w.exceptionNow());
                        }
                    }
                    default -> out.cancelFuture(null);
                }
            });
        }
        out.addDoneCallback(f -> {
            if (f.isCancelled()) {
                source.cancel(true);
            }
        });
        return out;
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
