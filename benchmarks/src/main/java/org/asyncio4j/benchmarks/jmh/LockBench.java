package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;
import static org.asyncio4j.Asyncio.sleep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.asyncio4j.Task;
import org.asyncio4j.sync.Lock;
import org.asyncio4j.sync.Releaser;
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
 * A contended lock: 100 tasks, each acquiring one {@link Lock} N/100 times with a
 * {@code sleep(0)} inside the critical section (so every release hands the lock to a waiter).
 * Baseline: 100 plain virtual threads (default scheduler) on one {@link ReentrantLock} with
 * {@code Thread.yield()} inside. Score: ns per acquire.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@OperationsPerInvocation(LockBench.WORKERS * LockBench.PER_WORKER)
public class LockBench {
    static final int WORKERS = 100;
    static final int PER_WORKER = Jmh.N / WORKERS;

    @Benchmark
    public void asyncioLock(Blackhole bh) {
        bh.consume(run(() -> {
            Lock lock = new Lock();
            int[] counter = new int[1];
            List<Task<Void>> ts = new ArrayList<>(WORKERS);
            for (int t = 0; t < WORKERS; t++) {
                ts.add(createTask(() -> {
                    for (int i = 0; i < PER_WORKER; i++) {
                        try (Releaser _ = lock.acquire()) {
                            counter[0]++;
                            sleep(0);
                        }
                    }
                }));
            }
            gather(ts);
            return counter[0];
        }));
    }

    @Benchmark
    public void baselineVirtualThreadsReentrantLock(Blackhole bh) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        int[] counter = new int[1];
        Thread[] ts = new Thread[WORKERS];
        for (int t = 0; t < WORKERS; t++) {
            ts[t] = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < PER_WORKER; i++) {
                    lock.lock();
                    try {
                        counter[0]++;
                        Thread.yield();
                    } finally {
                        lock.unlock();
                    }
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        bh.consume(counter[0]);
    }
}
