package org.asyncio4j;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.FutureImpl;
import org.asyncio4j.internal.Structured;
import org.asyncio4j.internal.TaskImpl;

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
 * <h2>Implementation overview</h2>
 * The producer runs in a task of its own, started by the first {@code hasNext()}, and hands
 * values over one at a time: {@code hasNext()} resumes the producer and waits for its next
 * {@code yield} (or its end), and the producer, having handed a value over, waits in
 * {@code yield} until the consumer asks for the next one. So the producer never runs ahead of
 * the consumer. A cancellation of the waiting consumer is forwarded into the producer, where
 * Python would deliver it (in the generator's frame). {@link #close()} interrupts a producer
 * suspended in {@code yield} with a cancellation, so its {@code finally} blocks run (and a
 * {@link TaskGroup} inside it cancels its children), and waits for it to end.
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

    private static final Object END = new Object();

    private final Producer<T> producer;
    private final Iterator<T> iterator = new Values();
    private EventLoopImpl loop;
    private TaskImpl<Void> task;           // the producer's task, once started
    private FutureImpl<Object> step;       // the producer's next value, END, or its failure
    private FutureImpl<Object> resume;     // what the producer waits for in yield
    private boolean buffered;
    private T value;
    private boolean finished;
    private boolean closing;
    private boolean advancing;
    private Throwable pendingFailure;      // the producer failed while no consumer waited

    private AsyncGenerator(Producer<T> producer) {
        this.producer = producer;
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
     * wrapped in {@code CompletionException}).
     *
     * @return the iterator
     */
    @Override
    public Iterator<T> iterator() {
        return iterator;
    }

    private final class Values implements Iterator<T> {
        @Override
        public boolean hasNext() {
            if (buffered) {
                return true;
            }
            if (finished) {
                return false;
            }
            Object v = advance();
            if (v == END) {
                finished = true;
                return false;
            }
            @SuppressWarnings("unchecked")
            T t = (T) v;
            value = t;
            buffered = true;
            return true;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the generator is exhausted");
            }
            buffered = false;
            T v = value;
            value = null;
            return v;
        }
    }

    /** Runs the producer to its next yield or end; the consumer's task suspends meanwhile. */
    private Object advance() {
        TaskImpl<?> consumer = Structured.task("AsyncGenerator.hasNext");
        if (loop == null) {
            loop = (EventLoopImpl) consumer.getLoop();
        } else if (loop != consumer.getLoop()) {
            throw new IllegalStateException("an AsyncGenerator is used on another loop than the one it started on");
        }
        if (advancing) {
            throw new IllegalStateException("another task is already waiting for this generator's next value");
        }
        if (task != null && task.isDone()) {
            // The producer ended while nobody waited (cancelled in yield, say): report how.
            finished = true;
            Throwable f = pendingFailure;
            pendingFailure = null;
            if (f != null) {
                throw FutureImpl.rethrow(f);
            }
            return END;
        }
        FutureImpl<Object> s = new FutureImpl<>(loop);
        step = s;
        advancing = true;
        if (task == null) {
            @SuppressWarnings("unchecked")
            TaskImpl<Void> t = (TaskImpl<Void>) loop.createTask(this::runProducer);
            task = t;
        } else {
            FutureImpl<Object> r = resume;
            resume = null;
            r.setResult(null);
        }
        try {
            return s.await();
        } catch (RuntimeException | Error e) {
            finished = true;
            if (s.isCancelled() && !task.isDone()) {
                // The consumer was cancelled: as Python delivers that inside the generator's
                // frame, the producer's cleanup ends before the consumer sees the cancellation.
                task.cancel(e.getMessage());
                try {
                    task.await();
                } catch (CancelledException ended) {
                    // ended by the forwarded cancellation
                }
            }
            throw e;
        } finally {
            step = null;
            advancing = false;
        }
    }

    private void runProducer() throws Exception {
        Throwable failure = null;
        try {
            producer.produce(this::yieldValue);
        } catch (Throwable t) {
            failure = t;
        }
        FutureImpl<Object> s = step;
        if (s != null && !s.isDone()) {
            // A consumer waits: it gets the outcome (a failure, a cancellation included, as is).
            finished = true;
            if (failure == null) {
                s.setResult(END);
            } else {
                s.setException(failure);
            }
            return;
        }
        if (!closing) {
            pendingFailure = failure;     // thrown by the consumer's next hasNext()
            return;
        }
        finished = true;
        if (failure instanceof Exception e) {
            throw e;                     // ended by close(): the producer task ends with it
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private void yieldValue(T v) {
        if (TaskImpl.current() != task) {
            throw new IllegalStateException("yield() called outside the generator's producer");
        }
        if (closing) {
            throw new IllegalStateException("async generator ignored close(): it yielded after being closed");
        }
        FutureImpl<Object> r = new FutureImpl<>(loop);
        resume = r;
        step.setResult(v);
        r.await();
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
     */
    @Override
    public void close() {
        if (task == null || task.isDone()) {
            finished = true;
            return;
        }
        finished = true;
        closing = true;
        buffered = false;
        value = null;
        TaskImpl<?> closer = Structured.task("AsyncGenerator.close");
        int cancellingBefore = closer.cancelling();
        task.requestCancel(null, new GeneratorExit(), null);
        try {
            task.await();
        } catch (CancelledException e) {
            if (closer.cancelling() > cancellingBefore || !task.isDone()) {
                throw e;                 // the closing task itself was cancelled
            }
            // the producer ended by the close, as it should
        }
    }

    /** Thrown into a producer suspended in yield when its generator is closed. */
    private static final class GeneratorExit extends CancelledException {
        private static final long serialVersionUID = 1L;

        GeneratorExit() {
            super("async generator closed");
        }
    }

    @Override
    public String toString() {
        return "AsyncGenerator[" + (task == null ? "not started" : finished ? "finished" : "suspended") + "]";
    }
}
