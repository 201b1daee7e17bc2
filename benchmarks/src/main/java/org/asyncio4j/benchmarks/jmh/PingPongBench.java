package org.asyncio4j.benchmarks.jmh;

import static org.asyncio4j.Asyncio.gather;
import static org.asyncio4j.Asyncio.run;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

import org.asyncio4j.sync.Event;
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
 * A handoff between two tasks: ping/pong with two {@link Event}s (set, await, clear), N rounds of
 * two handoffs each. Baseline: two plain virtual threads (default scheduler) handing a token back
 * and forth through two {@link SynchronousQueue}s. Score: ns per handoff.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@OperationsPerInvocation(2 * PingPongBench.ROUNDS)
public class PingPongBench {
    static final int ROUNDS = Jmh.N / 2;

    @Benchmark
    public void asyncioEvent(Blackhole bh) {
        bh.consume(run(() -> {
            Event ping = new Event();
            Event pong = new Event();
            return gather(() -> {
                for (int i = 0; i < ROUNDS; i++) {
                    ping.set();
                    pong.await();
                    pong.clear();
                }
                return 0;
            }, () -> {
                for (int i = 0; i < ROUNDS; i++) {
                    ping.await();
                    ping.clear();
                    pong.set();
                }
                return 1;
            });
        }));
    }

    @Benchmark
    public void baselineVirtualThreadsSynchronousQueue(Blackhole bh) throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        Integer token = 7;
        int[] sum = new int[1];
        Thread a = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    ping.put(token);
                    sum[0] += pong.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread b = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        a.join();
        b.join();
        bh.consume(sum[0]);
    }
}
