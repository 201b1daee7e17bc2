package org.asyncio4j.internal.carrier;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * The portable mode: a task's thread is a plain virtual thread of the JDK's default scheduler,
 * and its continuation is a {@link Baton}, which lets one task of a loop run at a time.
 *
 * <h2>Implementation overview</h2>
 * The loop runs a task's step by running its baton ({@link Baton#run}) on the loop's thread (the
 * <em>stepper</em>): the baton gives the task's thread the turn (starts it the first time,
 * unparks it after) and parks the stepper until the task hands the turn back, which it does
 * only at an asyncio4j suspension point: {@link #park} (it waits to be woken), {@link #yieldNow}
 * (it goes to the back of the ready queue) or the end of its body. While the task runs, the loop
 * thread waits, so the loop's state is touched by one thread at a time, as in the fast mode:
 * the volatile {@code state} written by the side that gives the turn up and read by the side
 * that takes it orders every write of one step before the next step's reads. A JDK blocking
 * call inside a task keeps the turn: the task's virtual thread unmounts from its carrier (a
 * thread of the default scheduler), the loop thread goes on waiting.
 *
 * <h2>States</h2>
 * <pre>
 *   NEW --start--> QUEUED --run (stepper)--> RUNNING --park-----> PARKED --unpark--> QUEUED
 *                                                   --yieldNow--> YIELDED --stepper--> QUEUED
 *                                                   --body ends--> DONE
 * </pre>
 * QUEUED is the only state with an entry in the ready queue (one entry at most: every way into
 * it is a single write by the turn's holder or a CAS from PARKED). A wake-up of a running task
 * ({@link #unpark} while RUNNING) leaves a permit that its next park consumes, as
 * {@code LockSupport} does. The stepper of a yield re-queues the task itself after the task has
 * handed the turn back, so the entry goes to the ready queue's tail from the loop's thread, as
 * the JDK does for a yielding virtual thread of the fast mode.
 *
 * <p>The stepper spins briefly before it parks ({@link Baton#STEPPER_SPINS}); the task's thread
 * parks at once (its next turn is usually further away, and a spinning virtual thread would
 * hold one of the default scheduler's carriers).
 *
 * <h2>Interrupts</h2>
 * An interrupt of a task that waits for the turn wakes it as it wakes a parked virtual thread
 * in the fast mode: the task's thread clears it (so its waiting does not spin), queues itself
 * if it was PARKED (through the loop's inbox: it does not hold the turn), and sets it again
 * once it has the turn, where the asyncio4j suspension point it parked in sees it. An interrupt
 * of the stepper while it waits is kept for it the same way.
 */
final class PortableThreads implements TaskThreads {

    static final PortableThreads INSTANCE = new PortableThreads();

    /** The baton of the task whose thread this is; set once, by the thread itself. */
    private static final ThreadLocal<Baton> CURRENT = new ThreadLocal<>();

    private PortableThreads() {
    }

    @Override
    public Thread newThread(Scheduler scheduler, String name, Runnable body) {
        Baton b = new Baton(scheduler, body);
        Thread t = Thread.ofVirtual().name(name).unstarted(b::runThread);
        b.thread = t;
        scheduler.bind(b);
        return t;
    }

    @Override
    public void start(Thread thread, Runnable continuation) {
        Baton b = (Baton) continuation;
        b.state = Baton.QUEUED;
        b.scheduler.execute(b);           // the first step starts the thread
    }

    @Override
    public void park(Runnable continuation, Object blocker) {
        ((Baton) continuation).park(blocker);
    }

    @Override
    public void unpark(Thread thread, Runnable continuation) {
        ((Baton) continuation).unpark();
    }

    @Override
    public void yieldNow(Runnable continuation) {
        ((Baton) continuation).handBack(Baton.YIELDED, null);
    }

    @Override
    public Executor currentScheduler() {
        if (!Thread.currentThread().isVirtual()) {
            return null;                  // no thread-local lookup (nor map) on platform threads
        }
        Baton b = CURRENT.get();
        return b != null ? b.scheduler : null;
    }

    @Override
    public boolean holdsTurn(Runnable continuation) {
        return ((Baton) continuation).state == Baton.RUNNING;
    }

    @Override
    public boolean carriedBy(Thread owner) {
        return false;                     // a default-scheduler thread is carried by no loop
    }

    @Override
    public Thread.State state(Thread thread, Runnable continuation) {
        if (!(continuation instanceof Baton b)) {
            return thread.getState();
        }
        return switch (b.state) {
            case Baton.QUEUED, Baton.YIELDED -> Thread.State.RUNNABLE;
            case Baton.PARKED -> Thread.State.WAITING;
            case Baton.DONE -> Thread.State.TERMINATED;
            case Baton.RUNNING -> {
                Thread.State s = thread.getState();
                yield s == Thread.State.NEW ? Thread.State.RUNNABLE : s;   // being started
            }
            default -> thread.getState();
        };
    }

    /** One task's turn: the continuation the loop runs for it. */
    static final class Baton implements Runnable {
        static final int NEW = 0, QUEUED = 1, RUNNING = 2, PARKED = 3, YIELDED = 4, DONE = 5;

        private static final VarHandle STATE;

        /**
         * How many spin-wait hints the stepper gives a step before it parks (tens of
         * microseconds): a task's step between two suspension points is usually shorter, and a
         * hand-back caught spinning needs no wake-up of the loop thread (on this project's
         * loaded 2-core machine a sleep(0) switch went from about 12 us to 0.5 us; a spinning
         * task side instead made two tasks' hand-offs dearer: the tasks' threads then hold the
         * default scheduler's few carriers).
         */
        private static final int STEPPER_SPINS = 1000;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Baton.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Scheduler scheduler;
        private final Runnable body;
        Thread thread;                    // set once, right after construction
        volatile int state;
        private volatile Thread stepper;  // the thread running the current step, waiting for the turn back
        private boolean started;          // the steppers' (one at a time)
        private boolean permit;           // an unpark while RUNNING; the turn's holder's

        Baton(Scheduler scheduler, Runnable body) {
            this.scheduler = scheduler;
            this.body = body;
        }

        /** One step (the stepper: the loop's thread): gives the task the turn and waits for it back. */
        @Override
        public void run() {
            if (state != QUEUED) {
                return;                   // not queued: no step to run (never expected)
            }
            Thread me = Thread.currentThread();
            stepper = me;
            state = RUNNING;              // publishes the loop's state to the task
            if (!started) {
                started = true;
                thread.start();
            } else {
                LockSupport.unpark(thread);
            }
            boolean interrupted = false;
            for (int spin = STEPPER_SPINS; spin > 0 && state == RUNNING; spin--) {
                Thread.onSpinWait();      // most steps are short: caught here, the hand-back wakes no one
            }
            // `stepper == me`: a step of a closed loop's task may be run by an orphan thread as
            // soon as the task parks; this stepper then stops waiting, the new one waits.
            while (state == RUNNING && stepper == me) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (state == YIELDED && stepper == me) {
                state = QUEUED;
                scheduler.execute(this);  // from the stepper: the ready queue's tail
            }
            if (interrupted) {
                me.interrupt();
            }
        }

        /** The task's thread: runs the body in the turn the first step gave, hands it back at the end. */
        void runThread() {
            CURRENT.set(this);
            try {
                body.run();
            } finally {
                Thread s = stepper;
                state = DONE;
                LockSupport.unpark(s);
            }
        }

        /** The task (holding the turn) waits to be woken; returns at once on a permit or an interrupt. */
        void park(Object blocker) {
            if (permit) {
                permit = false;
                return;
            }
            if (Thread.currentThread().isInterrupted()) {
                return;                   // as LockSupport.park: the caller sees the interrupt
            }
            handBack(PARKED, blocker);
        }

        /** Wakes a parked task (loop-confined caller); a running one keeps a permit. */
        void unpark() {
            int s = state;
            if (s == PARKED) {
                if (STATE.compareAndSet(this, PARKED, QUEUED)) {
                    scheduler.execute(this);
                }
            } else if (s == RUNNING) {
                permit = true;
            }
        }

        /** The task gives the turn back ({@code to}: PARKED or YIELDED) and waits until it has it again. */
        void handBack(int to, Object blocker) {
            Thread s = stepper;
            state = to;
            LockSupport.unpark(s);
            boolean interrupted = false;
            // Two checks, before the first park and after each (an if and a do-while, not one
            // while): the second runs only on a wake-up, so the JIT, compiling this while a
            // million tasks park, leaves no trap on the way out (TaskImpl, "Parked frames and
            // the JIT").
            if (state != RUNNING) {
                do {
                    LockSupport.park(blocker);
                    if (Thread.interrupted()) {
                        interrupted = true;
                        // An interrupt wakes a parked task, as in the fast mode. Not holding the
                        // turn, the task is queued through the loop's inbox (execute sees that).
                        if (STATE.compareAndSet(this, PARKED, QUEUED)) {
                            scheduler.execute(this);
                        }
                    }
                } while (state != RUNNING);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            return "Baton[" + thread + " state=" + state + "]";
        }
    }
}
