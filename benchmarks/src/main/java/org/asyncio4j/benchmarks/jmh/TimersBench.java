package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.asyncio4j.Task;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;

/**
 * Timers at scale: 100,000 tasks each sleeping a seeded random 0-50 ms (the same seed, so the
 * same delays, every time), all gathered. Baseline: 100,000 plain virtual threads doing
 * {@code Thread.sleep} for the same delays, then joined. Score: wall ms per invocation
 * (SingleShotTime). The secondary result {@code overshootMs} is the mean lateness per sleeper:
 * how long after its due time (measured with {@code System.nanoTime}) each one woke up.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
public class TimersBench {
    static final int TASKS = 100_000;
    static final long SEED = 42;

    /**
     * Mean overshoot per sleeper (ms), reported by JMH beside the wall time. JMH sums EVENTS
     * counters over the measurement iterations, so each measurement iteration reports its share
     * (its mean divided by the number of iterations): the summary line is then the mean over
     * iterations, and the true per-iteration figure is printed by {@link #print()}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Overshoot {
        double totalMs;
        int invocations;
        int share;

        @Setup(Level.Iteration)
        public void reset(IterationParams iteration) {
            totalMs = 0;
            invocations = 0;
            share = Jmh.share(iteration);
        }

        @TearDown(Level.Iteration)
        public void print() {
            System.out.printf(Locale.ROOT, "%n                 (mean overshoot this iteration: %.3f ms)%n", mean());
        }

        double mean() {
            return invocations == 0 ? 0 : totalMs / invocations;
        }

        public double overshootMs() {
            return mean() / share;
        }
    }

    /** The delays, in ns: drawn once so both sides sleep exactly the same. */
    @State(Scope.Benchmark)
    public static class Delays {
        final long[] ns = new long[TASKS];

        @Setup(Level.Trial)
        public void draw() {
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int i = 0; i < TASKS; i++) {
                ns[i] = (long) (rnd.nextDouble() * 50_000_000L);
            }
        }
    }

    @Benchmark
    public void asyncioSleep(Delays delays, Overshoot over) {
        long[] late = new long[TASKS];
        run(() -> {
            List<Task<Void>> ts = new ArrayList<>(TASKS);
            for (int i = 0; i < TASKS; i++) {
                int k = i;
                long d = delays.ns[k];
                ts.add(createTask(() -> {
                    long start = System.nanoTime();
                    sleep(d / 1e9);
                    late[k] = System.nanoTime() - start - d;
                }));
            }
            gather(ts);
        });
        record(over, late);
    }

    @Benchmark
    public void baselineVirtualThreadsSleep(Delays delays, Overshoot over) throws InterruptedException {
        long[] late = new long[TASKS];
        Thread[] ts = new Thread[TASKS];
        for (int i = 0; i < TASKS; i++) {
            int k = i;
            long d = delays.ns[k];
            ts[i] = Thread.ofVirtual().start(() -> {
                long start = System.nanoTime();
                try {
                    Thread.sleep(d / 1_000_000L, (int) (d % 1_000_000L));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                late[k] = System.nanoTime() - start - d;
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        record(over, late);
    }

    private static void record(Overshoot over, long[] late) {
        long sum = 0;
        for (long l : late) {
            sum += l;
        }
        over.totalMs += sum / (double) TASKS / 1e6;
        over.invocations++;
    }
}
