package org.asyncio4j.benchmarks.jmh;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;

/**
 * Memory per parked task, inside the JMH suite: each invocation runs {@link MemoryProbe} for one
 * side in a fresh JVM ({@value MemoryProbe#HEAP} fixed heap, no pre-touch) so that no earlier
 * iteration's pages are counted. The figures are the secondary results {@code heapBytesPerTask}
 * and {@code rssBytesPerTask}; the primary score is only the child JVM's wall time, ignore it.
 * Asyncio side: 100,000 tasks parked on one Event; baseline: 100,000 plain virtual threads parked
 * on one CountDownLatch.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE})
public class MemoryBench {

    /**
     * The figures of the iteration's child JVM. JMH sums EVENTS counters over the measurement
     * iterations, so each measurement iteration reports its share (divided by the number of
     * iterations) and the summary line is the mean; the child's own figures are printed.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PerTask {
        public double heapBytesPerTask;
        public double rssBytesPerTask;
        int share;

        @Setup(Level.Iteration)
        public void reset(IterationParams iteration) {
            heapBytesPerTask = 0;
            rssBytesPerTask = 0;
            share = Jmh.share(iteration);
        }

        void record(MemoryProbe.Result r) {
            System.out.printf(Locale.ROOT, "%n                 (%s, %d parked: heap %.0f B/task, RSS %.0f B/task)%n",
                    r.side(), r.tasks(), r.heapPerTask(), r.rssPerTask());
            heapBytesPerTask = r.heapPerTask() / share;
            rssBytesPerTask = r.rssPerTask() / share;
        }
    }

    @Benchmark
    public void asyncioTasksParkedOnEvent(PerTask perTask) throws IOException, InterruptedException {
        perTask.record(MemoryProbe.measureInChild("asyncio", MemoryProbe.DEFAULT_TASKS));
    }

    @Benchmark
    public void baselineVirtualThreadsParkedOnLatch(PerTask perTask) throws IOException, InterruptedException {
        perTask.record(MemoryProbe.measureInChild("threads", MemoryProbe.DEFAULT_TASKS));
    }
}
