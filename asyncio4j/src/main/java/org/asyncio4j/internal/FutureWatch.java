package org.asyncio4j.internal;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Watches {@code java.util.concurrent} futures that offer no completion callback (anything but
 * a {@code CompletableFuture}) for {@code wrapFuture}, without holding a thread per future: a
 * blocked {@code get()} per future on the default executor starved {@code toThread}, name
 * resolution and TLS after a handful of them.
 *
 * <h2>Implementation overview</h2>
 * One daemon platform thread, {@code asyncio4j-future-watch}, polls {@code isDone()} of every
 * watched future. Each watch has its own next check; the interval is a tenth of the time the
 * future has waited so far, between {@link #MIN_INTERVAL_NANOS} and
 * {@link #MAX_INTERVAL_NANOS}: a future that completes soon is seen soon, one that waits long
 * costs at most a few checks a second. The thread keeps the watches in a heap by next check
 * (touched by it alone); new watches come through a lock-free queue and are checked at once.
 * Foreign code (the source's {@code isDone}, and the watch's {@code onDone}, which reads the
 * outcome) runs only on this thread, never on a loop. A watch ends when the source is done
 * ({@code onDone} hands the outcome to the loop), or when it is abandoned (the wrapper is done,
 * say cancelled, or its loop closed): nobody could receive the outcome.
 *
 * <p>Start and stop: the thread runs while there is something to watch. {@link #watch} offers,
 * then starts a thread if {@code running} was false, else unparks it. The thread, finding
 * nothing left, clears {@code running} and then re-reads the queue, taking the work back (by
 * CAS) if a watch came meanwhile. Either the producer's CAS or the thread's re-read sees the
 * other, so a watch is never stranded, and at most one thread runs.
 */
final class FutureWatch {
    private FutureWatch() {
    }

    static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long MAX_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final ConcurrentLinkedQueue<Watch> INCOMING = new ConcurrentLinkedQueue<>();
    private static final AtomicBoolean RUNNING = new AtomicBoolean();
    private static volatile Thread thread;

    private static final class Watch {
        final java.util.concurrent.Future<?> source;
        final BooleanSupplier abandoned;
        final Runnable onDone;
        long since;
        long next;

        Watch(java.util.concurrent.Future<?> source, BooleanSupplier abandoned, Runnable onDone) {
            this.source = source;
            this.abandoned = abandoned;
            this.onDone = onDone;
        }
    }

    /**
     * Runs {@code onDone} on the watch thread once {@code source.isDone()} (or once it throws),
     * unless {@code abandoned} says true first. Any thread.
     */
    static void watch(java.util.concurrent.Future<?> source, BooleanSupplier abandoned, Runnable onDone) {
        INCOMING.offer(new Watch(source, abandoned, onDone));
        if (RUNNING.compareAndSet(false, true)) {
            // a platform thread, whoever asks: never a task-like thread of a loop
            thread = Thread.ofPlatform().daemon().name("asyncio4j-future-watch").inheritInheritableThreadLocals(false)
                    .start(FutureWatch::run);
        } else {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    private static void run() {
        thread = Thread.currentThread();   // also set by the starter; a producer seeing neither yet waits one interval at most
        PriorityQueue<Watch> due = new PriorityQueue<>(Comparator.comparingLong((Watch w) -> w.next));
        while (true) {
            long now = System.nanoTime();
            Watch w;
            while ((w = INCOMING.poll()) != null) {
                w.since = now;
                w.next = now;
                due.add(w);
            }
            while ((w = due.peek()) != null && w.next - now <= 0) {
                due.poll();
                if (!settled(w)) {
                    w.next = now + Math.clamp((now - w.since) / 10, MIN_INTERVAL_NANOS, MAX_INTERVAL_NANOS);
                    due.add(w);
                }
            }
            if (due.isEmpty()) {
                RUNNING.set(false);
                if (INCOMING.isEmpty() || !RUNNING.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            LockSupport.parkNanos(FutureWatch.class, due.peek().next - System.nanoTime());
        }
    }

    /** True if the watch is over: abandoned, or the source is done and told. */
    private static boolean settled(Watch w) {
        try {
            if (w.abandoned.getAsBoolean()) {
                return true;
            }
            boolean done;
            try {
                done = w.source.isDone();
            } catch (RuntimeException | Error broken) {
                done = true;              // onDone reads the outcome and meets the same failure
            }
            if (done) {
                w.onDone.run();
            }
            return done;
        } catch (RuntimeException | Error e) {
            // onDone reports its own failures; never let one stop the watch of the others
            return true;
        }
    }
}
