package org.asyncio4j;

import java.util.Iterator;
import java.util.Objects;

import org.asyncio4j.internal.AsyncGeneratorEngine;

/**
 * A lazy sequence produced by a body that suspends: {@code async for} in Java.
 *
 * <pre>{@code
 * try (var gen = AsyncGenerator.<Integer>of(y -> {
 *         for (int i = 1; i <= 3; i++) { sleep(1); y.yield(i); }
 *     })) {
 *     for (int x : gen) System.out.println(x);     // 1, then 2, then 3, a second apart
 * }
 * }</pre>
 *
 * <p>The producer runs in a task of its own, one value at a time: {@code hasNext()} runs it to
 * its next {@code yield} (or its end) while the consumer waits, and the producer then waits in
 * {@code yield} until the consumer asks for the next value, so it never runs ahead of the
 * consumer. A consumer cancelled while it waits cancels the producer there (its cleanup ends
 * before the consumer sees the cancellation); {@link #close()} cancels a producer suspended in
 * {@code yield}, so its {@code finally} blocks run. The engine, with the lifecycle's state
 * table, is {@code org.asyncio4j.internal.AsyncGeneratorEngine}.
 *
 * <p>Python: an {@code async def} with {@code yield} (an asynchronous generator).
 *
 * @param <T> the element type
 */
public final class AsyncGenerator<T> implements Iterable<T>, AutoCloseable {

    /**
     * The body of a generator.
     *
     * @param <T> the element type
     */
    @FunctionalInterface
    public interface Producer<T> {
        /**
         * Produces values by calling {@code y.yield(value)}.
         *
         * @param y the yielder
         * @throws Exception anything; it reaches the consumer
         */
        void produce(Yielder<T> y) throws Exception;
    }

    /**
     * Hands values from a producer to its consumer.
     *
     * @param <T> the element type
     */
    @FunctionalInterface
    public interface Yielder<T> {
        /**
         * Hands a value to the consumer and suspends until it asks for the next one.
         *
         * @param value the value (may be null)
         * @throws CancelledException    if the generator is closed or the consumer cancelled
         * @throws IllegalStateException if called outside the producer
         */
        void yield(T value);
    }

    private final AsyncGeneratorEngine<T> engine;

    private AsyncGenerator(Producer<T> producer) {
        this.engine = new AsyncGeneratorEngine<>(producer);
    }

    /**
     * A generator over a producer; nothing runs until the first {@code hasNext()}.
     *
     * @param producer the body
     * @param <T>      the element type
     * @return the generator
     * @throws NullPointerException if {@code producer} is null
     */
    public static <T> AsyncGenerator<T> of(Producer<T> producer) {
        return new AsyncGenerator<>(Objects.requireNonNull(producer, "producer"));
    }

    /**
     * The generator's single iterator (a generator runs once): {@code hasNext()} suspends
     * until the producer yields or ends and throws what the producer throws (a checked exception
     * wrapped in {@code CompletionException}); it throws {@link IllegalStateException} outside a
     * task, on another loop than the first {@code hasNext()}'s, or while another task already
     * waits for the next value, and {@link CancelledException} if the waiting task is
     * cancelled (the producer is then cancelled too, and has ended). {@code next()} throws
     * {@link java.util.NoSuchElementException} once the generator is exhausted.
     *
     * @return the iterator
     */
    @Override
    public Iterator<T> iterator() {
        return engine.iterator();
    }

    /**
     * Closes the generator: a producer suspended in {@code yield} is cancelled there, so its
     * {@code finally} blocks run, and this call waits until it has ended. Closing a generator
     * that never started, or is exhausted, does nothing; closing twice does nothing.
     *
     * @throws IllegalStateException if the producer yields again after being closed (it
     *                               ignored the close), or close is called outside a task
     *                               while the producer still has to end
     * @throws RuntimeException      what the producer throws while closing, other than the
     *                               cancellation itself
     * @throws CancelledException    if the closing task is cancelled while it waits
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "AsyncGenerator[" + engine.describe() + "]";
    }
}
