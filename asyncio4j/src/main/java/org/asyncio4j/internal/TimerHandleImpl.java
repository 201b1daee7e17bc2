package org.asyncio4j.internal;

import org.asyncio4j.TimerHandle;

/** A callback in the timer heap, ordered by (deadline, sequence number). */
class TimerHandleImpl extends HandleImpl implements TimerHandle {
    final long deadline;        // loop clock, nanoseconds
    final long seq;             // scheduling order, breaks ties between equal deadlines
    int heapIndex = -1;         // position in the heap, -1 when not in it

    TimerHandleImpl(EventLoopImpl loop, Runnable callback, long deadline, long seq) {
        super(loop, callback);
        this.deadline = deadline;
        this.seq = seq;
    }

    @Override
    public double when() {
        return deadline / 1e9;
    }

    /**
     * Any thread: flags the timer at once; it leaves the heap directly if the caller may touch
     * loop state, else through the inbox (a foreign thread never touches the heap).
     */
    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            loop.confined(this, null, TimerHandleImpl::leaveHeap, TimerHandleImpl::leaveHeapLater);
        }
    }

    private boolean leaveHeap(String unused) {
        callback = null;
        loop.timerCancelled(this);
        return true;
    }

    private boolean leaveHeapLater(String unused) {
        loop.runOnLoop(() -> leaveHeap(null));
        return true;
    }

    final boolean before(TimerHandleImpl o) {
        return deadline < o.deadline || (deadline == o.deadline && seq < o.seq);
    }

    @Override
    public String toString() {
        return "TimerHandle[when=" + when() + (cancelled ? " cancelled" : " " + callback) + "]";
    }
}
