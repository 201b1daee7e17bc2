package org.asyncio4j.internal;

/** The timer of one {@code sleep}: wakes its task directly, with no future in between. */
final class SleepTimer extends TimerHandleImpl {
    private final TaskImpl<?> task;
    boolean fired;

    SleepTimer(EventLoopImpl loop, TaskImpl<?> task, long deadline, long seq) {
        super(loop, null, deadline, seq);
        this.task = task;
    }

    @Override
    public void run() {
        if (!cancelled) {
            fired = true;
            task.wake();
        }
    }

    @Override
    public String toString() {
        return "SleepTimer[when=" + when() + " " + task + "]";
    }
}
