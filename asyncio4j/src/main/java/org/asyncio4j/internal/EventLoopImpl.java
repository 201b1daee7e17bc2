package org.asyncio4j.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.asyncio4j.internal.carrier.Signals;
import org.asyncio4j.EventLoop;
import org.asyncio4j.ExceptionContext;
import org.asyncio4j.ExceptionHandler;
import org.asyncio4j.Future;
import org.asyncio4j.Handle;
import org.asyncio4j.LoopStatistics;
import org.asyncio4j.Task;
import org.asyncio4j.ThrowingRunnable;
import org.asyncio4j.TimerHandle;
import org.asyncio4j.internal.carrier.TaskThreads;
import org.asyncio4j.internal.jfr.Jfr;

/**
 * The event loop engine: ready queue, inbox, timers, clock, idle wait, close.
 *
 * <h2>Implementation overview</h2>
 * <dl>
 *   <dt>Ready queue</dt>
 *   <dd>One platform thread (the <em>owner</em>, whoever calls runForever) drains one
 *       {@code ArrayDeque} touched only by it. An entry is a {@link HandleImpl} (a callback), a
 *       {@link TaskImpl} (run its continuation: one task step) or a raw Runnable (a
 *       continuation of a virtual thread started inside a task). {@link #runItem} runs one,
 *       timed in debug mode (the sampler is {@link DebugWatch}).</dd>
 *   <dt>Inbox</dt>
 *   <dd>Every other thread appends to a lock-free {@code ConcurrentLinkedQueue}, drained into
 *       the deque at the top of each iteration, and wakes the owner if it sleeps
 *       ({@link #schedule}).</dd>
 *   <dt>Timers</dt>
 *   <dd>A {@link TimerHeap} keyed by (deadline, sequence), loop-confined; a cancelled timer
 *       leaves it at once on the loop thread, through the inbox from elsewhere.</dd>
 *   <dt>Clock</dt>
 *   <dd>{@code System.nanoTime} from a process-wide origin, or a virtual clock that jumps to the
 *       next timer when nothing can happen before it: nothing ready, no I/O waited for, the
 *       inbox empty, and no off-loop work in flight ({@link #offLoopStarted}: executor calls in
 *       {@link DefaultExecutor}, pumps, wrapped futures, tasks in a JDK timed park). With work
 *       in flight, virtual time follows real time. A test can turn the jumps off and step the
 *       clock by hand ({@link #setAutoAdvance}, {@link #advanceVirtualTime}: asyncio4j-test's
 *       TestClock).</dd>
 *   <dt>Idle</dt>
 *   <dd>With nothing ready, the owner parks (or selects, once a socket is waited for:
 *       {@link IoPoller}) until the next timer or an inbox wake-up ({@link #idle}).</dd>
 *   <dt>Observability</dt>
 *   <dd>Counters ({@link #statistics}) are plain fields written by the loop thread; other
 *       threads read them racily, which statistics allow. Loop lag costs one clock read per
 *       turn that fires timers, none otherwise: the due timers are moved to the end of the
 *       ready batch, so the clock is read once the entries ahead of them have run, just
 *       before the first of them. Steps are timed (two clock reads each) only while debug mode
 *       is on or a JFR recording enables {@code SlowStep}, so {@code longestStep} covers those
 *       steps only; debug mode's sampler ({@link DebugWatch}) runs then too, so a SlowStep
 *       event carries the stack the task held the loop with. The JFR checks while disabled are
 *       a static volatile read each
 *       ({@link Jfr}). A loop that has run is in {@link LoopRegistry} (the JMX MBean, the
 *       periodic {@code LoopLag} event) until it closes.</dd>
 *   <dt>Close</dt>
 *   <dd>{@link #cancelAllTasks} cancels the live tasks and runs the loop until they end, for at
 *       most the shutdown timeout of loop time (refusers are reported and left behind); then
 *       every unread failure is reported once ({@link FutureImpl.Unretrieved}); then the queues
 *       and timers are dropped, the selector closed, the default executor shut down, and every
 *       cross-thread waiter of dropped work released ({@link #onClose}).</dd>
 *   <dt>Eager start</dt>
 *   <dd>An eager task's first step runs inside createTask ({@link #startEagerly}): inline from
 *       a callback; from a task, the creator yields and {@link #runNext} puts the child, then
 *       the creator, at the head of the deque, counted in {@code front} so that they run before
 *       the rest of the turn's entries. Unused, it costs a read of {@code front} per entry and
 *       of {@code eagerCreator} per task wake-up.</dd>
 * </dl>
 * One iteration ({@link #runOnce}):
 * <ol>
 *   <li>drain the inbox;</li>
 *   <li>if nothing is ready, park until the next timer or an inbox wake-up;</li>
 *   <li>move due timers, in (deadline, sequence) order, to the ready queue;</li>
 *   <li>run the entries that were ready at that point, in order (later ones wait a turn).</li>
 * </ol>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Loop confinement: the deque, the timer heap and every task's and future's state are
 *       touched only by the loop's thread (directly or through a task it carries): while the
 *       loop runs, {@code owner}; while it is idle, {@code home}, the thread that created it or
 *       last ran it (a home thread that has ended passes the loop to the next thread that
 *       touches it). Running an idle loop (runForever, runUntilComplete, cancelAllTasks,
 *       close) makes the caller its home: {@link #takeOver}. Every other thread reaches loop
 *       state only through the inbox, whether the loop runs or not: its cancels are forwarded
 *       ({@link #confined}), its confined calls throw ({@link #checkThread}). The only writes
 *       a foreign thread makes directly are volatile request flags the loop polls
 *       ({@code stopping}, a handle's {@code cancelled}). "On the loop" is decided by comparing
 *       the current carrier thread with {@code owner}.</li>
 *   <li>Wake-ups never block, never run inline, never throw: {@link #schedule} only appends.
 *       Once the loop is closed, late continuations go to an orphan executor of platform
 *       threads, so the threads they belong to can finish; a late callback is dropped, and
 *       whoever waits on it from another thread is released by the close.</li>
 *   <li>Inbox hand-off: a producer appends, then reads {@code sleeping}; the owner writes
 *       {@code sleeping}, then re-reads the inbox before parking. Both are volatile, so one of
 *       them sees the other (no lost wake-up).</li>
 *   <li>The loop owns every live task strongly (an intrusive list), so an unreferenced task
 *       still runs to completion.</li>
 *   <li>A failing callback or task reaches the exception handler or its awaiter, never the
 *       loop: {@link #runItem} catches everything.</li>
 * </ul>
 */
public final class EventLoopImpl implements EventLoop {

    private static final System.Logger LOG = System.getLogger("org.asyncio4j");
    private static final TaskThreads THREADS = TaskThreads.MODE;
    private static final ThreadLocal<EventLoopImpl> RUNNING = new ThreadLocal<>();
    private static final AtomicInteger LOOP_IDS = new AtomicInteger();
    private static final long ORIGIN = System.nanoTime();
    private static final ExecutorService ORPHANS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "asyncio4j-orphan-continuations");
        t.setDaemon(true);
        return t;
    });

    /**
     * The home of done futures made outside any loop ({@code Asyncio.completed}). It never runs:
     * callbacks added to its futures run on the caller's running loop, or inline.
     */
    static final java.util.function.Supplier<EventLoopImpl> DETACHED = new java.util.function.Supplier<>() {
        private volatile EventLoopImpl loop;

        @Override
        public EventLoopImpl get() {
            EventLoopImpl l = loop;
            if (l == null) {
                synchronized (this) {
                    if ((l = loop) == null) {
                        loop = l = new EventLoopImpl(false, true);
                    }
                }
            }
            return l;
        }
    };

    private final int id = LOOP_IDS.incrementAndGet();
    private final String name = "loop-" + id;
    final boolean detached;
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>(256);
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final TimerHeap timers = new TimerHeap();
    final boolean virtualClock;
    private long virtualNow;
    private long timerSeq;

    private volatile Thread owner;             // the thread in runForever; null while idle
    private volatile Thread home;              // idle: who may touch loop state (created or last ran it)
    private final Object handover = new Object();
    private volatile boolean sleeping;
    private volatile boolean stopping;
    private volatile boolean closed;
    private Runnable onOwnerInterrupt;

    private int taskCounter;
    private volatile boolean eagerTasks;       // setEagerTasks: every createTask starts eagerly (see runNext)
    private int front;                         // entries at the head of `ready` put there by runNext
    TaskImpl<?> eagerStarting;                 // eager start: the task whose Thread.start() is under way
    TaskImpl<?> eagerCreator, eagerChild;      // eager start: a creator yielding for its child (startEagerly)
    private TaskImpl<?> liveHead;
    private int liveCount;
    TaskImpl<?> current;

    private volatile ExceptionHandler handler;
    private volatile boolean debug;
    private volatile long slowNanos = 100_000_000L;
    private DebugWatch watch;

    private IoPoller io;                       // created by the first socket wait
    private volatile IoPoller wakeIo;          // the same, for cross-thread wake-ups

    // Statistics: written on the loop thread only, read racily from others (LoopStatistics says so).
    private long iterations;
    private long steps;
    private long callbacks;
    private long lagNanos;
    private long longestNanos;                 // the longest timed entry so far
    private volatile Longest longest;          // it and its name, published together

    private record Longest(long nanos, String entry) {
    }

    private java.util.IdentityHashMap<TaskImpl<?>, Object> taskEnds;   // JFR TaskEnd events begun at spawn
    private Object spareSlowStep;              // a JFR SlowStep event begun for a step that was not slow
    private boolean jmx = true;                // RunOptions.withJmx
    private LoopRegistry.Entry registration;   // from the first run until close

    private long shutdownTimeoutNanos = 5_000_000_000L;
    private final Set<Task<?>> leftBehind = new java.util.HashSet<>();   // refusers given up on at shutdown
    private final Set<Runnable> closeListeners = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<FutureImpl.Unretrieved> unretrieved = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final DefaultExecutor executorCalls = new DefaultExecutor(this, "asyncio4j-loop" + id + "-executor-");
    private int offLoopInFlight;            // executor calls, pumps, wrapped futures: the virtual clock waits for them
    private boolean autoAdvance = true;     // virtual clock: idle jumps to the next timer (off: TestClock moves time)
    private final Set<AutoCloseable> releaseAtClose = new LinkedHashSet<>();   // subprocesses: see close()
    Contexts.Slot contextSlot;              // the running thread's context slot, where callbacks run (Contexts)

    public EventLoopImpl(boolean virtualClock) {
        this(virtualClock, false);
    }

    private EventLoopImpl(boolean virtualClock, boolean detached) {
        TaskThreads.checkAvailable();
        Jfr.init();
        this.virtualClock = virtualClock;
        this.detached = detached;
        this.home = Thread.currentThread();
    }

    /** The loop running in the calling thread (or carrying the calling task), or null. */
    public static EventLoopImpl running() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            if (THREADS.currentScheduler() instanceof TaskImpl<?> task && task.loop.isCarriedHere()) {
                return task.loop;
            }
            return null;
        }
        return RUNNING.get();
    }

    // ================================================================== thread checks

    /**
     * True if the caller runs on this loop's thread: the thread itself, the task whose step it
     * runs, or another virtual thread it carries. The first two need only
     * {@code Thread.currentThread()}: a stale {@code current} seen by a foreign thread can never
     * equal that thread, so the check stays exact; the carrier lookup is the fallback (fast mode
     * only). In the portable mode a task's thread can see a stale {@code current} naming its own
     * task while it waits for its next turn (an interrupt wakes it there, and it queues itself),
     * so it counts only while it holds the turn ({@link TaskThreads#holdsTurn}; always true in
     * the fast mode).
     */
    private boolean onOwner(Thread o) {
        if (o == null) {
            return false;
        }
        Thread t = Thread.currentThread();
        if (t == o) {
            return true;
        }
        TaskImpl<?> c = current;
        return c != null && c.thread == t && THREADS.holdsTurn(c.continuation()) || THREADS.carriedBy(o);
    }

    /** True if the caller runs on this loop's thread (itself, or a task it carries). */
    boolean isCarriedHere() {
        return onOwner(owner);
    }

    /**
     * True if the caller may touch loop state directly: on the running loop's thread, or, while
     * the loop is idle, its home thread (the one that created it or last ran it). The detached
     * loop holds only done futures, so everyone may.
     */
    boolean isConfinedHere() {
        Thread o = owner;
        return o != null ? onOwner(o) : detached || isHome();
    }

    /**
     * True if the caller is the idle loop's home thread. A home thread that has ended hands the
     * loop to whichever thread touches it next.
     */
    private boolean isHome() {
        Thread h = home, me = Thread.currentThread();
        if (h == me) {
            return true;
        }
        if (h != null && h.isAlive()) {
            return false;
        }
        synchronized (handover) {
            if (home == h && owner == null) {
                home = me;
            }
            return home == me;
        }
    }

    /**
     * Makes the calling thread the loop's home before it runs the loop (runForever,
     * runUntilComplete, cancelAllTasks, close): running an idle loop is how a thread takes it
     * over. Under {@code handover}, so it cannot interleave with a cross-thread call that the
     * former home applies directly (see {@link #confined}).
     *
     * @throws IllegalStateException if the loop runs, or the caller runs another loop
     */
    private void takeOver() {
        synchronized (handover) {
            checkNotRunning();
            home = Thread.currentThread();
        }
    }

    /**
     * A cross-thread-safe call (a cancel): applied at once ({@code here}) if the caller may touch
     * loop state, else handed to {@code elsewhere}, which routes it through the inbox. An idle
     * loop's home applies it holding {@code handover}, so another thread that starts running
     * the loop meanwhile waits for it:
     * <pre>
     *   home H (idle loop)                    thread B
     *   sees owner == null, home == H
     *   cancels directly (timers, futures)    runForever: owner = B, drains, polls timers
     * </pre>
     * would otherwise touch the heap from two threads at once.
     */
    <F> boolean confined(F target, String arg, java.util.function.BiPredicate<? super F, String> here,
            java.util.function.BiPredicate<? super F, String> elsewhere) {
        Thread o = owner;
        if (o != null ? onOwner(o) : detached) {
            return here.test(target, arg);
        }
        if (o == null && isHome()) {
            synchronized (handover) {
                if (owner == null && home == Thread.currentThread()) {
                    return here.test(target, arg);
                }
            }
        }
        return elsewhere.test(target, arg);
    }

    /** Runs {@code r} now if the caller may touch loop state (as {@link #confined}), else on the loop. */
    void runConfined(Runnable r) {
        confined(r, null, (x, unused) -> {
            x.run();
            return true;
        }, (x, unused) -> {
            runOnLoop(x);
            return true;
        });
    }

    /** Runs {@code r} on the loop thread, from any thread; dropped if the loop closes first. */
    void runOnLoop(Runnable r) {
        schedule(new HandleImpl(this, r));
    }

    void checkThread(String operation) {
        Thread o = owner;
        if (o != null) {
            if (!onOwner(o)) {
                throw new IllegalStateException(operation + "() called from thread '" + Thread.currentThread().getName()
                        + "' while the loop runs in '" + o.getName()
                        + "': only the loop's thread and its tasks may call it (use callSoonThreadsafe)");
            }
        } else if (!detached && !isHome()) {
            Thread h = home;
            throw new IllegalStateException(operation + "() called from thread '" + Thread.currentThread().getName()
                    + "' while the loop is idle and belongs to thread '" + (h == null ? "?" : h.getName())
                    + "' (the thread that created it or last ran it): only that thread may call it, or another"
                    + " thread once it runs the loop (use callSoonThreadsafe)");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
    }

    // ================================================================== scheduling

    /**
     * Appends a ready entry; called by the JDK's wake-ups through TaskImpl.execute, from any
     * thread. Never blocks, never runs the entry, never throws.
     */
    void schedule(Runnable r) {
        if (onOwner(owner)) {
            ready.addLast(r);
        } else {
            enqueueRemote(r);
        }
    }

    private void enqueueRemote(Runnable r) {
        if (closed) {
            orphan(r);
            return;
        }
        inbox.offer(r);
        if (closed) {
            // close() may have drained the inbox before our offer: hand anything left over on.
            drainOrphans();
            return;
        }
        if (sleeping) {
            wakeOwner();
        }
    }

    /** Wakes the owner from its idle wait: the selector if it waits there, else a park. */
    private void wakeOwner() {
        IoPoller p = wakeIo;
        if (p != null) {
            p.wakeup();
        }
        Thread o = owner;
        if (o != null) {
            LockSupport.unpark(o);
        }
    }

    /** Loop-thread append for callbacks (the loop may also be idle, owned by this thread). */
    void callSoonInternal(Runnable r) {
        if (isCarriedHere()) {
            ready.addLast(r);
        } else {
            enqueueRemote(r);
        }
    }

    private void orphan(Runnable r) {
        if (r instanceof HandleImpl || r instanceof IoPoller.Entry) {
            return;                   // a callback on a closed loop: dropped, as in Python
        }
        ORPHANS.execute(r);
    }

    private void drainOrphans() {
        Runnable r;
        while ((r = inbox.poll()) != null) {
            orphan(r);
        }
    }

    @Override
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread("callSoon");
        HandleImpl h = new HandleImpl(this, callback);
        h.context = Contexts.capture();
        callSoonInternal(h);
        return h;
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        HandleImpl h = new HandleImpl(this, callback);
        h.context = Contexts.capture();
        schedule(h);
        return h;
    }

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (closed) {
            throw new RejectedExecutionException("Event loop is closed");
        }
        HandleImpl h = new HandleImpl(this, command);
        h.context = Contexts.capture();
        schedule(h);
    }

    @Override
    public TimerHandle callLater(double delaySeconds, Runnable callback) {
        if (Double.isNaN(delaySeconds)) {
            throw new IllegalArgumentException("delay is NaN");
        }
        return inCurrentContext(callAtNanos(saturatedAdd(now(), secondsToNanos(delaySeconds)), callback));
    }

    @Override
    public TimerHandle callLater(Duration delay, Runnable callback) {
        Objects.requireNonNull(delay, "delay");
        return inCurrentContext(callAtNanos(saturatedAdd(now(), durationToNanos(delay)), callback));
    }

    @Override
    public TimerHandle callAt(double when, Runnable callback) {
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when is NaN");
        }
        return inCurrentContext(callAtNanos(secondsToNanos(when), callback));
    }

    /** A user's timer runs in the context current where it was scheduled (the loop's own timers need none). */
    private static TimerHandleImpl inCurrentContext(TimerHandleImpl t) {
        t.context = Contexts.capture();
        return t;
    }

    TimerHandleImpl callAtNanos(long deadline, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        checkThread("callLater");
        TimerHandleImpl t = new TimerHandleImpl(this, callback, deadline, timerSeq++);
        if (timers.size() == 0) {
            timers.add(t, now());         // the heap recentres on the present (one clock read, only then)
        } else {
            timers.add(t);
        }
        return t;
    }

    SleepTimer scheduleSleep(long nanos, TaskImpl<?> task) {
        long now = now();
        SleepTimer t = new SleepTimer(this, task, saturatedAdd(now, nanos), timerSeq++);
        timers.add(t, now);
        return t;
    }

    /** A cancelled timer leaves the heap (if still in it; else it is skipped when run). Loop-confined. */
    void timerCancelled(TimerHandleImpl t) {
        if (t.heapIndex >= 0) {
            timers.remove(t);
        }
    }

    // ================================================================== clock

    /** The loop's clock in nanoseconds (the virtual clock's time, or real time since a process-wide origin). */
    public long now() {
        return virtualClock ? virtualNow : System.nanoTime() - ORIGIN;
    }

    @Override
    public double time() {
        return now() / 1e9;
    }

    public static long secondsToNanos(double seconds) {
        if (seconds >= 9.0e9) {
            return Long.MAX_VALUE / 2;
        }
        if (seconds <= -9.0e9) {
            return -(Long.MAX_VALUE / 2);
        }
        return (long) (seconds * 1e9);
    }

    public static long durationToNanos(Duration d) {
        try {
            return Math.clamp(d.toNanos(), -(Long.MAX_VALUE / 2), Long.MAX_VALUE / 2);
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? -(Long.MAX_VALUE / 2) : Long.MAX_VALUE / 2;
        }
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? Long.MAX_VALUE / 2 : -(Long.MAX_VALUE / 2);
        }
        return Math.min(r, Long.MAX_VALUE / 2);
    }

    // ================================================================== futures and tasks

    @Override
    public <T> Future<T> createFuture() {
        checkOpen();
        return new FutureImpl<>(this);
    }

    @Override
    public <T> Task<T> createTask(Callable<T> body) {
        return createTask(body, null);
    }

    @Override
    public <T> Task<T> createTask(Callable<T> body, String name) {
        Objects.requireNonNull(body, "body");
        return spawn(body, name);
    }

    @Override
    public Task<Void> createTask(ThrowingRunnable body) {
        return createTask(body, null);
    }

    @Override
    public Task<Void> createTask(ThrowingRunnable body, String name) {
        Objects.requireNonNull(body, "body");
        return spawn(body, name);
    }

    @Override
    public <T> Task<T> createTask(Callable<T> body, String name, org.asyncio4j.Context context) {
        Objects.requireNonNull(body, "body");
        return spawn(Contexts.bind(body, context), name);
    }

    @Override
    public Task<Void> createTask(ThrowingRunnable body, String name, org.asyncio4j.Context context) {
        Objects.requireNonNull(body, "body");
        return spawn(Contexts.bind(body, context), name);
    }

    /**
     * Creates and starts a task, eagerly if the loop's {@link #setEagerTasks} says so;
     * {@code body} is a Callable or a ThrowingRunnable, possibly bound to the context it is to
     * run in ({@link Contexts#bind}; else it runs in a copy of the current one, taken before it
     * starts).
     */
    <T> TaskImpl<T> spawn(Object body, String name) {
        return spawn(body, name, eagerTasks);
    }

    /**
     * Creates and starts a task; with {@code eager}, on a running loop, its first step runs
     * before this returns ({@link #startEagerly}). An idle loop starts it at its next turn, as
     * Python does when the loop is not running.
     */
    <T> TaskImpl<T> spawn(Object body, String name, boolean eager) {
        checkOpen();
        checkThread("createTask");
        TaskImpl<T> t = new TaskImpl<>(this, Contexts.taskBody(body), name, name != null ? 0 : ++taskCounter);
        t.context = Contexts.taskContext(body);
        TaskImpl<?> head = liveHead;
        t.nextLive = head;
        if (head != null) {
            head.prevLive = t;
        }
        liveHead = t;
        liveCount++;
        Object taskEnd = Jfr.beginTaskEnd();   // null unless a recording enables TaskEnd
        if (taskEnd != null) {
            (taskEnds == null ? taskEnds = new java.util.IdentityHashMap<>() : taskEnds).put(t, taskEnd);
        }
        // Eager start: whatever the task copies from its creator (its context) is taken by now,
        // in the constructor; its first step runs after start() has handed us its continuation.
        if (eager && owner != null) {
            eagerStarting = t;            // its first execute() keeps the step instead of queueing it
            try {
                t.start();
            } finally {
                eagerStarting = null;
            }
            startEagerly(t);
        } else {
            t.start();
        }
        return t;
    }

    // ================================================================== eager tasks

    /**
     * Every task created on this loop ({@code createTask}, {@code TaskGroup.createTask}, the
     * tasks {@code gather} makes of bodies) starts eagerly from now on, or not.
     */
    @Override
    public void setEagerTasks(boolean enabled) {
        eagerTasks = enabled;
    }

    @Override
    public boolean getEagerTasks() {
        return eagerTasks;
    }

    /** {@code Asyncio.createEagerTask}: a task whose first step runs before this returns. */
    public <T> Task<T> createEagerTask(Callable<T> body, String name) {
        Objects.requireNonNull(body, "body");
        return spawn(body, name, true);
    }

    /** {@code Asyncio.createEagerTask} for a body without result. */
    public Task<Void> createEagerTask(ThrowingRunnable body, String name) {
        Objects.requireNonNull(body, "body");
        return spawn(body, name, true);
    }

    /**
     * Runs the first step of {@code t} (started, its continuation held) now, before the caller
     * goes on and before any other ready entry: Python's {@code Task.__eager_start}.
     * <ul>
     *   <li>On the loop's own thread, outside any task (a callback): the step runs here, and so
     *       does whatever it starts eagerly in turn, until {@code front} is back where it was.</li>
     *   <li>In a task: a virtual thread cannot run another inline, so the creator yields with
     *       {@code t} as its eager child, and its {@link TaskImpl#execute} (on the loop thread,
     *       right after the yield) puts {@code t} then itself at the head of the ready queue
     *       ({@link #eagerCreatorYielded}, {@link #runNext}); the loop runs {@code t}'s step and
     *       then the creator's, which returns from createTask. Nested eager tasks stack up the
     *       same way, each ahead of its creator, in the deque, not on the loop thread's stack.
     *       The cost is one more step of the creator: a yield and a resume. The yield is no
     *       suspension point: a cancellation of the creator requested meanwhile (by the child,
     *       say) stays pending for the next one, as in Python, so createTask still returns the
     *       child. A creator that cannot yield (pinned: a native frame or a class initialiser
     *       on its stack) gets {@code t}'s step right after its own instead.</li>
     *   <li>In a plain virtual thread the loop carries (not a task): {@code t} runs right after
     *       the current step, ahead of the rest (no way to suspend that thread just here).</li>
     * </ul>
     */
    private void startEagerly(TaskImpl<?> t) {
        if (Thread.currentThread() == owner) {
            int base = front;
            runNext(t, null);
            while (front > base) {
                front--;
                runStep(ready.pollFirst());
            }
            return;
        }
        TaskImpl<?> creator = current;    // the task whose step runs now; the creator if its thread is ours
        if (creator != null && creator.thread == Thread.currentThread()) {
            eagerCreator = creator;
            eagerChild = t;
            THREADS.yieldNow(creator.continuation());   // both modes: the yield reaches creator.execute
            if (eagerCreator == creator) {    // the yield did not happen: the thread is pinned
                eagerCreator = null;
                eagerChild = null;
                runNext(t, null);
            }
        } else {
            runNext(t, null);
        }
    }

    /** The creator of startEagerly has yielded (its execute(), on the loop thread): child first, then it. */
    void eagerCreatorYielded() {
        TaskImpl<?> c = eagerCreator, t = eagerChild;
        eagerCreator = null;
        eagerChild = null;
        runNext(t, c);
    }

    /**
     * The one operation eager start needs from the ready queue: {@code first}'s step runs next,
     * ahead of every other ready entry, then {@code then}'s (if not null), then the rest in
     * their order (FIFO holds for everything else). Loop thread only; {@link #runEntries} and
     * {@link #startEagerly} run these head entries before anything else.
     */
    void runNext(TaskImpl<?> first, TaskImpl<?> then) {
        if (then != null) {
            ready.addFirst(then);
            front++;
        }
        ready.addFirst(first);
        front++;
    }

    void taskDone(TaskImpl<?> t) {
        TaskImpl<?> p = t.prevLive, n = t.nextLive;
        if (p != null) {
            p.nextLive = n;
        } else if (liveHead == t) {
            liveHead = n;
        }
        if (n != null) {
            n.prevLive = p;
        }
        t.prevLive = t.nextLive = null;
        liveCount--;
        if (taskEnds != null) {
            endTaskEvent(t);
        }
    }

    /** Commits the TaskEnd event begun at {@code t}'s spawn, if one was (on the task's own thread). */
    private void endTaskEvent(TaskImpl<?> t) {
        Object event = taskEnds.remove(t);
        if (taskEnds.isEmpty()) {
            taskEnds = null;
        }
        if (event != null) {
            int s = t.state;
            Jfr.taskEnded(event, t.getName(), s == FutureImpl.CANCELLED ? "cancelled" : s == FutureImpl.EXCEPTION
                    ? "exception" : "result", s == FutureImpl.EXCEPTION ? t.failure() : null, name);
        }
    }

    /** The tasks not yet done, oldest first. */
    public Set<Task<?>> allTasks() {
        List<Task<?>> list = new ArrayList<>(liveCount);
        for (TaskImpl<?> t = liveHead; t != null; t = t.nextLive) {
            if (!t.isDone()) {
                list.add(t);
            }
        }
        Collections.reverse(list);
        return Collections.unmodifiableSet(new LinkedHashSet<>(list));
    }

    // ================================================================== running

    @Override
    public <T> T runUntilComplete(Future<T> future) {
        Objects.requireNonNull(future, "future");
        if (!(future instanceof FutureImpl<T> f) || f.loop != this) {
            throw new IllegalStateException("runUntilComplete: the future belongs to another event loop: " + future);
        }
        checkOpen();
        if (Thread.currentThread().isVirtual() && running() == null) {
            return onPlatformThread(() -> runUntilComplete(future));
        }
        takeOver();
        if (f.isDone()) {
            return reportToCaller(f); // nothing to run for (Python would run one iteration)
        }
        java.util.function.Consumer<Future<T>> stopper = x -> stop();
        Runnable previousInterrupt = onOwnerInterrupt;
        onOwnerInterrupt = () -> f.cancel();
        if (!f.isDone()) {
            f.addDoneCallback(stopper);
        }
        try {
            runForever();
        } finally {
            onOwnerInterrupt = previousInterrupt;
            if (!f.isDone()) {
                f.removeDoneCallback(stopper);
            }
        }
        if (!f.isDone()) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        return reportToCaller(f);
    }

    /**
     * The future's outcome for the thread that ran the loop for it: a task's exception rethrown
     * as itself gets the caller's frames appended ({@link CallerFrames}); a CancelledException
     * or CompletionException made here has them already.
     */
    static <T> T reportToCaller(FutureImpl<T> f) {
        try {
            return f.report();
        } catch (RuntimeException | Error e) {
            if (f.state == FutureImpl.EXCEPTION && e == f.failure()) {
                CallerFrames.append(e);
            }
            throw e;
        }
    }

    @Override
    public <T> T runUntilComplete(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        if (Thread.currentThread().isVirtual() && running() == null) {
            return onPlatformThread(() -> runUntilComplete(body));
        }
        takeOver();
        return runUntilComplete(createTask(body));
    }

    @Override
    public void runUntilComplete(ThrowingRunnable body) {
        Objects.requireNonNull(body, "body");
        runUntilComplete(() -> {
            body.run();
            return null;
        });
    }

    private void checkNotRunning() {
        if (owner != null) {
            throw new IllegalStateException("This event loop is already running");
        }
        if (running() != null || TaskImpl.current() != null) {
            throw new IllegalStateException("Cannot run the event loop while another loop is running");
        }
    }

    /** Runs a loop call on a fresh platform thread (a loop cannot run on a virtual thread). */
    private static <T> T onPlatformThread(Callable<T> call) {
        Object[] out = new Object[2];
        Thread t = Thread.ofPlatform().name("asyncio4j-loop").start(() -> {
            try {
                out[0] = call.call();
            } catch (Throwable e) {
                out[1] = e;
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                t.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (out[1] != null) {
            // What the platform thread threw carries its frames (a task's exception: after the
            // marker); the caller's are this virtual thread's, down to its own run().
            CallerFrames.append((Throwable) out[1]);
            throw FutureImpl.rethrow((Throwable) out[1]);
        }
        @SuppressWarnings("unchecked")
        T result = (T) out[0];
        return result;
    }

    @Override
    public void runForever() {
        checkOpen();
        if (Thread.currentThread().isVirtual() && running() == null && TaskImpl.current() == null) {
            onPlatformThread(() -> {
                runForever();
                return null;
            });
            return;
        }
        synchronized (handover) {
            checkNotRunning();
            home = owner = Thread.currentThread();
        }
        RUNNING.set(this);
        contextSlot = Contexts.slot();
        if (registration == null && !detached) {
            registration = LoopRegistry.opened(this, jmx);
        }
        if (debug) {
            startWatch();
        }
        boolean interrupted = false;
        try {
            while (true) {
                if (Thread.interrupted()) {
                    interrupted = true;
                    Runnable action = onOwnerInterrupt;
                    if (action != null) {
                        action.run();
                    } else {
                        stopping = true;
                    }
                }
                runOnce();
                if (stopping) {
                    break;
                }
            }
        } finally {
            stopping = false;
            stopWatch();
            RUNNING.remove();
            owner = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runOnce() {
        iterations++;
        drainInbox();
        boolean polled = false;
        if (ready.isEmpty() && !stopping) {
            long now = 0;
            TimerHandleImpl next = null;
            if (timers.size() > 0) {          // no clock read when no timer is pending
                now = now();
                next = timers.peek(now);
            }
            if (next == null) {
                polled = idle(-1);
            } else {
                long wait = next.deadline - now;
                if (wait > 0) {
                    polled = idle(wait);
                }
            }
        }
        if (!polled && io != null && io.waiting() > 0) {
            io.poll(0);               // I/O readiness every iteration, as asyncio: no starvation
        }
        int due = 0;
        long firstDeadline = 0;
        if (timers.size() > 0) {          // no clock read (~20 ns) when no timer is pending
            long end = now();
            TimerHandleImpl t;
            while ((t = timers.peek(end)) != null && t.deadline <= end) {
                timers.poll();
                if (due++ == 0) {
                    firstDeadline = t.deadline;
                }
                ready.addLast(t);
            }
        }
        int n = ready.size();
        if (due > 0) {
            // Loop lag: what was ready before the due timers runs first, then one clock read
            // says how late the first of them starts (the only read lag costs; none in a turn
            // that fires no timer).
            runEntries(n - due);
            lagNanos = Math.max(0, now() - firstDeadline);
            n = due;
        }
        runEntries(n);
    }

    /**
     * Runs the first {@code n} ready entries, and before each of them whatever {@link #runNext}
     * put at the head meanwhile (eager tasks: those run before anything else, this turn).
     * Without eager tasks this costs one read of {@code front} per entry.
     */
    private void runEntries(int n) {
        while (true) {
            if (front > 0) {
                front--;
            } else if (n > 0) {
                n--;
            } else {
                return;
            }
            runItem(ready.pollFirst());
        }
    }

    private void drainInbox() {
        Runnable r;
        while ((r = inbox.poll()) != null) {
            ready.addLast(r);
        }
    }

    /**
     * Waits for the next timer ({@code nanos}; -1: none), an I/O event or an inbox wake-up.
     *
     * @return true if it polled the selector
     */
    private boolean idle(long nanos) {
        if (watch != null && !debug && !Jfr.slowStepOn()) {
            stopWatch();                  // started for a SlowStep recording that has ended
        }
        if (!autoAdvance) {
            nanos = -1;               // manual virtual clock: time moves only through advanceVirtualTime
        }
        boolean ioActive = io != null && io.waiting() > 0;
        if (virtualClock && nanos > 0 && offLoopInFlight == 0 && !ioActive && inbox.isEmpty()) {
            virtualNow += nanos;      // nothing can happen before the next timer: jump to it
            return false;
        }
        boolean polled = false;
        sleeping = true;
        try {
            if (inbox.isEmpty() && !stopping && !Thread.currentThread().isInterrupted()) {
                long t0 = virtualClock ? System.nanoTime() : 0;
                if (io != null) {
                    io.poll(nanos);
                    polled = true;
                } else if (nanos < 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, nanos);
                }
                if (virtualClock && nanos > 0) {
                    // Work is in flight elsewhere: virtual time follows real time until it
                    // reports back, so timers falling due meanwhile still fire.
                    virtualNow += Math.min(nanos, System.nanoTime() - t0);
                }
            } else if (io != null && ioActive) {
                io.poll(0);
                polled = true;
            }
        } finally {
            sleeping = false;
        }
        drainInbox();
        return polled;
    }

    // ================================================================== manual virtual clock

    // For org.asyncio4j.test.TestClock (the only caller; the qualified export in module-info):
    // a test task steps the virtual clock by hand. All loop thread only, never on the hot path;
    // with auto-advance on (the default) the loop behaves exactly as without these methods.

    /**
     * Turns the virtual clock's jumps on (the default) or off. Off, an idle loop waits only for
     * wake-ups: time neither jumps to the next timer nor follows real time, and moves only
     * through {@link #advanceVirtualTime}. Loop thread only.
     *
     * @throws IllegalStateException if the loop runs on the real clock
     */
    public void setAutoAdvance(boolean on) {
        if (!virtualClock) {
            throw new IllegalStateException("auto-advance is a virtual clock's setting; this loop runs on the real clock");
        }
        autoAdvance = on;
    }

    /**
     * Moves the virtual clock forward to {@code nanos} (a time in the past leaves it as it is);
     * the timers that fall due run from the next iteration on. Loop thread only.
     *
     * @throws IllegalStateException if the loop runs on the real clock
     */
    public void advanceVirtualTime(long nanos) {
        if (!virtualClock) {
            throw new IllegalStateException("only a virtual clock can be advanced; this loop runs on the real clock");
        }
        virtualNow = Math.max(virtualNow, nanos);
    }

    /** The deadline of the earliest pending timer, or {@code Long.MAX_VALUE} if none. Loop thread only. */
    public long nextTimerDeadline() {
        TimerHandleImpl next = timers.size() > 0 ? timers.peek(now()) : null;
        return next == null ? Long.MAX_VALUE : next.deadline;
    }

    /**
     * True if something can run without time passing: an entry ready or in the inbox, or a timer
     * due. Loop thread only (called from a task, it does not count that task).
     */
    public boolean hasWorkNow() {
        return !ready.isEmpty() || !inbox.isEmpty() || nextTimerDeadline() <= now();
    }

    /**
     * Counts one piece of off-loop work (a pump thread, a wrapped future, a process exit) as in
     * flight: while any is, the virtual clock does not jump to the next timer but follows real
     * time, so the work can report back before a timeout that it would beat in real life.
     * Loop thread only; pair with {@link #offLoopEnded()} (on the loop thread too).
     */
    public void offLoopStarted() {
        offLoopInFlight++;
    }

    /** Ends what {@link #offLoopStarted()} counted; loop thread only. */
    public void offLoopEnded() {
        offLoopInFlight--;
    }

    /**
     * Registers a resource that {@link #close()} releases (after the tasks have ended), unless it
     * is forgotten first: a subprocess whose pump threads or process are still alive. Loop
     * thread only.
     */
    public void releaseAtClose(AutoCloseable resource) {
        releaseAtClose.add(Objects.requireNonNull(resource, "resource"));
    }

    /** Withdraws a {@link #releaseAtClose} registration; loop thread only. */
    public void forgetAtClose(AutoCloseable resource) {
        releaseAtClose.remove(resource);
    }

    private void releaseResources() {
        List<AutoCloseable> all = new ArrayList<>(releaseAtClose);
        releaseAtClose.clear();
        for (AutoCloseable r : all) {
            try {
                r.close();
            } catch (Exception e) {
                callExceptionHandler(new ExceptionContext("exception while releasing " + r + " at the loop's close", e, null, null));
            }
        }
    }

    // ================================================================== I/O

    /** The loop's selector poller, created on first use (loop thread). */
    IoPoller io() {
        IoPoller p = io;
        if (p == null) {
            checkOpen();
            io = p = new IoPoller(this);
            wakeIo = p;
        }
        return p;
    }

    /** Suspends the current task until the channel is ready for the operation. */
    public void awaitReady(java.nio.channels.SelectableChannel ch, int op) throws java.io.IOException {
        io().await(ch, op);
    }

    /** Runs {@code callback} on the loop once the channel is ready for the operation. */
    public void whenReady(java.nio.channels.SelectableChannel ch, int op, Runnable callback) throws java.io.IOException {
        io().whenReady(ch, op, callback);
    }

    /** Drops a channel from the selector; its waiters fail with ClosedChannelException. */
    public void forget(java.nio.channels.SelectableChannel ch) {
        IoPoller p = io;
        if (p != null) {
            p.forget(ch);
        }
    }

    // ================================================================== datagrams (DatagramEngine)

    @Override
    public <P extends org.asyncio4j.protocols.DatagramProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.DatagramTransport, P> createDatagramEndpoint(
                    java.util.function.Supplier<P> protocolFactory, java.net.InetSocketAddress local,
                    java.net.InetSocketAddress remote, org.asyncio4j.protocols.DatagramOptions options)
            throws java.io.IOException {
        return DatagramEngine.create(this, protocolFactory, local, remote, options);
    }

    @Override
    public <P extends org.asyncio4j.protocols.DatagramProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.DatagramTransport, P> createDatagramEndpoint(
                    java.util.function.Supplier<P> protocolFactory, java.nio.channels.DatagramChannel channel)
            throws java.io.IOException {
        return DatagramEngine.create(this, protocolFactory, channel);
    }

    @Override
    public org.asyncio4j.protocols.Datagram sockRecvfrom(java.nio.channels.DatagramChannel channel, int n)
            throws java.io.IOException {
        return DatagramEngine.sockRecvfrom(this, channel, n);
    }

    @Override
    public java.net.InetSocketAddress sockRecvfromInto(java.nio.channels.DatagramChannel channel, java.nio.ByteBuffer dst)
            throws java.io.IOException {
        return DatagramEngine.sockRecvfromInto(this, channel, dst);
    }

    @Override
    public int sockSendto(java.nio.channels.DatagramChannel channel, java.nio.ByteBuffer data, java.net.SocketAddress to)
            throws java.io.IOException {
        return DatagramEngine.sockSendto(this, channel, data, to);
    }

    private void runItem(Runnable r) {
        if (debug || Jfr.slowStepOn()) {
            runTimed(r);
        } else {
            runStep(r);
        }
    }

    /** Runs one entry: a task's step or a callback; whatever it throws goes to the handler. */
    private void runStep(Runnable r) {
        if (r instanceof TaskImpl<?> task) {
            steps++;
            current = task;
            try {
                task.run();
            } catch (Throwable e) {
                callExceptionHandler(new ExceptionContext("Exception in step of " + task, e, task, null));
            } finally {
                current = null;
            }
        } else {
            callbacks++;
            try {
                r.run();
            } catch (Throwable e) {
                callExceptionHandler(new ExceptionContext("Exception in callback " + r, e, null,
                        r instanceof Handle h ? h : null));
            }
        }
    }

    @Override
    public void stop() {
        stopping = true;
        if (sleeping) {
            wakeOwner();
        }
    }

    @Override
    public boolean isRunning() {
        return owner != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (owner != null) {
            throw new IllegalStateException("Cannot close a running event loop");
        }
        if (closed) {
            return;
        }
        if (Thread.currentThread().isVirtual() && running() == null) {
            onPlatformThread(() -> {
                close();
                return null;
            });
            return;
        }
        synchronized (handover) {
            if (owner != null) {
                throw new IllegalStateException("Cannot close a running event loop");
            }
            home = Thread.currentThread();
        }
        cancelAllTasks();
        releaseResources();
        reportUnretrieved();
        closed = true;
        removeSignalHandlers();
        Runnable r;
        while ((r = ready.pollFirst()) != null) {
            orphan(r);
        }
        front = 0;
        drainOrphans();
        timers.clear();
        IoPoller p = io;
        if (p != null) {
            io = null;
            wakeIo = null;
            p.close();
        }
        executorCalls.shutdownAtClose();
        LoopRegistry.Entry reg = registration;
        if (reg != null) {
            reg.close();
        }
        releaseCrossThreadWaiters();
    }

    // ================================================================== cross-thread waiters

    /**
     * Registers {@code release} to run when the loop closes (any thread): how a thread blocked
     * on this loop's work (a foreign {@code get()}, a {@code CompletableFuture} bridge) learns
     * that the work was dropped. Returns false, without keeping it, if the loop has closed
     * already. A listener may run twice (close and the registrant both see each other), so it
     * must be idempotent. Dekker-style: the registrant adds, then reads {@code closed}; close
     * writes {@code closed}, then walks the set; one of them sees the other.
     */
    public boolean onClose(Runnable release) {
        closeListeners.add(release);
        if (closed) {
            closeListeners.remove(release);
            return false;
        }
        return true;
    }

    public void removeOnClose(Runnable release) {
        closeListeners.remove(release);
    }

    /**
     * Completes {@code cf} with {@link #closedBefore} if the loop closes while it is pending
     * (at once if the loop has closed already). For the futures other threads wait on:
     * runCoroutineThreadsafe's, toCompletableFuture's.
     */
    public void releaseOnClose(java.util.concurrent.CompletableFuture<?> cf) {
        Runnable release = () -> cf.completeExceptionally(closedBefore(cf));
        if (onClose(release)) {
            cf.whenComplete((v, e) -> removeOnClose(release));
        } else {
            release.run();
        }
    }

    /** What a cross-thread waiter of work that a closed loop dropped gets. */
    static org.asyncio4j.CancelledException closedBefore(Object what) {
        return new org.asyncio4j.CancelledException("the event loop closed before " + what + " completed");
    }

    private void releaseCrossThreadWaiters() {
        for (Runnable r : closeListeners) {
            closeListeners.remove(r);
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "a cross-thread waiter of the closed loop failed to wake", t);
            }
        }
    }

    /**
     * The grace period of {@link #cancelAllTasks}, in loop time ({@code RunOptions.withShutdownTimeout}).
     *
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if it is negative
     */
    public void setShutdownTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout is negative: " + timeout);
        }
        shutdownTimeoutNanos = durationToNanos(timeout);
    }

    /**
     * Cancels every live task and runs the loop until all have ended, for at most the shutdown
     * timeout of loop time. Tasks started meanwhile are cancelled in further rounds (10 at
     * most). Tasks that end with an exception other than a cancellation are reported to the
     * exception handler. Tasks still running when the time is up, or after the last round (a
     * task that keeps catching its cancellation), are reported by name and stack and left
     * behind: pending, parked where the report shows, ignored by later calls (so close() after
     * Runner.close() does not wait for them again).
     */
    public void cancelAllTasks() {
        long start = 0, deadline = 0;
        for (int round = 0; round < 10; round++) {
            Set<Task<?>> tasks = tasksToShutDown();
            if (tasks.isEmpty()) {
                return;
            }
            takeOver();
            if (round == 0) {
                start = now();
                deadline = saturatedAdd(start, shutdownTimeoutNanos);
            }
            if (!cancelAndAwait(tasks, deadline)) {
                break;                    // time is up
            }
        }
        Set<Task<?>> refusing = tasksToShutDown();
        for (Task<?> t : refusing) {
            reportRefusal(t, now() - start);
        }
        leftBehind.addAll(refusing);
    }

    private Set<Task<?>> tasksToShutDown() {
        Set<Task<?>> tasks = new LinkedHashSet<>(allTasks());
        tasks.removeAll(leftBehind);
        return tasks;
    }

    /** One round: cancels the tasks and runs the loop until they have ended (true) or the deadline passed (false). */
    private boolean cancelAndAwait(Set<Task<?>> tasks, long deadline) {
        for (Task<?> t : tasks) {
            t.cancel();
        }
        FutureImpl<Void> all = new FutureImpl<>(this);
        int[] left = {tasks.size()};
        for (Task<?> t : tasks) {
            ((FutureImpl<?>) t).addDoneCallback(f -> {
                if (--left[0] == 0 && !all.isDone()) {
                    all.complete(null);
                }
            });
        }
        TimerHandleImpl giveUp = callAtNanos(deadline, () -> {
            if (!all.isDone()) {
                all.complete(null);
            }
        });
        try {
            runUntilComplete(all);
        } finally {
            giveUp.cancel();
        }
        for (Task<?> t : tasks) {
            Throwable e = ((FutureImpl<?>) t).exceptionOrNull();
            if (e != null) {
                callExceptionHandler(new ExceptionContext(
                        "unhandled exception during shutdown of the event loop", e, t, null));
            }
        }
        return left[0] == 0;
    }

    private void reportRefusal(Task<?> t, long waitedNanos) {
        String waited = String.format("%.3f", waitedNanos / 1e9);
        IllegalStateException where = new IllegalStateException("task '" + t.getName() + "' still runs " + waited
                + " s of loop time after it was cancelled at shutdown; this is its stack");
        where.setStackTrace(t.getStack());
        callExceptionHandler(new ExceptionContext("Task refused to end when the event loop shut down: " + t
                + " did not end within " + waited + " s of loop time after it was cancelled; the loop closes anyway"
                + " and leaves it pending, parked where its stack shows", where, t, null));
    }

    // ================================================================== executor

    @Override
    public <T> Future<T> runInExecutor(Executor executor, Callable<T> call) {
        Objects.requireNonNull(call, "call");
        checkOpen();
        checkThread("runInExecutor");
        return executorCalls.submit(executor, call);
    }

    @Override
    public void setDefaultExecutor(ExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        checkThread("setDefaultExecutor");
        executorCalls.set(executor);
    }

    @Override
    public void shutdownDefaultExecutor() {
        executorCalls.shutdown();
    }

    // ================================================================== exceptions and debug

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        this.handler = handler;
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return handler;
    }

    @Override
    public void callExceptionHandler(ExceptionContext context) {
        Objects.requireNonNull(context, "context");
        ExceptionHandler h = handler;
        if (h == null) {
            defaultExceptionHandler(context);
            return;
        }
        try {
            h.handle(this, context);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "Unhandled error in exception handler while handling: " + context.message(), t);
        }
    }

    private void defaultExceptionHandler(ExceptionContext c) {
        StringBuilder sb = new StringBuilder(c.message());
        if (c.future() != null) {
            sb.append("\n  future: ").append(c.future());
        }
        if (c.handle() != null) {
            sb.append("\n  handle: ").append(c.handle());
        }
        LOG.log(System.Logger.Level.ERROR, sb.toString(), c.exception());
    }

    /** Holds the report of a failed future until it is settled (any thread). */
    void trackUnretrieved(FutureImpl.Unretrieved u) {
        if (!detached) {                // the detached loop never closes: the Cleaner reports
            unretrieved.add(u);
        }
    }

    void untrackUnretrieved(FutureImpl.Unretrieved u) {
        unretrieved.remove(u);
    }

    /** At close: every failed future of this loop whose exception nobody read, reported once. */
    private void reportUnretrieved() {
        for (FutureImpl.Unretrieved u : unretrieved) {
            u.reportNow();
        }
    }

    @Override
    public void setDebug(boolean enabled) {
        debug = enabled;
        if (enabled && owner != null && isCarriedHere()) {
            startWatch();
        }
    }

    @Override
    public boolean getDebug() {
        return debug;
    }

    @Override
    public void setSlowCallbackDuration(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("slow callback duration is negative: " + duration);
        }
        slowNanos = durationToNanos(duration);
    }

    /**
     * A timed step (debug mode, or a recording enables JFR's SlowStep): counted for
     * {@code longestStep}, and if slower than the slow-callback duration reported to the
     * exception handler (debug mode) and as a SlowStep event (if enabled).
     */
    private void runTimed(Runnable r) {
        Object event = Jfr.beginSlowStep(spareSlowStep);
        spareSlowStep = null;
        if (event != null && watch == null) {
            startWatch();                 // SlowStep's stack is the watch's sample, as in debug mode
        }
        DebugWatch w = watch;
        long t0 = System.nanoTime();
        if (w != null) {
            w.begin(t0, r instanceof TaskImpl<?> t ? t : null);
        }
        runStep(r);
        long dt = System.nanoTime() - t0;
        StackTraceElement[] sample = w != null ? w.end(t0) : null;
        if (dt > longestNanos) {
            longestNanos = dt;
            longest = new Longest(dt, describe(r));
        }
        if (dt < slowNanos) {
            spareSlowStep = event;            // not committed: the next step reuses it
        } else {
            if (event != null) {
                StackTraceElement[] where = sample != null ? sample
                        : r instanceof TaskImpl<?> t ? t.getStack() : null;
                Jfr.slowStep(event, describe(r), where, slowNanos, name);
            }
            if (debug) {
                callExceptionHandler(DebugWatch.slowStep(r, dt, sample));
            }
        }
    }

    /** A ready entry as statistics and events name it: the task's name, else the callback. */
    private static String describe(Runnable r) {
        return r instanceof TaskImpl<?> t ? t.getName() : String.valueOf(r);
    }

    // ================================================================== observability

    /** The loop's name, {@code loop-<n>}: in toString, the JMX MBean's name and the JFR events. */
    public String name() {
        return name;
    }

    /** Whether the loop registers a JMX MBean when it first runs ({@code RunOptions.withJmx}). */
    public void setJmx(boolean enabled) {
        jmx = enabled;
    }

    /** The thread running the loop, or null while it is idle. */
    Thread owner() {
        return owner;
    }

    @Override
    public LoopStatistics statistics() {
        IoPoller p = wakeIo;
        Longest l = longest;
        return new LoopStatistics(liveCount, Math.max(0, ready.size()) + inbox.size(), timers.size(),
                p == null ? 0 : Math.max(0, p.waiting()), iterations, steps, callbacks,
                Duration.ofNanos(l == null ? 0 : l.nanos()), l == null ? null : l.entry(),
                Duration.ofNanos(lagNanos));
    }

    long slowNanos() {
        return slowNanos;
    }

    private void startWatch() {
        if (watch == null) {
            watch = new DebugWatch(this);
            watch.start("asyncio4j-debug-watch-loop" + id);
        }
    }

    private void stopWatch() {
        DebugWatch w = watch;
        watch = null;
        if (w != null) {
            w.stop();
        }
    }

    // ================================================================== task dump

    /** How long {@link #dumpTasks()} from another thread waits for the running loop to take the dump. */
    private static final Duration DUMP_WAIT = Duration.ofSeconds(1);

    /**
     * {@code EventLoop.dumpTasks()}: on the loop's thread (or an idle loop's home) read
     * directly; from any other thread, {@link #dumpTasksFromAnyThread} with a one-second wait.
     */
    @Override
    public String dumpTasks() {
        if (isConfinedHere()) {
            return TaskDump.render(this, null, TaskDump.Part.ALL);
        }
        return dumpTasksFromAnyThread(DUMP_WAIT);
    }

    /**
     * The task dump from any thread (a JMX thread, a watchdog), never blocking the loop and
     * never waiting longer than about {@code timeout}:
     * <ul>
     *   <li>on the loop's thread, or an idle loop's home thread: read directly;</li>
     *   <li>while the loop runs: the dump is posted through the inbox, runs between two steps,
     *       and the caller waits for it;</li>
     *   <li>while the loop is idle (or once it stops before taking the posted dump): read by the
     *       caller holding {@code handover}, so no thread starts running the loop meanwhile
     *       (its home thread may still touch it directly, as a confined caller: the dump is then
     *       a best effort);</li>
     *   <li>if the running loop does not take the dump within {@code timeout} (a step holds
     *       the loop, as when a task blocks its thread: often what the dump is wanted for):
     *       read without the loop's cooperation, a best effort that the dump says it is.</li>
     * </ul>
     * An interrupt of the caller ends the wait early (with the best-effort read; the interrupt
     * stays set).
     *
     * @param timeout how long to wait for a running loop
     * @return the dump
     * @throws NullPointerException if {@code timeout} is null
     */
    public String dumpTasksFromAnyThread(Duration timeout) {
        return dumpTasksFromAnyThread(timeout, TaskDump.Part.ALL);
    }

    /** {@link #dumpTasksFromAnyThread(Duration)}, showing only {@code part} after the heading. */
    String dumpTasksFromAnyThread(Duration timeout, TaskDump.Part part) {
        Objects.requireNonNull(timeout, "timeout");
        if (isConfinedHere()) {
            return TaskDump.render(this, null, part);
        }
        long deadline = System.nanoTime() + Math.max(0, durationToNanos(timeout));
        java.util.concurrent.CompletableFuture<String> out = new java.util.concurrent.CompletableFuture<>();
        HandleImpl posted = null;
        if (!closed && owner != null) {
            posted = new HandleImpl(this, () -> out.complete(TaskDump.render(this, null, part)));
            schedule(posted);
        }
        boolean interrupted = false;
        while (!out.isDone()) {
            if (owner == null) {
                synchronized (handover) {
                    if (owner == null && !out.isDone()) {
                        if (posted != null) {
                            posted.cancel();
                        }
                        return TaskDump.render(this, "read by thread '" + Thread.currentThread().getName()
                                + "' while the loop was " + (closed ? "closed" : "idle"), part);
                    }
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || interrupted) {
                break;
            }
            try {
                return out.get(Math.min(left, 10_000_000L), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException again) {
                // loop: look at the loop's state again
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                break;                    // the dump failed on the loop: read it here instead
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (out.isDone() && !out.isCompletedExceptionally()) {
            return out.join();
        }
        if (posted != null) {
            posted.cancel();
        }
        Thread o = owner;
        return TaskDump.render(this, "best effort: the loop thread '" + (o == null ? "?" : o.getName())
                + "' did not take the dump within " + timeout.toMillis() + " ms (a step may be holding it"
                + (current != null ? ": task " + current.getName() + " runs" : "") + "); read by thread '"
                + Thread.currentThread().getName() + "' without the loop's cooperation, so it may be inconsistent", part);
    }

    // ================================================================== signals

    private volatile boolean signalHandlers;   // set by the first addSignalHandler: close then removes them

    @Override
    public void addSignalHandler(String signal, Runnable callback) {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(callback, "callback");
        checkOpen();
        signalHandlers = true;
        Signals.register(signal, this, () -> {
            try {
                callSoonThreadsafe(callback);
            } catch (IllegalStateException closedMeanwhile) {
                // the loop closed as the signal came: dropped, as a late callback is
            }
        });
        if (closed) {                 // close() ran between checkOpen and register: undo it
            Signals.unregisterAll(this);
            throw new IllegalStateException("Event loop is closed");
        }
    }

    @Override
    public boolean removeSignalHandler(String signal) {
        Objects.requireNonNull(signal, "signal");
        return Signals.unregister(signal, this);
    }

    /** close(): after {@code closed} is set, so an addSignalHandler racing it sees one or the other. */
    private void removeSignalHandlers() {
        if (signalHandlers) {
            Signals.unregisterAll(this);
        }
    }

    // ================================================================== low-level sockets, reader/writer callbacks, subprocess protocols

    private LowLevelSockets lowLevel;          // created by the first sock_* call or reader/writer callback

    private LowLevelSockets lowLevel() {
        LowLevelSockets l = lowLevel;
        if (l == null) {
            lowLevel = l = new LowLevelSockets(this);
        }
        return l;
    }

    @Override
    public void sockConnect(java.nio.channels.SocketChannel channel, java.net.SocketAddress address) throws java.io.IOException {
        lowLevel().sockConnect(channel, address);
    }

    @Override
    public java.nio.channels.SocketChannel sockAccept(java.nio.channels.ServerSocketChannel channel) throws java.io.IOException {
        return lowLevel().sockAccept(channel);
    }

    @Override
    public byte[] sockRecv(java.nio.channels.SocketChannel channel, int n) throws java.io.IOException {
        return lowLevel().sockRecv(channel, n);
    }

    @Override
    public int sockRecvInto(java.nio.channels.SocketChannel channel, java.nio.ByteBuffer buffer) throws java.io.IOException {
        return lowLevel().sockRecvInto(channel, buffer);
    }

    @Override
    public void sockSendall(java.nio.channels.SocketChannel channel, java.nio.ByteBuffer data) throws java.io.IOException {
        lowLevel().sockSendall(channel, data);
    }

    @Override
    public void sockSendall(java.nio.channels.SocketChannel channel, byte[] data) throws java.io.IOException {
        lowLevel().sockSendall(channel, java.nio.ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    @Override
    public long sockSendfile(java.nio.channels.SocketChannel channel, java.nio.channels.FileChannel file, long offset,
            long count) throws java.io.IOException {
        return lowLevel().sockSendfile(channel, file, offset, count);
    }

    @Override
    public void addReader(java.nio.channels.SelectableChannel channel, Runnable callback) {
        lowLevel().addWatch(channel, callback, true);
    }

    @Override
    public boolean removeReader(java.nio.channels.SelectableChannel channel) {
        return lowLevel().removeWatch(channel, true);
    }

    @Override
    public void addWriter(java.nio.channels.SelectableChannel channel, Runnable callback) {
        lowLevel().addWatch(channel, callback, false);
    }

    @Override
    public boolean removeWriter(java.nio.channels.SelectableChannel channel) {
        return lowLevel().removeWatch(channel, false);
    }

    @Override
    public <P extends org.asyncio4j.protocols.SubprocessProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.SubprocessTransport, P> subprocessExec(
            java.util.function.Supplier<P> protocolFactory, String... command) throws java.io.IOException {
        return SubprocessProtocolEngine.exec(this, protocolFactory, command);
    }

    @Override
    public <P extends org.asyncio4j.protocols.SubprocessProtocol>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.SubprocessTransport, P> subprocessShell(
            java.util.function.Supplier<P> protocolFactory, String command) throws java.io.IOException {
        return SubprocessProtocolEngine.exec(this, protocolFactory, "/bin/sh", "-c", Objects.requireNonNull(command, "command"));
    }

    /**
     * {@link #runUntilComplete(Callable)} for Runner: the task runs in {@code context} (the
     * runner's, shared by its runs, as Python's Runner does), and is handed to {@code started}
     * (null: nobody) before the loop runs it (Runner's SIGINT guard needs the main task).
     */
    public <T> T runMain(Callable<T> body, org.asyncio4j.Context context, java.util.function.Consumer<? super Task<T>> started) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        if (Thread.currentThread().isVirtual() && running() == null) {
            return onPlatformThread(() -> runMain(body, context, started));
        }
        takeOver();
        Task<T> t = createTask(body, null, context);
        if (started != null) {
            started.accept(t);
        }
        return runUntilComplete(t);
    }

    @Override
    public String toString() {
        return "EventLoop[" + (closed ? "closed" : owner != null ? "running" : "idle") + " name=" + name
                + " ready=" + ready.size() + " timers=" + timers.size() + " tasks=" + liveCount
                + (debug ? " debug" : "") + "]";
    }

    // ================================================================== stream protocols (ProtocolEngine)

    private java.nio.ByteBuffer protocolReadBuffer;  // made on first use

    /** The buffer every protocol transport of this loop reads into: one reader runs at a time. */
    java.nio.ByteBuffer protocolReadBuffer() {
        java.nio.ByteBuffer b = protocolReadBuffer;
        if (b == null) {
            protocolReadBuffer = b = java.nio.ByteBuffer.allocate(64 * 1024);
        }
        return b;
    }

    @Override
    public <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createConnection(
                    java.util.function.Supplier<P> protocolFactory, String host, int port) throws java.io.IOException {
        return ProtocolEngine.createConnection(this, protocolFactory, host, port, org.asyncio4j.streams.StreamOptions.defaults());
    }

    @Override
    public <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createConnection(
                    java.util.function.Supplier<P> protocolFactory, String host, int port,
                    org.asyncio4j.streams.StreamOptions options) throws java.io.IOException {
        return ProtocolEngine.createConnection(this, protocolFactory, host, port, options);
    }

    @Override
    public <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createConnection(
                    java.util.function.Supplier<P> protocolFactory, java.nio.channels.SocketChannel channel)
                    throws java.io.IOException {
        return ProtocolEngine.createConnection(this, protocolFactory, channel, org.asyncio4j.streams.StreamOptions.defaults());
    }

    @Override
    public <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createUnixConnection(
                    java.util.function.Supplier<P> protocolFactory, java.nio.file.Path path) throws java.io.IOException {
        return ProtocolEngine.createUnixConnection(this, protocolFactory, path, org.asyncio4j.streams.StreamOptions.defaults());
    }

    @Override
    public <P extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>>
            org.asyncio4j.protocols.TransportAndProtocol<org.asyncio4j.protocols.Transport, P> createUnixConnection(
                    java.util.function.Supplier<P> protocolFactory, java.nio.file.Path path,
                    org.asyncio4j.streams.StreamOptions options) throws java.io.IOException {
        return ProtocolEngine.createUnixConnection(this, protocolFactory, path, options);
    }

    @Override
    public org.asyncio4j.streams.Server createServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>> protocolFactory,
            String host, int port) throws java.io.IOException {
        return ProtocolEngine.createServer(this, protocolFactory, host, port, org.asyncio4j.streams.StreamOptions.defaults());
    }

    @Override
    public org.asyncio4j.streams.Server createServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>> protocolFactory,
            String host, int port, org.asyncio4j.streams.StreamOptions options) throws java.io.IOException {
        return ProtocolEngine.createServer(this, protocolFactory, host, port, options);
    }

    @Override
    public org.asyncio4j.streams.Server createServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.BaseProtocol<org.asyncio4j.protocols.Transport>> protocolFactory,
            java.nio.channels.ServerSocketChannel channel) throws java.io.IOException {
        return ProtocolEngine.createServer(this, protocolFactory, channel, org.asyncio4j.streams.StreamOptions.defaults());
    }

    @Override
    public org.asyncio4j.streams.Server createUnixServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.Protocol> protocolFactory, java.nio.file.Path path)
            throws java.io.IOException {
        return ProtocolEngine.createUnixServer(this, protocolFactory, path, org.asyncio4j.streams.StreamOptions.defaults());
    }

    @Override
    public org.asyncio4j.streams.Server createUnixServer(
            java.util.function.Supplier<? extends org.asyncio4j.protocols.Protocol> protocolFactory, java.nio.file.Path path,
            org.asyncio4j.streams.StreamOptions options) throws java.io.IOException {
        return ProtocolEngine.createUnixServer(this, protocolFactory, path, options);
    }

    @Override
    public org.asyncio4j.protocols.Transport startTls(org.asyncio4j.protocols.Transport transport,
            org.asyncio4j.protocols.Protocol protocol, javax.net.ssl.SSLContext sslContext, boolean serverSide,
            String serverHostname) throws java.io.IOException {
        return ProtocolEngine.startTls(this, transport, protocol, sslContext, serverSide, serverHostname);
    }

    @Override
    public long sendfile(org.asyncio4j.protocols.Transport transport, java.nio.channels.FileChannel file, long offset,
            long count) throws java.io.IOException {
        return ProtocolEngine.sendfile(this, transport, file, offset, count);
    }

    // ================================================================== name resolution (issue 13)

    @Override
    public java.util.List<java.net.InetSocketAddress> getaddrinfo(String host, int port) throws java.io.IOException {
        Objects.requireNonNull(host, "host");
        TaskImpl<?> task = TaskImpl.current();
        if (task == null || task.loop != this) {
            throw new IllegalStateException("getaddrinfo() must be called from a task of " + this);
        }
        return NetEngine.ENGINE.getaddrinfo(host, port);
    }
}
