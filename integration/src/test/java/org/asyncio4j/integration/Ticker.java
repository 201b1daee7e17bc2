package org.asyncio4j.integration;

import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;

import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A sibling task that wakes every 10 ms and records the longest gap between two wake-ups: a loop
 * stalled by a blocking call shows as a long gap. {@link #measure} runs a body beside it and prints
 * one line of figures for the lead to quote.
 */
final class Ticker {
    /** The longest gap allowed between two ticks: 10 ms plus at most 200 ms late. */
    static final long MAX_GAP_MS = 210;

    private final Task<Void> task;
    private long last = System.nanoTime();
    private long worstGapNanos;
    private int ticks;

    private Ticker() {
        task = Asyncio.createTask(() -> {
            while (true) {
                Asyncio.sleep(0.01);
                long now = System.nanoTime();
                worstGapNanos = Math.max(worstGapNanos, now - last);
                last = now;
                ticks++;
            }
        }, "ticker");
    }

    /** The figures of one measured run: wall time, the ticker's worst gap and the body's value. */
    record Figures<T>(double wallSeconds, long worstGapMs, int ticks, T value) {}

    /**
     * Runs {@code body} in the current task while a ticker runs beside it, prints
     * {@code [it] NAME: wall X s, worst tick gap Y ms (N ticks)} and returns the figures.
     * Must be called inside a task.
     */
    static <T> Figures<T> measure(String name, Callable<T> body) throws Exception {
        return measure(name, body, v -> "");
    }

    /** {@link #measure(String, Callable)}, with {@code detail} of the value appended to the line. */
    static <T> Figures<T> measure(String name, Callable<T> body, Function<? super T, String> detail) throws Exception {
        Ticker ticker = new Ticker();
        Asyncio.sleep(0.02);                        // the ticker is running before the clock starts
        long t0 = System.nanoTime();
        T value;
        long end;
        try {
            value = body.call();
        } finally {
            end = System.nanoTime();
            ticker.task.cancel();
        }
        double wall = (end - t0) / 1e9;
        // A stall at the very end shows as the gap since the last tick.
        long gap = Math.max(ticker.worstGapNanos, end - ticker.last) / 1_000_000;
        String more = detail.apply(value);
        System.out.printf("[it] %s: wall %.3f s, worst tick gap %d ms (%d ticks)%s%n", name, wall, gap, ticker.ticks,
                more.isEmpty() ? "" : "; " + more);
        return new Figures<>(wall, gap, ticker.ticks, value);
    }
}
