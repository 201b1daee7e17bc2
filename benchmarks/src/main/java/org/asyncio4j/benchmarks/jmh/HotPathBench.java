package org.asyncio4j.benchmarks.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The hot path (a task switch, spawn + gather, a two-task handoff: the bodies of
 * {@link SwitchBench}, {@link SpawnGatherBench} and {@link PingPongBench}) with asyncio4j's JFR
 * events off, as every program runs unless a recording enables them ({@code jfr=off}), and on
 * ({@code jfr=on}: a recording in the benchmark's JVM enables TaskEnd, SlowStep, TaskCancelled
 * and LoopLag). Run on a commit from before the events existed, {@code jfr=off} is the figure
 * the events' disabled cost is judged against (JMH.md, "The cost of observability"). Scores: ns
 * per switch, per task, per handoff.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, Jmh.XMS, Jmh.XMX, Jmh.PRE_TOUCH})
@State(Scope.Benchmark)
public class HotPathBench {
    private static final String[] EVENTS = {
        "org.asyncio4j.TaskEnd", "org.asyncio4j.SlowStep", "org.asyncio4j.TaskCancelled", "org.asyncio4j.LoopLag",
    };

    @Param({"off", "on"})
    public String jfr;

    private final SwitchBench switches = new SwitchBench();
    private final SpawnGatherBench spawns = new SpawnGatherBench();
    private final PingPongBench handoffs = new PingPongBench();
    private Recording recording;

    @Setup(Level.Trial)
    public void startRecording() {
        if (jfr.equals("on")) {
            recording = new Recording();
            for (String event : EVENTS) {
                recording.enable(event).withPeriod(Duration.ofSeconds(1));
            }
            recording.setToDisk(false);
            recording.setMaxSize(64L << 20);
            recording.start();
        }
    }

    @TearDown(Level.Trial)
    public void stopRecording() {
        if (recording != null) {
            recording.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(Jmh.N)
    public void sleep0() {
        switches.asyncioSleep0();
    }

    @Benchmark
    @OperationsPerInvocation(Jmh.N)
    public void spawnGather(Blackhole bh) {
        spawns.asyncioCreateTaskGather(bh);
    }

    @Benchmark
    @OperationsPerInvocation(2 * PingPongBench.ROUNDS)
    public void pingPong(Blackhole bh) {
        handoffs.asyncioEvent(bh);
    }
}
