package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A task switch: one task doing {@code sleep(0)} N times (each one suspends the task and resumes
 * it from the loop's ready queue). Baseline: one plain virtual thread on the JDK's default
 * scheduler doing {@code Thread.yield()} N times. Score: ns per switch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@OperationsPerInvocation(Jmh.N)
public class SwitchBench {

    @Benchmark
    public void asyncioSleep0() {
        run(() -> {
            for (int i = 0; i < Jmh.N; i++) {
                sleep(0);
            }
        });
    }

    @Benchmark
    public void baselineVirtualThreadYield() throws InterruptedException {
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < Jmh.N; i++) {
                Thread.yield();
            }
        }).join();
    }
}
