package org.asyncio4j.internal;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.asyncio4j.CancelledException;
import org.asyncio4j.Context;
import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.Future;
import org.asyncio4j.InvalidStateException;

/**
 * The future state machine.
 *
 * <h2>Implementation overview</h2>
 * {@code state} goes once from PENDING to RESULT, EXCEPTION or CANCELLED, on the loop thread;
 * it is volatile so other threads can poll it (isDone, get) and see the outcome, which is written
 * before it. Completion walks the callback list in order: a task waiting in
 * {@link TaskImpl#awaitDone} is woken directly (unparking it appends its continuation to the
 * ready queue, exactly where a {@code callSoon} of a wake-up callback would have put it, without
 * allocating one), and every other callback is scheduled with {@code callSoon}. So callbacks run
 * and waiters resume in the order they registered (the FIFO guarantee).
 *
 * <p>The callback list is a single object while it holds one entry (the common case: one
 * awaiting task) and an array beyond that.
 *
 * <p>One field holds the outcome, read according to the state, so a future is four fields (32
 * bytes with compressed references; every task, and every waiter of a lock, event or queue, is
 * one):
 * <pre>
 *   PENDING    null, or the cause its cancellation is to carry (a task's request, debug mode)
 *   RESULT     the value
 *   EXCEPTION  the {@link Unretrieved} report, which holds the exception, until it is read;
 *              then the exception itself
 *   CANCELLED  null, the message (a String), or a {@link Cancelled} when there is a cause
 * </pre>
 * Once the state is published the outcome changes only from an Unretrieved to its own
 * exception (on whichever thread reads it first), so a reader on any thread that sees a done
 * state reads an outcome of that state.
 *
 * <p>A future that fails without anyone reading its exception reports it to the exception
 * handler ("exception was never retrieved"), once: when its loop closes, or, if that comes
 * first, when the garbage collector finds it unread (Python's refcounting reports at once; a
 * collector alone might never speak). A {@link Cleaner} carries the collector's report, which
 * does not reference the future; the loop holds the report until it is settled.
 */
public class FutureImpl<T> implements Future<T> {
    static final int PENDING = 0, RESULT = 1, EXCEPTION = 2, CANCELLED = 3;

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "asyncio4j-unretrieved-reporter");
        t.setDaemon(true);
        return t;
    });

    final EventLoopImpl loop;
    volatile int state;
    private Object outcome;         // by state: see the class comment
    private Object callbacks;       // null | one entry | Object[] (null-terminated)

    public FutureImpl(EventLoopImpl loop) {
        this.loop = loop;
    }

    // ---------------------------------------------------------------- queries (any thread)

    @Override
    public final boolean isDone() {
        return state != PENDING;
    }

    @Override
    public final boolean isCancelled() {
        return state == CANCELLED;
    }

    @Override
    public final State state() {
        return switch (state) {
            case PENDING -> State.RUNNING;
            case RESULT -> State.SUCCESS;
            case EXCEPTION -> State.FAILED;
            default -> State.CANCELLED;
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public final T resultNow() {
        int s = state;
        if (s == RESULT) {
            return (T) outcome;
        }
        throw new IllegalStateException(switch (s) {
            case PENDING -> "Result is not ready: " + this;
            case EXCEPTION -> "Future completed with an exception: " + failure();
            default -> "Future was cancelled";
        });
    }

    @Override
    public final Throwable exceptionNow() {
        int s = state;
        if (s == EXCEPTION) {
            return retrieve();
        }
        throw new IllegalStateException(switch (s) {
            case PENDING -> "Exception is not set: " + this;
            case RESULT -> "Future completed with a result";
            default -> "Future was cancelled";
        });
    }

    /** The exception of a failed future, null for any other state; marks it retrieved. */
    final Throwable exceptionOrNull() {
        return state == EXCEPTION ? retrieve() : null;
    }

    /** The exception of a failed future, null for any other state; leaves it unretrieved. */
    final Throwable failure() {
        if (state != EXCEPTION) {
            return null;
        }
        Object o = outcome;
        return o instanceof Unretrieved u ? u.exception : (Throwable) o;
    }

    /** The message of a cancelled future (null if it had none, or for any other state). */
    final String cancelMessage() {
        if (state != CANCELLED) {
            return null;
        }
        Object o = outcome;
        return o instanceof Cancelled c ? c.message() : (String) o;
    }

    /**
     * The cause the CancelledException of a cancelled future's awaiters carries, or null (and
     * null for any other state): for a task, the exception that ended its body cancelled; in
     * debug mode, where the request was made that cancelled it.
     */
    final Throwable cancelCause() {
        return state == CANCELLED && outcome instanceof Cancelled c ? c.cause() : null;
    }

    /** A cancelled future's outcome when there is a cause; the message alone is a bare String. */
    private record Cancelled(String message, Throwable cause) {
    }

    @Override
    public final EventLoop getLoop() {
        return loop;
    }

    // ---------------------------------------------------------------- await / get

    @Override
    public final T await() {
        if (state == PENDING) {
            TaskImpl<?> task = TaskImpl.current();
            if (task == null || task.loop != loop) {
                waitOutsideTask();
            } else {
                task.awaitDone(this);
            }
        }
        return report();
    }

    /** Waits in a virtual thread that the loop carries but that is not a task, or refuses. */
    private void waitOutsideTask() {
        Thread t = Thread.currentThread();
        if (t.isVirtual() && loop.isCarriedHere()) {
            // A virtual thread started inside a task: it runs on the loop, so it may park here.
            ThreadWaiter w = new ThreadWaiter(t);
            addEntry(w);
            while (state == PENDING) {
                java.util.concurrent.locks.LockSupport.park(this);
            }
            return;
        }
        TaskImpl<?> task = TaskImpl.current();
        if (task != null) {
            awaitFromOtherLoop(task);
            return;
        }
        throw new IllegalStateException("await() on a pending future outside a task: " + this
                + " (from a plain thread use get(), from a callback use addDoneCallback)");
    }

    /**
     * A task of another loop awaits this future (a LoopGroup's cross-loop await; Python forbids
     * it). The task waits on a proxy future of its own loop; this future's loop, once it is done,
     * completes the proxy through the task's loop's inbox. A waiting task that is stopped
     * (cancelled, or interrupted by its group) cancels this future, as awaiting a future does in
     * asyncio (through this future's loop's inbox). If this future's loop closes with the future still pending, the wait ends with
     * the CancelledException that a foreign {@code get()} gets then.
     */
    private void awaitFromOtherLoop(TaskImpl<?> task) {
        EventLoopImpl mine = task.loop;
        FutureImpl<Void> proxy = new FutureImpl<>(mine);
        Runnable wake = () -> {
            try {
                mine.callSoonThreadsafe(() -> {
                    if (proxy.state == PENDING) {
                        proxy.complete(null);
                    }
                });
            } catch (IllegalStateException waiterLoopClosed) {
                // the waiting task's loop is gone, and the task with it
            }
        };
        if (!loop.onClose(wake)) {
            if (state == PENDING) {
                throw EventLoopImpl.closedBefore(this);
            }
            return;
        }
        try {
            loop.runOnLoop(() -> addDoneCallback(f -> wake.run()));
            try {
                task.awaitDone(proxy);
                if (proxy.state == CANCELLED) {
                    proxy.report();               // the task's cancellation: throws it
                }
            } catch (Throwable stop) {
                // The wait ends early only when the task is stopped (cancelled, or interrupted by
                // its group): the awaited future is cancelled, as Python's Task cancels the
                // future it waits on.
                if (state == PENDING) {
                    cancel();                     // any thread: forwarded to this future's loop
                }
                throw stop;
            }
        } finally {
            loop.removeOnClose(wake);
        }
        if (state == PENDING) {
            throw EventLoopImpl.closedBefore(this);
        }
    }

    /** The outcome of a done future: the value, or the exception thrown as await() throws it. */
    @SuppressWarnings("unchecked")
    final T report() {
        switch (state) {
            case RESULT:
                return (T) outcome;
            case EXCEPTION:
                throw rethrow(retrieve());
            case CANCELLED:
                throw cancelledException();
            default:
                throw new InvalidStateException("Result is not ready: " + this);
        }
    }

    /**
     * For I/O methods that await a task: throws the {@code IOException} a CompletionException
     * carries as itself; otherwise returns the CompletionException for the caller to throw.
     */
    public static CompletionException ioCause(CompletionException e) throws java.io.IOException {
        if (e.getCause() instanceof java.io.IOException io) {
            throw io;
        }
        return e;
    }

    /** Unchecked exceptions as themselves, checked ones wrapped in CompletionException. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new CompletionException(t);
    }

    /**
     * A new CancelledException for an awaiter, with the one that ended a task's body as its
     * cause (so what was attached to it, such as a TaskGroup's failures, is not lost).
     */
    final CancelledException cancelledException() {
        Object o = outcome;
        CancelledException c;
        if (o instanceof Cancelled with) {
            c = new CancelledException(with.message());
            c.initCause(with.cause());
        } else {
            c = new CancelledException((String) o);
        }
        if (this instanceof TaskImpl<?> t) {
            t.attachOriginForAwaiter(c);  // debug mode: where the cancellation was requested
        }
        return c;
    }

    @Override
    public final T get() throws InterruptedException, ExecutionException {
        if (state == PENDING) {
            TaskImpl<?> task = TaskImpl.current();
            if (task != null && task.loop == loop) {
                task.awaitDone(this);
            } else {
                blockUntilDone(0, null);
            }
        }
        return reportGet();
    }

    @Override
    public final T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        if (state == PENDING) {
            if (TaskImpl.current() != null && TaskImpl.current().loop == loop) {
                throw new IllegalStateException("get(timeout) inside a task of the future's loop: use Asyncio.waitFor");
            }
            if (!blockUntilDone(timeout, unit)) {
                throw new TimeoutException("timed out waiting for " + this);
            }
        }
        return reportGet();
    }

    @SuppressWarnings("unchecked")
    private T reportGet() throws ExecutionException {
        switch (state) {
            case RESULT:
                return (T) outcome;
            case EXCEPTION:
                throw new ExecutionException(retrieve());
            default:
                throw new CancelledException(cancelMessage());
        }
    }

    /**
     * Blocks a thread that is not this loop's until the future is done: false on timeout. The
     * done callback is registered through the inbox; if the loop closes first (dropping that
     * registration, or leaving the future pending for good), the close releases the latch and
     * the caller gets a CancelledException saying so, instead of waiting forever.
     */
    private boolean blockUntilDone(long timeout, TimeUnit unit) throws InterruptedException {
        if (loop.isCarriedHere()) {
            throw new IllegalStateException("get() on the loop thread outside a task would block the loop forever: " + this);
        }
        CountDownLatch latch = new CountDownLatch(1);
        Runnable release = latch::countDown;
        if (loop.onClose(release)) {
            try {
                loop.runOnLoop(() -> addDoneCallback(f -> latch.countDown()));
                if (unit == null) {
                    latch.await();
                } else if (!latch.await(timeout, unit)) {
                    return false;
                }
            } finally {
                loop.removeOnClose(release);
            }
        }
        if (state == PENDING) {
            throw EventLoopImpl.closedBefore(this);      // released (or refused) by the closed loop
        }
        return true;
    }

    // ---------------------------------------------------------------- completion (loop thread)

    @Override
    public void setResult(T value) {
        loop.checkThread("setResult");
        if (state != PENDING) {
            throw new InvalidStateException("setResult on a done future: " + this);
        }
        complete(value);
    }

    @Override
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        loop.checkThread("setException");
        if (state != PENDING) {
            throw new InvalidStateException("setException on a done future: " + this);
        }
        fail(exception);
    }

    final void complete(Object value) {
        outcome = value;
        state = RESULT;
        scheduleCallbacks();
    }

    final void fail(Throwable exception) {
        // Report it if nobody reads it (through await, get, exceptionNow or a combinator) before
        // the loop closes or the future is collected. Made before the state is published, so a
        // reader on another thread that sees EXCEPTION also sees the report to settle.
        Unretrieved u = new Unretrieved(loop, exception);
        outcome = u;
        state = EXCEPTION;
        u.description = toString();
        watchCollection(u);
        loop.trackUnretrieved(u);
        scheduleCallbacks();
    }

    /**
     * Registers the collector's report with the Cleaner, never from a task's own thread. The
     * Cleaner's list is guarded by a monitor that its own thread takes too (to drop a collected
     * future), and the loop thread takes it when a callback fails a future; a task must never
     * wait for a lock the loop thread may wait for (architecture.md), since it runs only there:
     * <pre>
     *   Cleaner thread   holds the monitor
     *   task T           fails a future, blocks on the monitor: T unmounts
     *   Cleaner thread   releases it; T is next in line, to be mounted again
     *   loop thread      a callback fails a future, blocks on the monitor: T never runs again
     * </pre>
     * So a task hands the registration to its loop's thread (a platform thread, which may wait
     * for the Cleaner's). If the loop closes first, its close reports the failure instead.
     */
    private void watchCollection(Unretrieved u) {
        if (Thread.currentThread().isVirtual()) {
            EventLoopImpl here = EventLoopImpl.running();
            if (here != null && !here.isClosed()) {
                here.callSoonInternal(() -> CLEANER.register(this, u));
                return;
            }
        }
        CLEANER.register(this, u);
    }

    /** A failed future's exception counts as read: its report is settled (no-op in any other state). */
    final void markRetrieved() {
        if (state == EXCEPTION) {
            retrieve();
        }
    }

    /**
     * The exception of a failed future (the caller saw EXCEPTION), marked read: the report is
     * settled and the outcome becomes the bare exception. Any thread; two threads reading at
     * once both store the same exception, and the report settles once.
     */
    private Throwable retrieve() {
        Object o = outcome;
        if (o instanceof Unretrieved u) {
            outcome = u.exception;
            u.settle();
            return u.exception;
        }
        return (Throwable) o;
    }

    @Override
    public boolean cancel() {
        return cancel((String) null);
    }

    @Override
    public final boolean cancel(boolean mayInterruptIfRunning) {
        return cancel((String) null);
    }

    @Override
    public boolean cancel(String msg) {
        return loop.confined(this, msg, FutureImpl::cancelFuture, FutureImpl::cancelFromOtherThread);
    }

    /**
     * Cancels a pending future; loop thread only. Its awaiters' CancelledException carries the
     * cause a task's request left on it ({@link #cancelCarrying}), if any.
     */
    final boolean cancelFuture(String msg) {
        return cancelFuture(msg, null);
    }

    /**
     * Cancels a pending future, {@code cause} (if not null, else the one a task's request left)
     * to be the cause of its awaiters' CancelledException; loop thread only.
     */
    final boolean cancelFuture(String msg, Throwable cause) {
        if (state != PENDING) {
            return false;
        }
        Throwable by = cause != null ? cause : (Throwable) outcome;
        outcome = by == null ? msg : new Cancelled(msg, by);
        state = CANCELLED;
        scheduleCallbacks();
        return true;
    }

    /**
     * {@link #cancel(String)} for a task's request (on its loop's thread; this future is of that
     * loop): the future's awaiters get {@code cause} (debug mode: where the request was made)
     * as the cause of their CancelledException, unless the future has one already. It is left
     * on the pending future before the cancel, which may end it now (a plain future) or later
     * (a gather ends when its children do); a cancel that did not take leaves nothing. A task
     * keeps no cause from another's request: its own request has its own origin.
     */
    final boolean cancelCarrying(String msg, Throwable cause) {
        boolean carry = cause != null && !(this instanceof TaskImpl) && state == PENDING && outcome == null;
        if (carry) {
            outcome = cause;
        }
        boolean cancelled = cancel(msg);
        if (carry && !cancelled && state == PENDING && outcome == cause) {
            outcome = null;
        }
        return cancelled;
    }

    /**
     * A cancel from a thread that may not touch the loop (whether it runs or not): forwarded
     * through the inbox. Returns whether the future was pending when called.
     */
    final boolean cancelFromOtherThread(String msg) {
        if (state != PENDING) {
            return false;
        }
        try {
            loop.callSoonThreadsafe(() -> cancel(msg));
        } catch (IllegalStateException closed) {
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- callbacks

    @Override
    public final void addDoneCallback(Consumer<? super Future<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        loop.checkThread("addDoneCallback");
        if (state != PENDING) {
            EventLoopImpl target = loop.detached ? EventLoopImpl.running() : loop;
            if (target == null) {
                callback.accept(this);                    // a detached done future, no loop here
            } else {
                target.checkThread("addDoneCallback");
                DoneCallback dc = new DoneCallback(target, this, callback);
                dc.context = Contexts.capture();
                target.callSoonInternal(dc);
            }
        } else {
            // Python's add_done_callback: the callback runs in the context current now.
            Context c = Contexts.capture();
            addEntry(c == null ? callback : new InContext(callback, c));
        }
    }

    /** A done callback registered where the context was not empty, with a snapshot of it. */
    private record InContext(Consumer<?> callback, Context context) {
    }

    /** The registered object: a callback without its {@link InContext} wrapper. */
    private static Object unwrap(Object e) {
        return e instanceof InContext w ? w.callback() : e;
    }

    /** Registers a task to be woken on completion (no callSoon hop). */
    final void addWaiter(TaskImpl<?> task) {
        addEntry(task);
    }

    @Override
    public final int removeDoneCallback(Consumer<? super Future<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        loop.checkThread("removeDoneCallback");
        return removeEntries(callback);
    }

    private void addEntry(Object e) {
        Object cbs = callbacks;
        if (cbs == null) {
            callbacks = e;
        } else if (cbs instanceof Object[] arr) {
            int n = 0;
            while (n < arr.length && arr[n] != null) {
                n++;
            }
            if (n == arr.length) {
                arr = Arrays.copyOf(arr, n * 2);
                callbacks = arr;
            }
            arr[n] = e;
        } else {
            Object[] arr = new Object[4];
            arr[0] = cbs;
            arr[1] = e;
            callbacks = arr;
        }
    }

    private int removeEntries(Object target) {
        Object cbs = callbacks;
        if (cbs == null) {
            return 0;
        }
        if (!(cbs instanceof Object[] arr)) {
            if (unwrap(cbs).equals(target)) {
                callbacks = null;
                return 1;
            }
            return 0;
        }
        int w = 0, removed = 0;
        for (int r = 0; r < arr.length && arr[r] != null; r++) {
            Object e = arr[r];
            if (unwrap(e).equals(target)) {
                removed++;
            } else {
                arr[w++] = e;
            }
        }
        for (int i = w; i < arr.length && arr[i] != null; i++) {
            arr[i] = null;
        }
        if (w == 0) {
            callbacks = null;
        }
        return removed;
    }

    /**
     * The registered entries, in order: waiting tasks, done callbacks (some of them
     * {@link AwaitLink}s), waiting threads. For the introspection; loop thread (another
     * thread gets a best-effort copy).
     */
    final Object[] callbackEntries() {
        Object cbs = callbacks;
        if (cbs == null) {
            return new Object[0];
        }
        if (!(cbs instanceof Object[] arr)) {
            return new Object[] {unwrap(cbs)};
        }
        int n = 0;
        while (n < arr.length && arr[n] != null) {
            n++;
        }
        Object[] entries = Arrays.copyOf(arr, n);
        for (int i = 0; i < n; i++) {
            entries[i] = unwrap(entries[i]);
        }
        return entries;
    }

    @SuppressWarnings("unchecked")
    private void scheduleCallbacks() {
        Object cbs = callbacks;
        if (cbs == null) {
            return;
        }
        callbacks = null;
        if (cbs instanceof Object[] arr) {
            for (Object e : arr) {
                if (e == null) {
                    break;
                }
                dispatch(e);
            }
        } else {
            dispatch(cbs);
        }
    }

    @SuppressWarnings("unchecked")
    private void dispatch(Object e) {
        if (e instanceof TaskImpl<?> t) {
            t.wake();
        } else if (e instanceof ThreadWaiter w) {
            java.util.concurrent.locks.LockSupport.unpark(w.thread);
        } else if (e instanceof InContext w) {
            DoneCallback dc = new DoneCallback(loop, this, w.callback());
            dc.context = w.context();
            loop.callSoonInternal(dc);
        } else {
            loop.callSoonInternal(new DoneCallback(loop, this, (Consumer<?>) e));
        }
    }

    /**
     * A done future's outcome is copied at once, from any thread (the volatile {@code state}
     * publishes it); a pending one's through a done callback added on the loop, with the loop's
     * close as the fallback (it completes the bridge with a CancelledException).
     */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        Bridge<T> cf = new Bridge<>(this);
        if (state != PENDING) {
            copyTo(cf);
            return cf;
        }
        loop.releaseOnClose(cf);
        loop.runConfined(() -> addDoneCallback(f -> copyTo(cf)));
        return cf;
    }

    private void copyTo(CompletableFuture<T> cf) {
        switch (state) {
            case RESULT -> cf.complete(resultNow());
            case EXCEPTION -> cf.completeExceptionally(exceptionNow());
            default -> cf.completeExceptionally(new CancelledException(cancelMessage()));
        }
    }

    @Override
    public String toString() {
        return "Future[" + describeState() + "]";
    }

    final String describeState() {
        return switch (state) {
            case PENDING -> "pending";
            case RESULT -> "finished result=" + abbreviate(outcome);
            case EXCEPTION -> "finished exception=" + failure();
            default -> "cancelled";
        };
    }

    private static String abbreviate(Object o) {
        String s;
        try {
            s = String.valueOf(o);
        } catch (RuntimeException e) {
            s = "<toString failed: " + e + ">";
        }
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A done callback on its way through the ready queue. It is a handle, so a loop that closes
     * drops it instead of running it elsewhere.
     */
    private static final class DoneCallback extends HandleImpl {
        private final FutureImpl<?> future;
        private final Consumer<Object> consumer;

        @SuppressWarnings("unchecked")
        DoneCallback(EventLoopImpl loop, FutureImpl<?> future, Consumer<?> consumer) {
            super(loop, null);
            this.future = future;
            this.consumer = (Consumer<Object>) consumer;
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            Contexts.Slot slot = loop.contextSlot;
            Context outer = slot.enter(context);
            try {
                consumer.accept(future);
            } catch (Throwable t) {
                loop.callExceptionHandler(new ExceptionContext("Exception in " + this, t, future, this));
            } finally {
                slot.exit(outer);
            }
        }

        @Override
        public String toString() {
            return "done callback " + consumer + " of " + future;
        }
    }

    /** A virtual thread, not a task, parked in await() on the loop. */
    private record ThreadWaiter(Thread thread) {
    }

    /**
     * The report of an exception nobody read; shares no reference with its future. It is
     * settled once, by whichever comes first: a read ({@link #markRetrieved}), the loop's close
     * (which reports every unsettled one of its futures: {@link #reportNow}), or the garbage
     * collector finding the future unread ({@link #run}, on the Cleaner's thread). The loop
     * holds it from the failure until it is settled.
     */
    static final class Unretrieved implements Runnable {
        private final EventLoopImpl loop;
        private final Throwable exception;
        volatile String description;
        private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

        Unretrieved(EventLoopImpl loop, Throwable exception) {
            this.loop = loop;
            this.exception = exception;
        }

        /** True for the one caller that settles it. */
        boolean settle() {
            if (settled.compareAndSet(false, true)) {
                loop.untrackUnretrieved(this);
                return true;
            }
            return false;
        }

        /** Reports it to the loop's exception handler on this thread, unless settled. */
        void reportNow() {
            if (settle()) {
                String d = description;
                if (d == null) {
                    d = "Future[finished exception=" + exception + "]";     // not yet described
                }
                loop.callExceptionHandler(new ExceptionContext(
                        (d.startsWith("Task") ? "Task" : "Future") + " exception was never retrieved: " + d,
                        exception, null, null));
            }
        }

        /**
         * The Cleaner: the future was collected unread. An open loop reports it on its own
         * thread; if the loop closes before that callback runs, the callback is dropped, but
         * the close reported it (the loop held it until then). A closed loop (or the detached
         * one, which never runs) has it reported here, on the Cleaner's thread.
         */
        @Override
        public void run() {
            if (settled.get()) {
                return;
            }
            if (!loop.detached && !loop.isClosed()) {
                loop.runOnLoop(this::reportNow);
            } else {
                reportNow();
            }
        }
    }

    /** A CompletableFuture whose cancellation cancels the source future. */
    private static final class Bridge<T> extends CompletableFuture<T> {
        private final FutureImpl<T> source;

        Bridge(FutureImpl<T> source) {
            this.source = source;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && !source.isDone()) {
                source.cancelFromOtherThread(null);
            }
            return cancelled;
        }
    }
}
