package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.asyncio4j.Asyncio.run;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Callback throughput: the main task schedules N callbacks with {@link EventLoop#callSoon}; the
 * last one completes a future the task awaits. Baseline: a {@link ThreadPoolExecutor} of one
 * platform thread (made once per trial) running N runnables submitted from the benchmark thread,
 * the last one opening a latch. Score: ns per callback.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@OperationsPerInvocation(Jmh.N)
@State(Scope.Thread)
public class CallSoonBench {
    private ThreadPoolExecutor executor;

    @Setup(Level.Trial)
    public void startExecutor() {
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        executor.prestartAllCoreThreads();
    }

    @TearDown(Level.Trial)
    public void stopExecutor() {
        executor.shutdownNow();
    }

    @Benchmark
    public int asyncioCallSoon() {
        return run(() -> {
            EventLoop loop = getRunningLoop();
            Future<Integer> done = loop.createFuture();
            int[] count = new int[1];
            Runnable cb = () -> {
                if (++count[0] == Jmh.N) {
                    done.setResult(count[0]);
                }
            };
            for (int i = 0; i < Jmh.N; i++) {
                loop.callSoon(cb);
            }
            return done.await();
        });
    }

    @Benchmark
    public int baselineThreadPoolExecutor() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        int[] count = new int[1];      // touched only by the executor's one thread
        Runnable task = () -> {
            if (++count[0] == Jmh.N) {
                done.countDown();
            }
        };
        for (int i = 0; i < Jmh.N; i++) {
            executor.execute(task);
        }
        done.await();
        return count[0];
    }
}
