package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.asyncio4j.Task;
import org.asyncio4j.sync.Event;

/**
 * A million tasks on one loop, the scale where JIT deoptimizations and GC show up (issue 11):
 * <ul>
 *   <li>{@code event}: create N tasks that park on one {@link Event}, set it, await them all;
 *       the time per task of the whole cycle (spawn, park, wake, finish), every round;</li>
 *   <li>{@code sleeps}: N tasks each sleeping a random 0..1 s; the mean and worst lateness of
 *       their wake-ups against their deadlines (each counted from the task's own sleep call).</li>
 * </ul>
 * Arguments: {@code [event|sleeps|both] [--tasks N] [--rounds R] [--peer]} ({@code --peer}: the
 * same with plain virtual threads instead of tasks). Run with a heap of a few GiB:
 * {@code java --add-opens java.base/java.lang=ALL-UNNAMED -Xmx6g -XX:+UseParallelGC -cp ...
 * org.asyncio4j.benchmarks.MillionTasks}.
 */
public final class MillionTasks {

    public static void main(String[] args) throws InterruptedException {
        Locale.setDefault(Locale.ROOT);
        String which = args.length > 0 && !args[0].startsWith("--") ? args[0] : "both";
        int tasks = 1_000_000, rounds = 5;
        boolean peer = args.length > 0 && args[args.length - 1].equals("--peer");
        for (int i = 0; i + 1 < args.length; i++) {
            switch (args[i]) {
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--peer" -> peer = true;
                default -> { }
            }
        }
        int n = tasks;
        int r = rounds;
        if (peer) {
            // Plain virtual threads, started from this platform thread, on the JDK's scheduler
            // (one carrier with -Djdk.virtualThreadScheduler.parallelism=1; its timed parks are
            // ended by the JDK's own timer threads, on the other core).
            for (int round = 1; round <= r && !which.equals("sleeps"); round++) {
                System.out.printf("threads event  round %d: %.2f us per thread%n", round, threadsEventRound(n) / 1e3);
            }
            for (int round = 1; round <= r && !which.equals("event"); round++) {
                double[] late = threadsSleepsRound(n, round);
                System.out.printf("threads sleeps round %d: mean lateness %.0f ms, worst %.0f ms%n", round, late[0], late[1]);
            }
            return;
        }
        if (!which.equals("sleeps")) {
            run(() -> {
                for (int round = 1; round <= r; round++) {
                    System.out.printf("event  round %d: %.2f us per task (%,d tasks parked on one Event, woken, finished)%n",
                            round, eventRound(n) / 1e3, n);
                }
            });
        }
        if (!which.equals("event")) {
            run(() -> {
                for (int round = 1; round <= r; round++) {
                    double[] late = sleepsRound(n, round);
                    System.out.printf("sleeps round %d: mean lateness %.0f ms, worst %.0f ms (%,d tasks sleeping 0..1 s;"
                            + " all created at %.0f ms, all first steps run at %.0f, last wake-up at %.0f)%n",
                            round, late[0], late[1], n, late[2], late[3], late[4]);
                }
            });
        }
    }

    /** One cycle; nanoseconds per task. */
    static double eventRound(int n) {
        Event e = new Event();
        long t0 = System.nanoTime();
        List<Task<Void>> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ts.add(createTask(() -> e.await()));
        }
        sleep(0);                                   // every task runs to its park
        e.set();
        for (Task<Void> t : ts) {
            t.await();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    /**
     * Mean and worst lateness in ms of n sleeps of random 0..1 s, then the round's phases in ms
     * from its start: every task created, every first step run (each task in its sleep), the
     * last wake-up.
     */
    static double[] sleepsRound(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] lateSum = new double[1];
        double[] worst = new double[1];
        long[] started = new long[1];
        long[] lastStart = new long[1];
        long[] lastEnd = new long[1];
        List<Task<Void>> ts = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            double d = rnd.nextDouble();
            ts.add(createTask(() -> {
                // The deadline counts from the task's own sleep call, not from the round's start:
                // creating a million tasks takes about a second itself.
                long deadline = System.nanoTime() + (long) (d * 1e9);
                if (++started[0] == n) {            // loop-confined: no race
                    lastStart[0] = System.nanoTime();
                }
                sleep(d);
                long now = System.nanoTime();
                double late = (now - deadline) / 1e6;
                lateSum[0] += late;
                worst[0] = Math.max(worst[0], late);
                lastEnd[0] = now;
            }));
        }
        long created = System.nanoTime();
        for (Task<Void> t : ts) {
            t.await();
        }
        return new double[] {lateSum[0] / n, worst[0], (created - t0) / 1e6, (lastStart[0] - t0) / 1e6, (lastEnd[0] - t0) / 1e6};
    }

    /** The plain-thread peer of {@link #eventRound}: n virtual threads parked on one latch; ns per thread. */
    static double threadsEventRound(int n) throws InterruptedException {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        long t0 = System.nanoTime();
        Thread[] ts = org.asyncio4j.benchmarks.jmh.MemoryProbe.startParked(n, gate);
        gate.countDown();
        for (Thread t : ts) {
            t.join();
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    /** The plain-thread peer of {@link #sleepsRound}: mean and worst lateness in ms of n Thread.sleep(random 0..1 s). */
    static double[] threadsSleepsRound(int n, long seed) throws InterruptedException {
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.concurrent.atomic.DoubleAdder lateSum = new java.util.concurrent.atomic.DoubleAdder();
        java.util.concurrent.atomic.LongAccumulator worst = new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
        Thread[] ts = new Thread[n];
        for (int i = 0; i < n; i++) {
            long nanos = (long) (rnd.nextDouble() * 1e9);
            ts[i] = Thread.ofVirtual().start(() -> {
                long deadline = System.nanoTime() + nanos;
                try {
                    Thread.sleep(java.time.Duration.ofNanos(nanos));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                long late = System.nanoTime() - deadline;
                lateSum.add(late / 1e6);
                worst.accumulate(late);
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        return new double[] {lateSum.sum() / n, worst.get() / 1e6};
    }
}
