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
 * Arguments: {@code [event|sleeps|both] [--tasks N] [--rounds R]}. Run with a heap of a few GiB:
 * {@code java --add-opens java.base/java.lang=ALL-UNNAMED -Xmx6g -XX:+UseParallelGC -cp ...
 * org.asyncio4j.benchmarks.MillionTasks}.
 */
public final class MillionTasks {

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        String which = args.length > 0 && !args[0].startsWith("--") ? args[0] : "both";
        int tasks = 1_000_000, rounds = 5;
        for (int i = 0; i + 1 < args.length; i++) {
            switch (args[i]) {
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> { }
            }
        }
        int n = tasks;
        int r = rounds;
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
                    System.out.printf("sleeps round %d: mean lateness %.0f ms, worst %.0f ms (%,d tasks sleeping 0..1 s)%n",
                            round, late[0], late[1], n);
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

    /** Mean and worst lateness in ms of n sleeps of random 0..1 s. */
    static double[] sleepsRound(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] lateSum = new double[1];
        double[] worst = new double[1];
        List<Task<Void>> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double d = rnd.nextDouble();
            ts.add(createTask(() -> {
                // The deadline counts from the task's own sleep call, not from the round's start:
                // creating a million tasks takes about a second itself.
                long deadline = System.nanoTime() + (long) (d * 1e9);
                sleep(d);
                double late = (System.nanoTime() - deadline) / 1e6;
                lateSum[0] += late;                 // loop-confined: no race
                worst[0] = Math.max(worst[0], late);
            }));
        }
        for (Task<Void> t : ts) {
            t.await();
        }
        return new double[] {lateSum[0] / n, worst[0]};
    }
}
