package org.asyncio4j.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.CancelledException;
import org.asyncio4j.Future;
import org.asyncio4j.ReturnWhen;
import org.asyncio4j.ThrowingRunnable;
import org.asyncio4j.Timeout;
import org.asyncio4j.WaitResult;

/**
 * gather, wait, waitFor, timeout, shield, asCompleted, sleep and toThread: compositions over
 * futures, tasks and the loop's callbacks, with no scheduling machinery of their own (layer 4).
 * Each method says which Python function it follows.
 *
 * <h2>What holds under cancellation</h2>
 * <ul>
 *   <li>A future a combinator owns (gather's outer future and so its children, waitFor's inner,
 *       toThread's call) is cancelled when the caller is, whenever the cancellation lands: while
 *       the caller waits, or before the wait began (the task engine cancels what a task awaits,
 *       and a cancellation pending as the wait begins cancels the awaited future, as Python's
 *       {@code Task.__step} does). Futures the caller merely watches (wait, asCompleted, shield's
 *       inner) are never cancelled.</li>
 *   <li>A cancellation is never lost nor converted: only the cancellation a timeout caused
 *       itself leaves it as AsyncTimeoutException; a cancellation from outside, an outer
 *       timeout's, or a TaskGroup's interruption of its body ({@link Cancellation}) passes
 *       through as itself, and {@code cancelling()} is back at its entry value.</li>
 *   <li>No result is lost: waitFor returns the inner's outcome when the inner finished in the
 *       same loop iteration as the deadline.</li>
 * </ul>
 */
public final class Structured {
    private Structured() {
    }

    // ------------------------------------------------------------------ context

    /** The running loop, or IllegalStateException naming the operation. */
    public static EventLoopImpl loop(String operation) {
        EventLoopImpl loop = EventLoopImpl.running();
        if (loop == null) {
            throw new IllegalStateException(operation + "() needs a running event loop: call it inside Asyncio.run(...) or a task");
        }
        return loop;
    }

    /** The current task, or IllegalStateException naming the operation. */
    public static TaskImpl<?> task(String operation) {
        TaskImpl<?> task = TaskImpl.current();
        if (task == null) {
            throw new IllegalStateException(operation + "() must be called from a task (inside Asyncio.run(...) or createTask)");
        }
        return task;
    }

    @SuppressWarnings("unchecked")
    static <T> FutureImpl<T> own(Future<T> f, EventLoopImpl loop, String operation) {
        Objects.requireNonNull(f, "future");
        if (!(f instanceof FutureImpl<?> impl)) {
            throw new IllegalArgumentException(operation + ": not an asyncio4j future (use Asyncio.wrapFuture): " + f);
        }
        if (impl.loop != loop && !(impl.loop.detached && impl.isDone())) {
            throw new IllegalStateException(operation + ": the future belongs to another event loop: " + f);
        }
        return (FutureImpl<T>) impl;
    }

    // ------------------------------------------------------------------ sleep

    /** asyncio.sleep: negative is 0, 0 yields once, +infinity waits until cancelled. */
    public static void sleep(double seconds) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("sleep: seconds is NaN");
        }
        TaskImpl<?> task = task("sleep");
        if (seconds == Double.POSITIVE_INFINITY) {
            new FutureImpl<Void>(task.loop).await();   // only a cancellation ends it
            return;
        }
        task.sleep(seconds <= 0 ? 0 : Math.max(1, EventLoopImpl.secondsToNanos(seconds)));
    }

    /** sleep with a Duration. */
    public static void sleep(java.time.Duration d) {
        Objects.requireNonNull(d, "duration");
        TaskImpl<?> task = task("sleep");
        long nanos = EventLoopImpl.durationToNanos(d);
        task.sleep(nanos <= 0 ? 0 : nanos);
    }

    // ------------------------------------------------------------------ gather

    /** Turns callables into tasks of the running loop. */
    public static <T> List<Future<? extends T>> tasksOf(String operation, Callable<? extends T>[] bodies) {
        Objects.requireNonNull(bodies, "bodies");
        EventLoopImpl loop = loop(operation);
        List<Future<? extends T>> tasks = new ArrayList<>(bodies.length);
        for (Callable<? extends T> c : bodies) {
            Objects.requireNonNull(c, operation + ": a body is null");
        }
        for (Callable<? extends T> c : bodies) {
            tasks.add(loop.spawn(c, null));
        }
        return tasks;
    }

    /** Turns bodies without result into tasks of the running loop. */
    public static List<Future<? extends Void>> tasksOf(String operation, ThrowingRunnable[] bodies) {
        Objects.requireNonNull(bodies, "bodies");
        EventLoopImpl loop = loop(operation);
        for (ThrowingRunnable r : bodies) {
            Objects.requireNonNull(r, operation + ": a body is null");
        }
        List<Future<? extends Void>> tasks = new ArrayList<>(bodies.length);
        for (ThrowingRunnable r : bodies) {
            tasks.add(loop.<Void>spawn(r, null));
        }
        return tasks;
    }

    /** asyncio.gather(*fs): results in order; the first failure is thrown at once. */
    public static <T> List<T> gather(Collection<? extends Future<? extends T>> futures) {
        Gathering<T> g = gathering("gather", futures, false);
        if (g == null) {
            return Collections.emptyList();
        }
        @SuppressWarnings("unchecked")
        List<T> out = (List<T>) g.await();
        return out;
    }

    /** asyncio.gather(*fs, return_exceptions=True): every future, done, in order. */
    public static <T> List<Future<T>> gatherSettled(Collection<? extends Future<? extends T>> futures) {
        Gathering<T> g = gathering("gatherSettled", futures, true);
        if (g == null) {
            return Collections.emptyList();
        }
        g.await();
        List<Future<T>> out = new ArrayList<>(g.children.length);
        for (FutureImpl<? extends T> f : g.children) {
            @SuppressWarnings("unchecked")
            Future<T> ft = (Future<T>) f;
            out.add(ft);
        }
        return Collections.unmodifiableList(out);
    }

    private static <T> Gathering<T> gathering(String op, Collection<? extends Future<? extends T>> futures, boolean settled) {
        Objects.requireNonNull(futures, "futures");
        if (futures.isEmpty()) {
            return null;
        }
        EventLoopImpl loop = loop(op);
        @SuppressWarnings("unchecked")
        FutureImpl<? extends T>[] children = new FutureImpl[futures.size()];
        int i = 0;
        for (Future<? extends T> f : futures) {
            children[i++] = own(f, loop, op);
        }
        Gathering<T> g = new Gathering<>(loop, children, settled);
        g.start();
        return g;
    }

    /**
     * The outer future of a gather (Python's _GatheringFuture). Cancelling it cancels the
     * children. It ends <em>cancelled</em> (where Python sets a CancelledError as its exception)
     * when a child was cancelled without return_exceptions, or when its own cancellation was
     * requested; the caller sees the same CancelledException either way, and a task engine that
     * stopped the caller with a TaskGroup's interruption recognises a cancelled future as the
     * end of that interruption (with a failed one the caller would see a CancelledException
     * instead of the group's ExceptionGroup).
     */
    private static final class Gathering<T> extends FutureImpl<Object> implements Consumer<Future<?>>, AwaitLink {
        final FutureImpl<? extends T>[] children;
        private final boolean settled;
        private int remaining;
        private boolean cancelRequested;
        private String requestMessage;

        Gathering(EventLoopImpl loop, FutureImpl<? extends T>[] children, boolean settled) {
            super(loop);
            this.children = children;
            this.settled = settled;
        }

        void start() {
            // One registration per position (a future given twice is counted twice), so no
            // de-duplicating set is needed: the count reaches 0 when every position is done.
            remaining = children.length;
            for (FutureImpl<? extends T> c : children) {
                @SuppressWarnings("unchecked")
                FutureImpl<Object> co = (FutureImpl<Object>) c;
                co.addDoneCallback(this);
            }
        }

        @Override
        public boolean cancel(String msg) {
            if (isDone()) {
                return false;
            }
            boolean any = false;
            for (FutureImpl<? extends T> c : children) {
                if (c.cancel(msg)) {
                    any = true;
                }
            }
            if (any) {
                cancelRequested = true;
                requestMessage = msg;
            }
            return any;
        }

        /** Registered on every child: the tasks awaiting this gather await the children. */
        @Override
        public FutureImpl<?> awaiter() {
            return this;
        }

        @Override
        public String toString() {
            if (isDone()) {
                return super.toString();
            }
            int done = 0;
            for (FutureImpl<? extends T> c : children) {
                if (c.isDone()) {
                    done++;
                }
            }
            return "Future[pending gather, " + done + " of " + children.length + " done]";
        }

        @Override
        public void accept(Future<?> child) {
            FutureImpl<?> c = (FutureImpl<?>) child;
            remaining--;
            if (isDone()) {
                c.exceptionOrNull();          // mark it retrieved: gather already reported one
                return;
            }
            if (!settled) {
                if (c.isCancelled()) {
                    cancelFuture(c.cancelMessage());
                    return;
                }
                Throwable e = c.exceptionOrNull();
                if (e != null) {
                    fail(e);
                    return;
                }
            } else {
                c.exceptionOrNull();
            }
            if (remaining == 0) {
                if (cancelRequested) {
                    cancelFuture(requestMessage);
                    return;
                }
                if (settled) {
                    complete(null);
                } else {
                    List<Object> values = new ArrayList<>(children.length);
                    for (FutureImpl<? extends T> f : children) {
                        values.add(f.resultNow());
                    }
                    complete(Collections.unmodifiableList(values));
                }
            }
        }
    }

    // ------------------------------------------------------------------ wait

    /** asyncio.wait: does not cancel anything; on timeout returns what is done so far. */
    public static <F extends Future<?>> WaitResult<F> wait(Collection<F> futures, Long timeoutNanos, ReturnWhen when) {
        Objects.requireNonNull(futures, "futures");
        Objects.requireNonNull(when, "returnWhen");
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("wait: the set of futures is empty");
        }
        EventLoopImpl loop = loop("wait");
        LinkedHashSet<F> all = new LinkedHashSet<>();
        for (F f : futures) {
            own((Future<?>) f, loop, "wait");
            all.add(f);
        }
        if (!satisfied(all, when)) {
            FutureImpl<Void> waiter = new FutureImpl<>(loop);
            Consumer<Future<?>> onDone = new WaitWatch(waiter, all, when);
            TimerHandleImpl timer = null;
            if (timeoutNanos != null) {
                timer = loop.callAtNanos(EventLoopImpl.saturatedAdd(loop.now(), Math.max(0, timeoutNanos)), () -> {
                    if (!waiter.isDone()) {
                        waiter.complete(null);
                    }
                });
            }
            for (F f : all) {
                addCallback(f, onDone);
            }
            try {
                waiter.await();
            } finally {
                if (timer != null) {
                    timer.cancel();
                }
                for (F f : all) {
                    removeCallback(f, onDone);
                }
            }
        }
        LinkedHashSet<F> done = new LinkedHashSet<>(), pending = new LinkedHashSet<>();
        for (F f : all) {
            (f.isDone() ? done : pending).add(f);
        }
        return new WaitResult<>(Collections.unmodifiableSet(done), Collections.unmodifiableSet(pending));
    }

    /**
     * wait()'s callback on each future: completes the waiter the caller awaits, once satisfied.
     * (A class, not a record: removeDoneCallback compares callbacks with equals.)
     */
    private static final class WaitWatch implements Consumer<Future<?>>, AwaitLink {
        private final FutureImpl<Void> waiter;
        private final Set<? extends Future<?>> all;
        private final ReturnWhen when;

        WaitWatch(FutureImpl<Void> waiter, Set<? extends Future<?>> all, ReturnWhen when) {
            this.waiter = waiter;
            this.all = all;
            this.when = when;
        }

        @Override
        public void accept(Future<?> f) {
            if (!waiter.isDone() && satisfied(all, when)) {
                waiter.complete(null);
            }
        }

        @Override
        public FutureImpl<?> awaiter() {
            return waiter;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addCallback(Future<?> f, Consumer<Future<?>> cb) {
        ((Future) f).addDoneCallback(cb);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void removeCallback(Future<?> f, Consumer<Future<?>> cb) {
        ((Future) f).removeDoneCallback(cb);
    }

    private static boolean satisfied(Set<? extends Future<?>> all, ReturnWhen when) {
        int done = 0;
        for (Future<?> f : all) {
            if (f.isDone()) {
                done++;
                if (when == ReturnWhen.FIRST_COMPLETED) {
                    return true;
                }
                if (when == ReturnWhen.FIRST_EXCEPTION && !f.isCancelled() && ((FutureImpl<?>) f).state == FutureImpl.EXCEPTION) {
                    return true;
                }
            }
        }
        return done == all.size();
    }

    // ------------------------------------------------------------------ timeout / waitFor

    /**
     * asyncio.timeout / timeout_at: runs the body in the current task; at the deadline the task
     * is cancelled, and the cancellation this timeout caused leaves as AsyncTimeoutException.
     *
     * @param deadline loop time in nanoseconds, or null for no deadline
     */
    public static <T> T timeoutAt(Long deadline, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        TaskImpl<?> task = task("timeout");
        double when = deadline == null ? Double.POSITIVE_INFINITY : deadline / 1e9;
        return new TimeoutScope(task, when).enter(deadline == null ? NO_DEADLINE : deadline, body);
    }

    /**
     * asyncio.timeout_at with the body given the Timeout object.
     *
     * @param when the deadline in loop seconds, exactly as Timeout.when() is to report it
     *             (+infinity: none); not NaN
     */
    public static <T> T timeoutAtTime(double when, Object body) {
        Objects.requireNonNull(body, "body");
        TaskImpl<?> task = task("timeout");
        return new TimeoutScope(task, when).enter(TimeoutScope.nanosOf(when), body);
    }

    /** timeout with a relative delay in nanoseconds, the body given the Timeout object. */
    public static <T> T timeoutAfter(long delayNanos, Object body) {
        Objects.requireNonNull(body, "body");
        TaskImpl<?> task = task("timeout");
        long deadline = EventLoopImpl.saturatedAdd(task.loop.now(), delayNanos);
        return new TimeoutScope(task, deadline / 1e9).enter(deadline, body);
    }

    /** The class whose run() is a timeout's expiry, as a cancellation's origin names it. */
    static final String TIMEOUT_EXPIRY_CLASS = TimeoutScope.class.getName();

    /** No timer at all: the deadline of a timeout without one. */
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * One timeout region, and the {@link Timeout} its body may hold (Python's Timeout). States
     * (Python's names): ACTIVE from entry until the body ends or the deadline fires; EXPIRING
     * from the expiry callback (which cancelled the task) until the body ends; then EXPIRED, or
     * FINISHED when it never fired. Only ACTIVE may be rescheduled. Loop-confined: the body, the
     * expiry callback and any reschedule run on the loop's thread, one at a time.
     */
    private static final class TimeoutScope implements Timeout, Runnable {
        private static final int ACTIVE = 0, EXPIRING = 1, EXPIRED = 2, FINISHED = 3;
        private static final String[] NAMES = {"active", "expiring", "expired", "finished"};

        private final TaskImpl<?> task;
        private final EventLoopImpl loop;
        private int state = ACTIVE;
        private double when;
        private HandleImpl timer;

        TimeoutScope(TaskImpl<?> task, double when) {
            this.task = task;
            this.loop = task.loop;
            this.when = when;
        }

        static long nanosOf(double when) {
            return when == Double.POSITIVE_INFINITY ? NO_DEADLINE : EventLoopImpl.secondsToNanos(when);
        }

        /** The deadline fired: cancel the task (Python's Timeout._on_timeout). */
        @Override
        public void run() {
            timer = null;
            if (state == ACTIVE) {
                state = EXPIRING;
                task.cancel();
            }
        }

        private void schedule(long deadline) {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            if (deadline == NO_DEADLINE) {
                return;
            }
            if (deadline <= loop.now()) {
                // Already due: expire before the body's next suspension completes (Python's
                // Timeout.reschedule uses call_soon here), not after the timers' turn.
                HandleImpl soon = new HandleImpl(loop, this);
                loop.callSoonInternal(soon);
                timer = soon;
            } else {
                timer = loop.callAtNanos(deadline, this);
            }
        }

        @SuppressWarnings("unchecked")
        <T> T enter(long deadline, Object body) {
            int cancellingAtEntry = task.cancelling();
            schedule(deadline);
            T value;
            try {
                value = body instanceof Callable<?> c ? (T) c.call() : (T) ((Timeout.Body<?>) body).run(this);
            } catch (Throwable e) {
                boolean fired = exit();
                // Python's Timeout.__aexit__: the expiry's cancel request is withdrawn whatever the
                // body threw; the exception becomes a timeout only if it is the cancellation, and no
                // other request (from outside, an outer timeout, a TaskGroup) is left standing. A
                // TaskGroup's interruption is a cancellation for cleanup, never one to convert.
                boolean plain = isPlainCancellation(e) || task.isInterruptCancellation(e);
                if (fired && task.uncancel() <= cancellingAtEntry && plain) {
                    // Recorded as what leaves this task's asyncio4j call, so that an enclosing try-form
                    // TaskGroup's close() sees the body failing and cancels its children, also when
                    // the expiry reached a JDK call as an interrupt (nothing recorded it then).
                    throw task.noteEscaping(new AsyncTimeoutException("the timeout expired", e));
                }
                throw FutureImpl.rethrow(e);
            }
            if (exit()) {
                task.uncancel();
            }
            return value;
        }

        /** Ends the region: true if the deadline had fired. */
        private boolean exit() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            boolean fired = state == EXPIRING;
            state = fired ? EXPIRED : FINISHED;
            return fired;
        }

        @Override
        public double when() {
            return when;
        }

        @Override
        public void reschedule(double when) {
            if (Double.isNaN(when)) {
                throw new IllegalArgumentException("reschedule: when is NaN");
            }
            checkReschedule();
            this.when = when;
            schedule(nanosOf(when));
        }

        @Override
        public void reschedule(java.time.Duration delay) {
            if (delay == null) {
                reschedule(Double.POSITIVE_INFINITY);
                return;
            }
            checkReschedule();
            long deadline = EventLoopImpl.saturatedAdd(loop.now(), EventLoopImpl.durationToNanos(delay));
            this.when = deadline / 1e9;
            schedule(deadline);
        }

        private void checkReschedule() {
            loop.checkThread("Timeout.reschedule");
            if (state != ACTIVE) {
                throw new IllegalStateException("Cannot change state of " + NAMES[state] + " Timeout");
            }
        }

        @Override
        public boolean expired() {
            return state == EXPIRING || state == EXPIRED;
        }

        @Override
        public String toString() {
            if (state != ACTIVE) {
                return "Timeout[" + NAMES[state] + "]";
            }
            String w = when == Double.POSITIVE_INFINITY ? "none" : String.format(java.util.Locale.ROOT, "%.3f", when);
            return "Timeout[active when=" + w + "]";
        }
    }

    /** The cancellation a timeout's own task.cancel() produces: in an asyncio4j wait, or in a JDK call. */
    private static boolean isPlainCancellation(Throwable e) {
        return e instanceof CancelledException || e instanceof InterruptedException;
    }

    /** timeout with a relative delay in nanoseconds. */
    public static <T> T timeout(long delayNanos, Callable<T> body) {
        return timeoutAfter(delayNanos, body);
    }

    public static <T> Callable<T> callable(ThrowingRunnable r) {
        Objects.requireNonNull(r, "body");
        return () -> {
            r.run();
            return null;
        };
    }

    /**
     * asyncio.wait_for (3.12+): a timeout around awaiting the future. On the caller's
     * cancellation (or a TaskGroup's interruption) the inner is cancelled and the caller waits
     * for it to end, whenever the cancellation landed (the task engine's rule).
     *
     * <p>One departure from 3.12, as 3.11 did: when the inner finished in the same loop
     * iteration as the deadline (the expiry found it done, but the caller had not resumed yet),
     * its outcome is returned instead of AsyncTimeoutException, so a result (a connection, say)
     * is never dropped by a timeout that it met. A cancellation from outside in the same
     * iteration still wins (3.12's rule, gh-86296): the result then stays in the inner.
     */
    public static <T> T waitFor(Future<T> future, long timeoutNanos) {
        TaskImpl<?> task = task("waitFor");
        FutureImpl<T> f = own(future, task.loop, "waitFor");
        if (timeoutNanos <= 0 && f.isDone()) {
            return f.report();
        }
        try {
            return timeout(timeoutNanos, f::await);
        } catch (AsyncTimeoutException e) {
            if (f.isDone() && !f.isCancelled()) {
                return f.report();        // done before our expiry cancelled it: not a timeout
            }
            throw e;
        }
    }

    /** asyncio.wait_for(fut, None): awaits the future (the caller's cancellation cancels it). */
    public static <T> T waitFor(Future<T> future) {
        TaskImpl<?> task = task("waitFor");
        return own(future, task.loop, "waitFor").await();
    }

    // ------------------------------------------------------------------ shield

    /** asyncio.shield: the outer can be cancelled without cancelling the inner. */
    public static <T> Future<T> shield(Future<T> future) {
        EventLoopImpl loop = loop("shield");
        FutureImpl<T> inner = own(future, loop, "shield");
        if (inner.isDone()) {
            return inner;
        }
        FutureImpl<T> outer = new FutureImpl<>(loop);
        Consumer<Future<T>> innerDone = new ShieldRelay<>(inner, outer);
        inner.addDoneCallback(innerDone);
        outer.addDoneCallback(x -> {
            if (!inner.isDone()) {
                inner.removeDoneCallback(innerDone);
            }
        });
        return outer;
    }

    /** shield()'s callback on the inner: copies its outcome to the outer, which the caller awaits. */
    private static final class ShieldRelay<T> implements Consumer<Future<T>>, AwaitLink {
        private final FutureImpl<T> inner;
        private final FutureImpl<T> outer;

        ShieldRelay(FutureImpl<T> inner, FutureImpl<T> outer) {
            this.inner = inner;
            this.outer = outer;
        }

        @Override
        public void accept(Future<T> x) {
            if (outer.isDone()) {
                if (!inner.isCancelled()) {
                    inner.exceptionOrNull();
                }
                return;
            }
            if (inner.isCancelled()) {
                outer.cancelFuture(inner.cancelMessage());
            } else {
                Throwable e = inner.exceptionOrNull();
                if (e != null) {
                    outer.fail(e);
                } else {
                    outer.complete(inner.resultNow());
                }
            }
        }

        @Override
        public FutureImpl<?> awaiter() {
            return outer;
        }
    }

    // ------------------------------------------------------------------ asCompleted

    /** asyncio.as_completed: the given futures in the order they finish. */
    public static <F extends Future<?>> Iterable<F> asCompleted(Collection<F> futures, Long timeoutNanos) {
        Objects.requireNonNull(futures, "futures");
        EventLoopImpl loop = loop("asCompleted");
        LinkedHashSet<F> all = new LinkedHashSet<>();
        for (F f : futures) {
            own((Future<?>) f, loop, "asCompleted");
            all.add(f);
        }
        Long deadline = timeoutNanos == null ? null : EventLoopImpl.saturatedAdd(loop.now(), timeoutNanos);
        CompletionOrder<F> order = new CompletionOrder<>(loop, all, deadline);
        return () -> order;
    }

    private static final class CompletionOrder<F extends Future<?>> implements Iterator<F> {
        /** The callback on each future; the task iterating awaits {@code wakeup}. */
        private final class Arrival implements Consumer<Future<?>>, AwaitLink {
            @Override
            @SuppressWarnings("unchecked")
            public void accept(Future<?> f) {
                if (pending.remove(f)) {
                    done.addLast((F) f);
                    if (wakeup != null && !wakeup.isDone()) {
                        wakeup.complete(null);
                    }
                }
            }

            @Override
            public FutureImpl<?> awaiter() {
                return wakeup;
            }
        }

        private final EventLoopImpl loop;
        private final ArrayDeque<F> done = new ArrayDeque<>();
        private final Set<F> pending;
        private final Long deadline;
        private final Consumer<Future<?>> onDone;
        private int left;
        private FutureImpl<Void> wakeup;
        private TimerHandleImpl timer;
        private boolean timedOut;

        CompletionOrder(EventLoopImpl loop, Set<F> all, Long deadline) {
            this.loop = loop;
            this.pending = new LinkedHashSet<>(all);
            this.deadline = deadline;
            this.left = all.size();
            this.onDone = new Arrival();
            for (F f : all) {
                addCallback(f, onDone);
            }
            if (deadline != null && !all.isEmpty()) {
                timer = loop.callAtNanos(deadline, this::expire);
            }
        }

        private void expire() {
            timedOut = true;
            for (F f : pending) {
                removeCallback(f, onDone);
            }
            if (wakeup != null && !wakeup.isDone()) {
                wakeup.complete(null);
            }
        }

        @Override
        public boolean hasNext() {
            return left > 0;
        }

        @Override
        public F next() {
            if (left == 0) {
                throw new NoSuchElementException("asCompleted: every future was returned");
            }
            while (done.isEmpty()) {
                if (timedOut) {
                    throw new AsyncTimeoutException("asCompleted: " + pending.size() + " futures still pending at the deadline");
                }
                wakeup = new FutureImpl<>(loop);
                try {
                    wakeup.await();
                } finally {
                    wakeup = null;
                }
            }
            left--;
            if (left == 0 && timer != null) {
                timer.cancel();
            }
            return done.pollFirst();
        }
    }

    // ------------------------------------------------------------------ toThread

    /** asyncio.to_thread: the call runs on the default executor; cancelling interrupts it. */
    public static <T> T toThread(Callable<T> call) {
        Objects.requireNonNull(call, "call");
        TaskImpl<?> task = task("toThread");
        return task.loop.runInExecutor(null, call).await();
    }
}
