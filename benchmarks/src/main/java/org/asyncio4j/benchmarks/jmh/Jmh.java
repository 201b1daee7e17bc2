package org.asyncio4j.benchmarks.jmh;

import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Shared constants of the JMH suite. Every fork needs the add-opens flag (the carrier seam makes
 * virtual threads whose scheduler is an event loop), so each benchmark class says
 * {@code @Fork(value = 1, jvmArgsAppend = {Jmh.OPENS, Jmh.ALLOW_UNSAFE, ...})}.
 */
final class Jmh {
    /** The flag every JVM that runs asyncio4j needs, as one argument. */
    static final String OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";

    /** JMH 1.37 itself calls sun.misc.Unsafe; this keeps JDK 25's warning about it out of the output. */
    static final String ALLOW_UNSAFE = "--sun-misc-unsafe-memory-access=allow";

    /**
     * A fixed, pre-touched heap for the timed forks ({@code XMS, XMX, PRE_TOUCH}): with a growing
     * heap, batches of 100,000 tasks spend their time in page faults of freshly committed heap
     * (spawn + gather went bimodal, 260 vs 2,200 ns per task, from one iteration to the next).
     */
    static final String XMS = "-Xms1g";
    static final String XMX = "-Xmx1g";
    static final String PRE_TOUCH = "-XX:+AlwaysPreTouch";

    /** Operations per invocation for the per-operation benchmarks (one {@code Asyncio.run} each). */
    static final int N = 100_000;

    /**
     * What an EVENTS aux counter must be divided by so that JMH's summary (a sum over the
     * measurement iterations) comes out as the mean: the number of measurement iterations, or 1
     * in a warm-up iteration.
     */
    static int share(IterationParams iteration) {
        return iteration.getType() == IterationType.MEASUREMENT ? Math.max(1, iteration.getCount()) : 1;
    }

    private Jmh() {
    }
}
