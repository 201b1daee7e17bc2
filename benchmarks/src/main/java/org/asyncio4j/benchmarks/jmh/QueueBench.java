package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.asyncio4j.queues.Queue;
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
 * A bounded queue between a producer task and a consumer task: {@link Queue} of capacity 100,
 * N items through it. Baseline: {@link ArrayBlockingQueue}(100) between two plain virtual threads
 * (default scheduler). Score: ns per item.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@OperationsPerInvocation(Jmh.N)
public class QueueBench {
    static final int CAPACITY = 100;
    private static final Integer ITEM = 7;

    @Benchmark
    public void asyncioQueue(Blackhole bh) {
        bh.consume(run(() -> {
            Queue<Integer> q = new Queue<>(CAPACITY);
            return gather(() -> {
                for (int i = 0; i < Jmh.N; i++) {
                    q.put(ITEM);
                }
                return 0;
            }, () -> {
                int sum = 0;
                for (int i = 0; i < Jmh.N; i++) {
                    sum += q.get();
                }
                return sum;
            });
        }));
    }

    @Benchmark
    public void baselineVirtualThreadsArrayBlockingQueue(Blackhole bh) throws InterruptedException {
        ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(CAPACITY);
        int[] sum = new int[1];
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < Jmh.N; i++) {
                    q.put(ITEM);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                int s = 0;
                for (int i = 0; i < Jmh.N; i++) {
                    s += q.take();
                }
                sum[0] = s;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        producer.join();
        consumer.join();
        bh.consume(sum[0]);
    }
}
