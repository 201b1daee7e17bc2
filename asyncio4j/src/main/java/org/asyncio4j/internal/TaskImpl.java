package org.asyncio4j.internal;

import java.util.Objects;
import java.util.concurrent.Callable;

import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.asyncio4j.ThrowingRunnable;
import org.asyncio4j.internal.carrier.TaskThreads;
import org.asyncio4j.internal.jfr.Jfr;

/**
 * A task: a future plus the virtual thread that runs its body.
 *
 * <h2>Implementation overview</h2>
 * The task is its own thread's scheduler. The JDK calls {@link #execute} with the thread's
 * continuation whenever the thread becomes runnable (start, unpark, end of a timed park, a
 * ready socket), from whichever thread caused it; the task then puts <em>itself</em> in its
 * loop's ready queue, and the loop runs it by running the continuation ({@link #run}). Because
 * the ready-queue entry is the task, the loop always knows which task runs, and from inside the
 * task {@link #current()} finds the task by reading the thread's scheduler: no thread-local.
 * A virtual thread started inside the task inherits the task as scheduler; its continuations
 * are recognised (they are not this thread's) and scheduled on the loop as plain runnables.
 *
 * <h2>Suspension points and cancellation</h2>
 * The task suspends in {@link #awaitDone} (waiting for a future), in {@link #sleep}, and in any
 * JDK blocking call. {@link #requestCancel} follows Python's {@code Task.cancel}: if the task
 * awaits a future it cancels that future, which wakes the task; otherwise it records
 * {@code mustCancel} and, so that a JDK blocking call (or the next one) notices, interrupts the
 * thread. Every asyncio4j suspension point calls {@link #deliverCancel()} on entry and on
 * resume, which throws the pending cancellation once. A cancellation that a JDK call already
 * consumed (it threw InterruptedException, which the body caught) is not delivered twice: the
 * interrupt we sent is gone, so {@code deliverCancel} knows it was delivered.
 *
 * <h2>Debug mode: where a cancellation came from</h2>
 * With the loop's debug mode on, every request records a {@link CancellationOrigin} (the
 * requester and its stack; captured by {@link #cancel(String)} on the requesting thread, before
 * a foreign thread's request is forwarded to the loop), and the CancelledException delivered
 * for it carries that origin: as its cause, or as a suppressed exception when it has a cause
 * already (a driver's exception). A future the request cancelled on the task's behalf (the one
 * it awaited) carries it as its cancellation's cause, so the exception the body sees there has it
 * too, and so does the task's own outcome for its awaiters. Without debug mode nothing is
 * captured: the only cost is a read of the debug flag per request.
 *
 * <h2>Introspection</h2>
 * {@link #toString()} of a pending task names what it waits for and the first frame of its
 * own code ({@link Frames}); the stack is walked only when toString is called.
 *
 * <h2>The carrier</h2>
 * How the thread is carried is {@link TaskThreads}'s business, in either mode: the task parks,
 * yields and wakes through it ({@code THREADS.park}, never {@code LockSupport.park}) and reads
 * its thread's state through it. In the fast mode the thread is a virtual thread whose
 * scheduler is the task, as described above; in the portable mode it is a virtual thread of the
 * JDK's default scheduler, and the continuation is a baton that gives it the loop's turn for one
 * step (a JDK blocking call then keeps the turn: it holds up the loop).
 *
 * <p>All fields but the inherited {@code state} are touched only on the loop thread (by the
 * loop, the task itself, or other tasks of the loop); toString and the task dump read
 * {@code waitingOn} and {@code sleeping} from other threads as a best effort.
 */
public final class TaskImpl<T> extends FutureImpl<T> implements Task<T>, TaskThreads.Scheduler, Runnable {

    private static final TaskThreads THREADS = TaskThreads.MODE;

    final Thread thread;
    private Runnable continuation;      // what the loop runs for a step: the JDK's runContinuation of `thread`
                                        // (fast mode, seen at start) or its baton (portable, bound at creation)
    private Object body;                // a Callable<T> or a ThrowingRunnable (no wrapper frame)
    private String name;                // also the thread's name

    // the loop's list of live tasks (the loop owns every live task strongly)
    TaskImpl<?> prevLive, nextLive;

    private boolean mustCancel;         // a request not yet delivered (true only with `cold` allocated)
    private boolean interruptSent;      // we interrupted the thread for the pending request
    private boolean interruptedForCancel;  // an interrupt was sent for a request still counted
    private FutureImpl<?> waitingOn;    // the future awaited in awaitDone
    private boolean sleeping;           // parked in sleep(): cancel wakes it directly
    private boolean timedParkCounted;   // virtual clock: parked in a JDK timed wait, counted as off-loop work
    private Cold cold;                  // the cancellation state, allocated on first need (see Cold)
    org.asyncio4j.Context context;      // the task's current context (Contexts); null: empty, nothing set yet

    /**
     * The fields a task uses only once it has been cancelled, been interrupted by a TaskGroup,
     * entered a cancellable() region, or had an exception leave through an asyncio4j call
     * ({@link #noteEscaping}): allocated by {@link #cold()} on the first such event and kept
     * from then on (its fields go back to null and 0, the object stays). A task that never
     * meets one pays a null reference; the hot path reads {@code cold != null && ...}.
     */
    private static final class Cold {
        int cancelRequests;             // cancel() minus uncancel()
        Region region;                  // the innermost cancellable() region the body is in
        String requestMessage;
        Throwable override;             // thrown instead of CancelledException (TaskGroup)
        Runnable onOverrideDelivered;
        Throwable deliveredOverride;    // the last override thrown, while its group runs
        Runnable deliveredHook;
        Throwable escaping;             // what the last stop or group exit threw (see noteEscaping)
        Throwable cancelOrigin;         // debug mode: where the latest standing cancel request was made
    }

    /**
     * @param name   the task's name, or null for {@code Task-<number>}; the thread carries it too
     *               (log lines and thread dumps name the task), and follows {@link #setName}
     * @param number the loop's task counter
     */
    TaskImpl(EventLoopImpl loop, Object body, String name, int number) {
        super(loop);
        this.body = body;
        String n = name != null ? name : "Task-" + number;
        this.name = n;
        this.thread = THREADS.newThread(this, n, BODY);
    }

    /** Every task thread's body: one shared Runnable instead of a lambda per task (16 B each). */
    private static final Runnable BODY = () -> current().runBody();

    /** The task running on the current thread, or null. */
    public static TaskImpl<?> current() {
        if (THREADS.currentScheduler() instanceof TaskImpl<?> task && task.thread == Thread.currentThread()) {
            return task;
        }
        return null;
    }

    /** The cancellation state, allocated now if this is its first use. */
    private Cold cold() {
        Cold c = cold;
        if (c == null) {
            c = new Cold();
            cold = c;
        }
        return c;
    }

    /** The standing request's message (null: none, or the request gave none). */
    private String requestMessage() {
        Cold c = cold;
        return c != null ? c.requestMessage : null;
    }

    /** The pending TaskGroup interruption thrown instead of a CancelledException, or null. */
    private Throwable override() {
        Cold c = cold;
        return c != null ? c.override : null;
    }

    // ------------------------------------------------------------------ scheduling

    void start() {
        THREADS.start(thread, continuation);
    }

    /** What the loop runs for this task's step (see the field). */
    Runnable continuation() {
        return continuation;
    }

    /** The portable mode's baton, given when the thread is made. */
    @Override
    public void bind(Runnable continuation) {
        this.continuation = continuation;
    }

    /**
     * The carrier hands us a continuation to run (ours, or in the fast mode one of a virtual
     * thread started inside the task); never blocks, never runs it, never throws.
     */
    @Override
    public void execute(Runnable command) {
        if (loop.eagerStarting == this) {
            // Our start() is under way, eagerly: EventLoopImpl.startEagerly places the first
            // step. (Checked first: in the portable mode the continuation is bound already.)
            if (continuation == null) {
                continuation = command;
            }
            return;
        }
        if (continuation == null) {
            continuation = command;       // the first call comes from Thread.start(), in start()
        } else if (loop.eagerCreator == this && command == continuation) {
            loop.eagerCreatorYielded();   // we yielded in startEagerly: our child's step runs next, then ours
            return;
        }
        loop.schedule(command == continuation ? this : command);
    }

    /**
     * Runs the task until it next suspends (the loop calls this for our ready-queue entry).
     * Under the virtual clock, a step that ends in a JDK timed park (Thread.sleep, parkNanos,
     * poll with a timeout; asyncio4j's own await and sleep park untimed) counts as off-loop work
     * until the task runs again: that park ends in real time, so loop time must follow real
     * time meanwhile instead of jumping over it to the next timer. An untimed JDK park is not
     * counted: it may wait for another task, which in turn may wait for a timer.
     */
    @Override
    public void run() {
        if (timedParkCounted) {
            timedParkCounted = false;
            loop.offLoopEnded();
        }
        continuation.run();
        if (loop.virtualClock && waitingOn == null && !sleeping && THREADS.state(thread, continuation) == Thread.State.TIMED_WAITING) {
            timedParkCounted = true;
            loop.offLoopStarted();
        }
    }

    void wake() {
        THREADS.unpark(thread, continuation);
    }

    /** The current task (the caller is one) goes to the back of the ready queue: Thread.yield in the fast mode. */
    private static void yieldCurrent() {
        THREADS.yieldNow(current().continuation);
    }

    @SuppressWarnings("unchecked")
    private void runBody() {
        Object b = body;
        body = null;
        T value = null;
        Throwable failure = null;
        boolean returned = false;
        try {
            deliverCancel();              // a task cancelled before it started never runs its body
            if (b instanceof Callable<?>) {   // first: an Asyncio.Call is both, and its value counts
                value = ((Callable<T>) b).call();
            } else {
                ((ThrowingRunnable) b).run();
            }
            returned = true;
        } catch (Throwable t) {
            failure = t;
            PortingHints.note(t);
        }
        finish(returned, value, failure);
    }

    private void finish(boolean returned, T value, Throwable failure) {
        waitingOn = null;
        boolean pendingInterrupt = Thread.interrupted();
        if (returned) {
            // A request not yet delivered when the body returns still cancels the task (Python);
            // one whose interrupt a JDK call consumed was delivered, and the body chose to return.
            if (mustCancel && (!interruptSent || pendingInterrupt)) {
                cancelFuture(requestMessage(), cancelOrigin());   // debug mode: awaiters get the origin as cause
            } else {
                complete(value);
            }
        } else if (failure instanceof CancelledException c) {
            // If it carries something (a TaskGroup's failures), it is the cause awaiters get; else
            // its cause is (e.g. the driver's exception cancellable() attached).
            cancelFuture(c.getMessage(), carriesSuppressed(c) ? c : c.getCause());
        } else if (cancelling() > 0 && (failure instanceof InterruptedException || isInterruptCancellation(failure, pendingInterrupt))) {
            // A JDK call (or a library over one) turned the cancellation's interrupt into its
            // own exception: the task ends cancelled, with that exception as the cause.
            // (Debug mode: an InterruptedException leaves the origin as the cause.)
            cancelFuture(requestMessage(), failure instanceof InterruptedException ? cancelOrigin() : failure);
        } else {
            fail(failure);
        }
        mustCancel = false;
        loop.taskDone(this);
    }

    // ------------------------------------------------------------------ suspension points

    /*
     * Parked frames and the JIT. A million tasks parked in awaitDone are a million frames of one
     * compiled method, suspended after its park. The JIT compiles it while they park, when its
     * profile has seen the wait loop's condition only true: with one condition for entering and
     * re-checking the loop (a while loop), C2 left the exit path out of the code, as never taken,
     * behind an uncommon trap. Every frame that woke hit that trap and was deoptimized, one by
     * one: about 4 million deoptimizations in 4 rounds of 1,000,000 tasks woken from one Event,
     * 11-70 us per task instead of ~2 (JFR's jdk.Deoptimization, reason unstable_if, at the
     * loop's condition). So the wait loops below check before the first park in one bytecode
     * and after each park in another (if + do-while): the second has no profile while tasks
     * only park, and the JIT compiles both of its paths. MillionTasks in the benchmarks measures it.
     */

    /** Suspends this task (the current thread) until {@code f} is done. */
    void awaitDone(FutureImpl<?> f) {
        if (f == this) {
            throw new IllegalStateException("Task cannot await on itself: " + this);
        }
        if (mustCancel && (!interruptSent || thread.isInterrupted()) && f.state == PENDING && f.cancelCarrying(requestMessage(), cancelOrigin())) {
            // Python's Task.__step: a cancellation requested while the task ran (it cancelled
            // itself, or code it called did) cancels the future it then awaits; the wait ends
            // with that future's cancellation, which is the request's delivery. (A request whose
            // interrupt a JDK call consumed was delivered already and is left to deliverCancel.)
            mustCancel = false;
            if (interruptSent) {
                Thread.interrupted();
                interruptSent = false;
            }
        }
        enterSuspension(f);
        waitingOn = f;
        f.addWaiter(this);
        try {
            // The check before the first park and the one after each park are two bytecodes on
            // purpose (see "Parked frames and the JIT" above): the second runs only on a wake-up.
            if (f.state == PENDING) {
                do {
                    THREADS.park(continuation, f);
                    if (Thread.interrupted() && !dropStaleInterrupt()) {
                        requestCancelOnInterrupt();       // someone interrupted us: a cancel request
                    }
                } while (f.state == PENDING);
            }
        } finally {
            waitingOn = null;
        }
        if (mustCancel) {
            f.markRetrieved();            // as Python's __wakeup reads the result first
            deliverCancel();
        } else if (cold != null && cold.override != null && f.state == CANCELLED) {
            throwOverride();
        }
    }

    /** Suspends this task for {@code nanos} of loop time; 0 or less yields once. */
    void sleep(long nanos) {
        enterSuspension(null);
        if (nanos <= 0) {
            THREADS.yieldNow(continuation);
            deliverCancel();
            return;
        }
        SleepTimer timer = loop.scheduleSleep(nanos, this);
        sleeping = true;
        try {
            if (!timer.fired && !mustCancel) {            // two checks, as in awaitDone
                do {
                    THREADS.park(continuation, timer);
                    if (Thread.interrupted() && !dropStaleInterrupt()) {
                        requestCancelOnInterrupt();       // someone interrupted us: a cancel request
                    }
                } while (!timer.fired && !mustCancel);
            }
        } finally {
            sleeping = false;
            if (!timer.fired) {
                timer.cancel();
            }
        }
        deliverCancel();
    }

    /**
     * The entry of every asyncio4j suspension point: delivers a pending cancellation, drops the
     * escaping record (the task went on to wait again: nothing is leaving its body), and tells
     * the test probe, if one is installed, about the wait for {@code what} (null: a sleep).
     */
    private void enterSuspension(FutureImpl<?> what) {
        deliverCancel();
        Cold c = cold;
        if (c != null && c.escaping != null) {
            c.escaping = null;
        }
        SuspensionProbe.Listener probe = SuspensionProbe.listener;
        if (probe != null) {
            probe.atSuspension(this, what);
            deliverCancel();
        }
    }

    /** An interrupt left over from a request that uncancel() withdrew: true if it was one. */
    private boolean dropStaleInterrupt() {
        if (interruptSent && !mustCancel) {
            interruptSent = false;
            return true;
        }
        return false;
    }

    /** Throws the pending cancellation, once; called by the task itself at suspension points. */
    void deliverCancel() {
        boolean interrupted = Thread.interrupted();
        if (mustCancel) {
            boolean consumedByJdkCall = interruptSent && !interrupted;
            mustCancel = false;
            interruptSent = false;
            if (!consumedByJdkCall) {
                if (override() != null) {
                    throwOverride();
                }
                throw noteEscaping(withOrigin(new CancelledException(requestMessage())));
            }
        } else if (interrupted && !dropStaleInterrupt()) {
            Cold c = cold();
            c.cancelRequests++;                           // an interrupt from outside: a cancel
            c.cancelOrigin = loop.getDebug() ? CancellationOrigin.interrupt() : null;
            throw noteEscaping(withOrigin(new CancelledException(null)));
        }
    }

    /** Throws the pending override (there is one: {@code cold} is allocated). */
    private void throwOverride() {
        Cold c = cold;
        Throwable t = c.override;
        Runnable hook = c.onOverrideDelivered;
        c.override = null;
        c.onOverrideDelivered = null;
        c.deliveredOverride = t;
        c.deliveredHook = hook;
        if (hook != null) {
            hook.run();
        }
        noteEscaping(t);
        throw rethrow(t);
    }

    /**
     * Records {@code t} as the exception that an asyncio4j call of this task is throwing: a
     * delivered cancellation or group interruption, a nested TaskGroup's failure, a timeout.
     * A try-form TaskGroup's {@code close()} cannot see the exception leaving its body; it reads
     * this record instead. The record holds until the task reaches its next suspension point
     * (an exception that is still leaving the body has not let the task wait again) or opens a
     * group. Loop thread, this task only. Null clears the record, and allocates nothing: every
     * TaskGroup clears it when it opens.
     *
     * @return {@code t}
     */
    public <X extends Throwable> X noteEscaping(X t) {
        if (t != null) {
            cold().escaping = t;
        } else if (cold != null) {
            cold.escaping = null;
        }
        return t;
    }

    /** The exception recorded by {@link #noteEscaping}, or null. */
    public Throwable escaping() {
        Cold c = cold;
        return c != null ? c.escaping : null;
    }

    /** Withdraws {@code g}, pending or delivered: its group is done. */
    public void clearOverride(Throwable g) {
        Cold c = cold;
        if (c == null) {
            return;                       // nothing pending or delivered
        }
        if (c.override == g) {
            c.override = null;
            c.onOverrideDelivered = null;
        }
        if (c.deliveredOverride == g) {
            c.deliveredOverride = null;
            c.deliveredHook = null;
        }
    }

    /**
     * Python 3.13's "uncancel and re-cancel": keeps the count as it is and makes a counted
     * cancellation pending again, so a request from outside that a TaskGroup consumed still
     * ends the task cancelled. If the last request delivered was an enclosing try-form group's
     * interruption whose group still runs, that interruption is what is re-armed (a plain
     * cancellation would end the enclosing statement cancelled though nobody cancelled the
     * task). No-op when nothing is counted.
     */
    public void recancel() {
        if (cancelling() > 0) {
            Cold c = cold;
            Throwable again = c.deliveredOverride;
            Runnable hook = c.deliveredHook;
            Throwable origin = c.cancelOrigin;  // the request re-armed keeps where it came from
            uncancel();
            requestCancel(null, again, hook, origin);
        }
    }

    /**
     * True if {@code t} is what a JDK call, or a library over one, made of the interrupt that a
     * cancellation of this task still counted (not withdrawn by {@code uncancel}) sent: an
     * interrupt-caused exception ({@link Cancellation#isInterruptCaused}) while such an
     * interrupt was sent. Such an exception is that cancellation, delivered.
     */
    public boolean isInterruptCancellation(Throwable t) {
        return isInterruptCancellation(t, Thread.currentThread() == thread && thread.isInterrupted());
    }

    /** {@link #isInterruptCancellation}, told whether the interrupt is still pending on the thread. */
    private boolean isInterruptCancellation(Throwable t, boolean interruptPending) {
        return cancelling() > 0 && interruptedForCancel && Cancellation.isInterruptCaused(t, interruptPending);
    }

    /**
     * If {@link #isInterruptCancellation} holds for {@code t}, marks the pending request
     * delivered (clearing the interrupt a socket call leaves set) and returns true. Called by
     * the task itself where it judges what its body threw (a TaskGroup's or a timeout's exit).
     */
    public boolean takeInterruptCancellation(Throwable t) {
        if (!isInterruptCancellation(t)) {
            return false;
        }
        mustCancel = false;
        if (interruptSent) {
            interruptSent = false;
            if (Thread.currentThread() == thread) {
                Thread.interrupted();
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ cancellable regions

    /** A {@code cancellable(onCancel, call)} region: its hook, and the region it is nested in. */
    private static final class Region {
        final ThrowingRunnable hook;
        final Region outer;
        boolean fired;                    // a hook was started: the call's end delivers the request
        boolean hookRunning;              // its helper task has not ended yet

        Region(ThrowingRunnable hook, Region outer) {
            this.hook = hook;
            this.outer = outer;
        }
    }

    /**
     * Runs {@code call} in this task (the current thread) as a cancellable region: a cancellation
     * that lands while the call is blocked in a JDK call runs {@code onCancel} instead of
     * interrupting the thread; when the call then ends, however it ends, the task's pending
     * cancellation is thrown with the call's exception, if any, as its cause.
     */
    public <T> T cancellable(ThrowingRunnable onCancel, Callable<T> call) throws Exception {
        deliverCancel();                  // a cancellation already pending: the call never starts
        Cold k = cold();
        Region r = new Region(onCancel, k.region);
        k.region = r;
        T value = null;
        Throwable failure = null;
        try {
            value = call.call();
        } catch (Throwable t) {
            failure = t;
        } finally {
            k.region = r.outer;
        }
        if (r.fired && mustCancel) {
            // The hook ran for a cancellation that still stands: the call's end, however the
            // library made it end, is that cancellation's delivery.
            Thread.interrupted();         // what is left of a fallback interrupt
            mustCancel = false;
            interruptSent = false;
            if (k.override != null) {
                // The group's interruption, without the call's exception: that is what the hook
                // made of the call ("canceling statement"), and attached to the group an
                // enclosing TaskGroup.run would count it as a failure of its body.
                throwOverride();
            }
            CancelledException c = new CancelledException(k.requestMessage);
            if (failure != null) {
                c.initCause(failure);
            }
            throw noteEscaping(withOrigin(c));
        }
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure != null) {
            throw (Error) failure;
        }
        return value;
    }

    /**
     * Runs the region's hook in a helper task of this loop (so a hook that does blocking I/O,
     * as JDBC's {@code Statement.cancel()} does, is cooperative). A hook that throws is
     * reported to the loop's exception handler, and the cancellation falls back to the
     * interrupt, so it still lands.
     */
    private void fireRegion(Region r) {
        r.fired = true;
        r.hookRunning = true;
        loop.spawn((ThrowingRunnable) () -> {   // never eager: cancel() is not a suspension point
            try {
                while (mustCancel && state == PENDING && isIn(r) && THREADS.state(thread, continuation) == Thread.State.RUNNABLE) {
                    // The task is queued to run (woken from another thread, its wake-up not yet
                    // drained from the inbox): let it reach its blocking call first. A library's
                    // cancel that finds no call running is dropped (PostgreSQL ignores a cancel
                    // request for an idle connection), and the call would then block for good.
                    yieldCurrent();
                }
                if (!mustCancel || state != PENDING || !isIn(r)) {
                    // The hook is the library's cancel of whatever the connection runs now: once
                    // the region has ended (the call returned before this task ran) the task may
                    // be in its next query, and a withdrawn request (uncancel) cancels nothing.
                    return;
                }
                r.hook.run();
            } catch (Throwable e) {
                if (!Cancellation.isCancellationHere(e)) {   // this hook task cancelled (at shutdown): no failure of the hook
                    loop.callExceptionHandler(new org.asyncio4j.ExceptionContext(
                            "cancellable(): the onCancel hook of " + this + " failed; interrupting it instead", e, this, null));
                }
                if (mustCancel && state == PENDING && isIn(r)) {
                    sendInterrupt();
                }
            } finally {
                r.hookRunning = false;
            }
        }, "cancel-hook:" + name, false);
    }

    private boolean isIn(Region r) {
        Cold c = cold;
        for (Region x = c != null ? c.region : null; x != null; x = x.outer) {
            if (x == r) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ cancellation

    @Override
    public boolean cancel(String msg) {
        if (!loop.getDebug()) {
            return loop.confined(this, msg, (t, m) -> t.requestCancel(m, null), FutureImpl::cancelFromOtherThread);
        }
        // Debug mode: where the request is made, on the requesting thread (a foreign thread's
        // request runs on the loop later, where its own stack would be lost).
        CancellationOrigin origin = CancellationOrigin.capture(this);
        return loop.confined(this, msg, (t, m) -> t.requestCancel(m, null, null, origin), (t, m) -> t.forwardCancel(m, origin));
    }

    /** Debug mode's {@link FutureImpl#cancelFromOtherThread}, keeping the origin captured on the caller's thread. */
    private boolean forwardCancel(String msg, Throwable origin) {
        if (state != PENDING) {
            return false;
        }
        try {
            loop.callSoonThreadsafe(() -> requestCancel(msg, null, null, origin));
        } catch (IllegalStateException closed) {
            return false;
        }
        return true;
    }

    /**
     * Python's Task.cancel. With an {@code override}, the task's body sees that exception
     * instead of a CancelledException, and {@code onDelivered} runs when it is thrown.
     */
    boolean requestCancel(String msg, Throwable override) {
        return requestCancel(msg, override, null);
    }

    public boolean requestCancel(String msg, Throwable override, Runnable onDelivered) {
        return requestCancel(msg, override, onDelivered, loop.getDebug() ? CancellationOrigin.capture(this) : null);
    }

    /** An interrupt of the task's thread that nobody sent for a request: a cancel request. */
    private void requestCancelOnInterrupt() {
        requestCancel(null, null, null, loop.getDebug() ? CancellationOrigin.interrupt() : null);
    }

    /** @param origin debug mode: where the request was made; null otherwise */
    private boolean requestCancel(String msg, Throwable override, Runnable onDelivered, Throwable origin) {
        if (state != PENDING) {
            return false;
        }
        if (Jfr.taskCancelledOn()) {
            TaskImpl<?> by = current();
            Jfr.taskCancelled(name, by != null ? by.name : Thread.currentThread().getName(), msg, loop.name());
        }
        Cold c = cold();
        c.cancelRequests++;
        c.cancelOrigin = origin;          // the latest request's, as the message is
        if (override != null) {
            c.override = override;
            c.onOverrideDelivered = onDelivered;
        }
        FutureImpl<?> w = waitingOn;
        if (w != null && w != this && w.cancelCarrying(msg, origin)) {   // it carries the origin to its awaiters
            return true;                  // the awaited future's end wakes us
        }
        mustCancel = true;
        c.requestMessage = msg;
        if (sleeping) {
            wake();
        } else if (w == null && c.region != null && !loop.isClosed()) {
            // cancellable(): its hook ends the call, never an interrupt (that would close the
            // connection the hook protects), also for a second request (a timeout and a group
            // at once). One hook at a time: a request while none runs starts one (the library's
            // cancel may have been lost, say sent before its query reached the server). A task
            // left behind by a closed loop gets the interrupt: no hook task can run there.
            if (!c.region.hookRunning) {
                fireRegion(c.region);
            }
        } else if (w == null && override == null && (!interruptSent || !thread.isInterrupted())) {
            // Running, ready, or blocked in a JDK call: the interrupt reaches JDK blocking calls.
            // Sent again if a JDK call already consumed the previous one (a second request must
            // not be lost). A TaskGroup's request (with an override) is not sent this way: the
            // JDK call would throw InterruptedException instead of the group; the body gets the
            // group at its next asyncio4j suspension point (or in close()).
            sendInterrupt();
        }
        return true;
    }

    // ------------------------------------------------------------------ debug mode: cancellation origins

    /**
     * Debug mode: where the standing cancellation request was made (a {@link CancellationOrigin}),
     * or null (no request standing, or debug mode off when it was made).
     */
    public Throwable cancelOrigin() {
        Cold c = cold;
        return c != null ? c.cancelOrigin : null;
    }

    /** Attaches the standing request's origin, if any: as the cause, or suppressed when there is one. */
    private CancelledException withOrigin(CancelledException c) {
        Throwable o = cancelOrigin();
        if (o != null) {
            if (c.getCause() == null) {
                c.initCause(o);
            } else {
                c.addSuppressed(o);
            }
        }
        return c;
    }

    /** True if {@code c} has suppressed exceptions besides the standing request's origin. */
    private boolean carriesSuppressed(CancelledException c) {
        Throwable[] s = c.getSuppressed();
        Throwable o = cancelOrigin();
        return s.length > (o != null && java.util.Arrays.asList(s).contains(o) ? 1 : 0);
    }

    /**
     * The CancelledException an awaiter of this cancelled task gets carries the origin too: as
     * its cause already (the body's exception had it as cause), or else as suppressed, beside
     * the cause the task kept (the driver's exception of a cancellable() call).
     */
    void attachOriginForAwaiter(CancelledException c) {
        Throwable o = cancelOrigin();
        Throwable by = cancelCause();
        if (o != null && o != by && !(by != null && java.util.Arrays.asList(by.getSuppressed()).contains(o))) {
            c.addSuppressed(o);
        }
    }

    private void sendInterrupt() {
        interruptSent = true;
        interruptedForCancel = true;
        thread.interrupt();
    }

    @Override
    public int cancelling() {
        Cold c = cold;
        return c != null ? c.cancelRequests : 0;
    }

    @Override
    public int uncancel() {
        Cold c = cold;
        if (c != null && c.cancelRequests > 0 && --c.cancelRequests == 0) {
            c.cancelOrigin = null;
            mustCancel = false;
            interruptedForCancel = false;
            c.override = null;
            c.onOverrideDelivered = null;
            if (interruptSent && Thread.currentThread() == thread) {
                Thread.interrupted();
                interruptSent = false;
            }
        }
        return cancelling();
    }

    // ------------------------------------------------------------------ Future overrides

    @Override
    public void setResult(T value) {
        throw new IllegalStateException("Task does not support setResult: its result is its body's");
    }

    @Override
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        throw new IllegalStateException("Task does not support setException: its exception is its body's");
    }

    // ------------------------------------------------------------------ Task

    @Override
    public String getName() {
        return name;
    }

    @Override
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
        thread.setName(name);
    }

    /**
     * The stack, as the introspection reads it too ({@code toString}, the call graph, the task
     * dump); a task queued to run (woken, not yet resumed) has its stack left unread (empty):
     * the JDK reads an unmounted thread's stack by holding it still, and then queues a runnable
     * one once more, since its run may have been skipped meanwhile; a second queue entry would
     * let the task resume ahead of its turn later. The current task, and the one whose step the
     * loop runs, are read (that walk holds nothing still).
     */
    @Override
    public StackTraceElement[] getStack() {
        if (isDone()) {
            return new StackTraceElement[0];
        }
        if (Thread.currentThread() != thread && loop.current != this && THREADS.state(thread, continuation) == Thread.State.RUNNABLE) {
            return new StackTraceElement[0];
        }
        return thread.getStackTrace();
    }

    /** The task's id: its thread's id, unique in the JVM and the one thread dumps show. */
    public long id() {
        return thread.threadId();
    }

    /**
     * What a pending task waits for, given its stack: the future it awaits (a task by its short
     * form, never recursively), {@code sleep}, or the JDK call it is blocked in
     * ({@code Thread.sleep}, {@code LinkedBlockingQueue.take}; with {@code nameJdkCall} false,
     * just {@code JDK call}); null if it is not waiting (running, or ready to run).
     */
    String waitingFor(StackTraceElement[] stack, boolean nameJdkCall) {
        FutureImpl<?> w = waitingOn;
        if (w != null && !w.isDone()) {   // a done one woke the task: it is queued to run
            return w instanceof TaskImpl<?> t ? t.shortString() : w.toString();
        }
        if (sleeping) {
            return "sleep";
        }
        Thread.State s = THREADS.state(thread, continuation);
        if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED) {
            StackTraceElement entry = nameJdkCall ? Frames.entryFrame(stack) : null;
            if (entry != null) {
                return Frames.shortMethod(entry);
            }
            return s == Thread.State.BLOCKED ? "monitor" : "JDK call";   // BLOCKED: entering a synchronized block
        }
        return null;
    }

    /** {@code Task[pending name=x]}: no stack walk. */
    String shortString() {
        return "Task[" + describeState() + " name=" + getName() + "]";
    }

    /**
     * {@code Task[pending name=fetch-3 waiting=Future[pending] at Crawler.fetch(Crawler.java:41)]}:
     * what a pending task waits for and the first frame of its own code (one stack walk, here
     * only; none for a task queued to run: see {@link #getStack}); a done task as
     * {@code Task[finished result=42 name=fetch-3]}, {@code cancelled}, {@code finished exception=...}.
     */
    @Override
    public String toString() {
        if (state != PENDING) {
            return shortString();
        }
        StackTraceElement[] stack = getStack();
        StringBuilder sb = new StringBuilder("Task[pending name=").append(name);
        String w = waitingFor(stack, true);
        if (w != null) {
            sb.append(" waiting=").append(w);
        }
        StackTraceElement at = Frames.firstUserFrame(stack);
        if (at != null) {
            sb.append(" at ").append(Frames.shortFrame(at));
        }
        return sb.append(']').toString();
    }
}
