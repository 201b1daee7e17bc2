package org.asyncio4j.internal.carrier;

import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * The fast mode: a task's thread is a virtual thread whose scheduler is the task itself, made
 * with the JDK internals {@link Carrier} reaches; its continuation is the JDK's, run by the loop
 * on the loop's own thread. Every call is the plain JDK operation.
 */
final class FastThreads implements TaskThreads {

    static final FastThreads INSTANCE = new FastThreads();

    private FastThreads() {
    }

    @Override
    public Thread newThread(Scheduler scheduler, String name, Runnable body) {
        return Carrier.newVirtualThread(scheduler, name, body);
    }

    @Override
    public void start(Thread thread, Runnable continuation) {
        thread.start();                   // the JDK calls execute(continuation)
    }

    @Override
    public void park(Runnable continuation, Object blocker) {
        LockSupport.park(blocker);
    }

    @Override
    public void unpark(Thread thread, Runnable continuation) {
        LockSupport.unpark(thread);
    }

    @Override
    public void yieldNow(Runnable continuation) {
        Thread.yield();                   // the continuation yields: execute puts it at the back
    }

    @Override
    public Executor currentScheduler() {
        Thread t = Thread.currentThread();
        return t.isVirtual() ? Carrier.schedulerOf(t) : null;
    }

    @Override
    public boolean holdsTurn(Runnable continuation) {
        return true;
    }

    @Override
    public boolean carriedBy(Thread owner) {
        return Carrier.currentCarrierThread() == owner;
    }

    @Override
    public Thread.State state(Thread thread, Runnable continuation) {
        return thread.getState();
    }
}
