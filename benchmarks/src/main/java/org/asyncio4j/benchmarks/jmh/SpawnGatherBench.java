package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.asyncio4j.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Spawning: N tasks each returning its index ({@code createTask}), run, then one
 * {@code gather(list)}. Baselines: N plain virtual threads started and joined (default
 * scheduler), and N {@code CompletableFuture.supplyAsync} on a direct (caller-runs) executor
 * joined with {@code allOf}: no thread at all, the cost of the future plumbing alone.
 * Score: ns per task.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@OperationsPerInvocation(Jmh.N)
public class SpawnGatherBench {
    private static final Executor DIRECT = Runnable::run;

    @Benchmark
    public void asyncioCreateTaskGather(Blackhole bh) {
        bh.consume(run(() -> {
            List<Task<Integer>> ts = new ArrayList<>(Jmh.N);
            for (int i = 0; i < Jmh.N; i++) {
                int k = i;
                ts.add(createTask(() -> k));
            }
            return gather(ts);
        }));
    }

    @Benchmark
    public void baselineVirtualThreadsStartJoin(Blackhole bh) throws InterruptedException {
        int[] results = new int[Jmh.N];
        Thread[] ts = new Thread[Jmh.N];
        for (int i = 0; i < Jmh.N; i++) {
            int k = i;
            ts[i] = Thread.ofVirtual().start(() -> results[k] = k);
        }
        for (Thread t : ts) {
            t.join();
        }
        bh.consume(results);
    }

    @Benchmark
    public void baselineCompletableFutureDirect(Blackhole bh) {
        CompletableFuture<?>[] fs = new CompletableFuture<?>[Jmh.N];
        for (int i = 0; i < Jmh.N; i++) {
            int k = i;
            fs[i] = CompletableFuture.supplyAsync(() -> k, DIRECT);
        }
        CompletableFuture.allOf(fs).join();
        bh.consume(fs);
    }
}
