package org.asyncio4j.internal;

import java.util.ArrayDeque;

/**
 * The one fair waiter queue under every lock, semaphore, condition, event, barrier and queue.
 *
 * <h2>Implementation overview</h2>
 * A waiter is a future of the loop that the waiting task awaits. Waking hands the waiter a
 * <em>token</em> (the lock, a permit, a reserved item, a free slot, a notification: the
 * primitive decides what it means) by completing its future; waiters are woken strictly in the
 * order they arrived (the FIFO guarantee), and a woken waiter leaves the queue at once, so a
 * new arrival sees the queue and the primitive's state consistently and cannot overtake it.
 *
 * <p>Cancellation safety is decided here, once: a waiter whose task is cancelled while it
 * waits has its future cancelled (Task.cancel does that) and is simply skipped by later wakes;
 * a waiter that was woken and then cancelled before it ran (the race where the cancellation
 * lands after the wake-up was scheduled) gives its token back through the primitive's
 * {@code giveBack} action, which passes it to the next waiter. So a cancelled waiter takes
 * nothing, loses nothing, and wakes the next waiter in its place.
 *
 * <p>A primitive whose token is not handed over but re-checked (a queue's woken getter looks for
 * an item when it runs, as in Python, and a {@code getNowait} may have taken it first) sends a
 * woken waiter that found nothing back with {@link #awaitAgain}: it rejoins <em>ahead</em> of
 * everyone who still waits (they all arrived after it, since it was woken from the head), behind
 * the others who rejoined before it (they were woken, and so had arrived, before it). So the
 * queue is two deques, {@code again} served before {@code waiters}, and overtaking by a nowait
 * call never costs a waiter its place in the line.
 *
 * <p>Cancelled waiters are dropped lazily (when they reach the head) and counted eagerly, so
 * {@link #size()} is exact and every operation is amortised O(1). Loop-confined.
 */
public final class WaiterQueue {
    private final ArrayDeque<FutureImpl<Object>> waiters = new ArrayDeque<>();
    private ArrayDeque<FutureImpl<Object>> again;     // rejoined after a wake-up; served first
    private int live;          // waiters neither woken nor cancelled

    /** Waiting waiters (not woken, not cancelled). */
    public int size() {
        return live;
    }

    /** True if some waiter is waiting. */
    public boolean hasWaiters() {
        return live > 0;
    }

    /**
     * Suspends the current task until a wake hands it a token, and returns the token's value.
     * If the task is cancelled (or interrupted by its TaskGroup) meanwhile, rethrows that; if the
     * wake had already happened, {@code giveBack} runs first so the token is not lost.
     *
     * @param loop     the primitive's loop (the caller is a task of it)
     * @param giveBack passes a token received but not used to the next waiter
     */
    public Object await(EventLoopImpl loop, Runnable giveBack) {
        return await(loop, giveBack, false);
    }

    /**
     * As {@link #await}, for a waiter that was woken and found, when it ran, that the token it
     * was woken for had been taken by a newcomer: it waits again in its place, ahead of every
     * waiter that arrived after it.
     */
    public Object awaitAgain(EventLoopImpl loop, Runnable giveBack) {
        return await(loop, giveBack, true);
    }

    private Object await(EventLoopImpl loop, Runnable giveBack, boolean rejoin) {
        TaskImpl<?> task = TaskImpl.current();
        if (task == null || task.loop != loop) {
            throw new IllegalStateException("waiting on an asyncio4j primitive needs a task of its loop");
        }
        Waiter w = new Waiter(loop);
        if (waiters.size() + (again == null ? 0 : again.size()) > 2 * live + 32) {
            waiters.removeIf(x -> x.state != FutureImpl.PENDING);   // drop cancelled waiters
            if (again != null) {
                again.removeIf(x -> x.state != FutureImpl.PENDING);
            }
        }
        if (rejoin) {
            if (again == null) {
                again = new ArrayDeque<>();
            }
            again.addLast(w);
        } else {
            waiters.addLast(w);
        }
        live++;
        try {
            task.awaitDone(w);
        } catch (Throwable t) {
            if (w.state == FutureImpl.RESULT) {
                giveBack.run();           // woken, then cancelled before it ran: pass the token on
            } else if (w.state == FutureImpl.PENDING) {
                live--;                   // interrupted without its future being cancelled
                w.cancelFuture(null);
            }                             // CANCELLED: counted by Waiter.cancel; EXCEPTION: by failAll
            throw t;
        }
        if (w.state == FutureImpl.CANCELLED) {
            throw w.cancelledException();     // with its cause: debug mode's origin, as any awaited future's
        }
        return w.report();
    }

    /**
     * A waiter stops counting the moment it is cancelled, not when its task next runs: a
     * newcomer arriving in between must see the queue empty (and take the lock at once), or the
     * wake-up it needs would never come.
     */
    private final class Waiter extends FutureImpl<Object> {
        Waiter(EventLoopImpl loop) {
            super(loop);
        }

        @Override
        public boolean cancel(String msg) {
            boolean pending = state == PENDING;
            boolean r = super.cancel(msg);
            if (pending && state == CANCELLED) {
                live--;
            }
            return r;
        }
    }

    /** Wakes the first waiting waiter with a token value; false if none waits. */
    public boolean wakeFirst(Object value) {
        FutureImpl<Object> w;
        while ((w = pollFirst()) != null) {
            if (w.state == FutureImpl.PENDING) {
                live--;
                w.complete(value);
                return true;
            }
        }
        return false;
    }

    /** Wakes every waiting waiter with the same value; returns how many. */
    public int wakeAll(Object value) {
        int n = 0;
        while (wakeFirst(value)) {
            n++;
        }
        return n;
    }

    /** Fails every waiting waiter with an exception (shutdown, broken barrier). */
    public int failAll(Throwable exception) {
        int n = 0;
        FutureImpl<Object> w;
        while ((w = pollFirst()) != null) {
            if (w.state == FutureImpl.PENDING) {
                live--;
                w.fail(exception);
                w.markRetrieved();
                n++;
            }
        }
        return n;
    }

    /** The head of the line: a waiter that rejoined, else the longest-waiting one. */
    private FutureImpl<Object> pollFirst() {
        if (again != null && !again.isEmpty()) {
            return again.pollFirst();
        }
        return waiters.pollFirst();
    }
}
