package org.asyncio4j.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;

import org.asyncio4j.AsyncGenerator;
import org.asyncio4j.CancelledException;

/**
 * The engine under {@link AsyncGenerator}: a producer that runs in a task of its own and hands
 * values to its consumer one at a time.
 *
 * <h2>Implementation overview</h2>
 * The producer runs in its own task, started by the first {@code hasNext()}. Two one-shot
 * futures carry the hand-over: {@code step} is what a waiting consumer awaits (the next value,
 * {@link #END}, or the producer's failure), {@code resume} is what the producer awaits in
 * {@code yield} (the consumer asking for the next value). So {@code hasNext()} resumes the
 * producer and waits for its next {@code yield} (or its end), and the producer, having handed a
 * value over, waits in {@code yield} until the consumer asks again: it never runs ahead of the
 * consumer. A consumer stopped while it waits (a cancellation, a group's interruption) forwards
 * the cancellation into the producer and waits for it to end, where Python would deliver it (in
 * the generator's frame), so the producer's cleanup ends before the consumer sees it.
 * {@link #close()} interrupts a producer suspended in {@code yield} with a cancellation
 * ({@link GeneratorExit}), so its {@code finally} blocks run (and a TaskGroup inside it cancels
 * its children), and waits for it to end.
 *
 * <h2>Lifecycle</h2>
 * One field, {@code state}, says where the generator is; every transition is below, with who
 * makes it. The iterator's one-value buffer (a value {@code hasNext()} fetched and
 * {@code next()} has not returned yet) is outside the table.
 *
 * <table>
 * <caption>States and transitions</caption>
 * <tr><th>state</th><th>meaning</th><th>next state: trigger (by whom)</th></tr>
 * <tr><td>NEW</td><td>the producer has not started</td>
 *     <td>RUNNING: first {@code hasNext} starts the producer's task (consumer);
 *         DONE: {@code close} (any task), the producer never runs</td></tr>
 * <tr><td>RUNNING</td><td>a consumer waits in {@code hasNext} for {@code step}; the producer
 *     runs toward its next {@code yield}</td>
 *     <td>SUSPENDED: {@code yield} completes {@code step} with the value (producer);
 *         DONE: the producer returns or fails, and the consumer gets {@link #END} or the
 *         failure (producer); DONE: the waiting consumer is stopped (also at the entry of its
 *         wait), cancels the producer and waits for it to end (consumer; a {@code yield} in the
 *         step the consumer was stopped, before it ran, throws CancelledException into the
 *         producer);
 *         CLOSING: {@code close} from another task</td></tr>
 * <tr><td>SUSPENDED</td><td>the producer waits in {@code yield} for {@code resume}; nobody
 *     waits for it</td>
 *     <td>RUNNING: {@code hasNext} completes {@code resume} (consumer);
 *         CLOSING: {@code close} cancels the producer in {@code yield} (any task);
 *         ENDED: the producer ends on its own while parked (its own timeout, a cancel of its
 *         task) (producer). A producer stopped in {@code yield} that runs on (its TaskGroup
 *         still waits for children) stays SUSPENDED with {@code resume} null: the next
 *         {@code hasNext} just waits for its {@code step}</td></tr>
 * <tr><td>CLOSING</td><td>{@code close} waits for the cancelled producer to end</td>
 *     <td>DONE: the producer ends; its failure other than the cancellation is thrown by
 *         {@code close} (producer); a {@code yield} meanwhile throws IllegalStateException
 *         into the producer</td></tr>
 * <tr><td>ENDED</td><td>the producer ended while no consumer waited</td>
 *     <td>DONE: the next {@code hasNext} reports the end or throws the failure (consumer);
 *         DONE: {@code close} drops it (any task)</td></tr>
 * <tr><td>DONE</td><td>exhausted, failed, stopped or closed: {@code hasNext} is false once the
 *     buffer is empty, {@code close} does nothing, a {@code yield} (a producer that ignored
 *     its cancellation) throws IllegalStateException</td><td>(final)</td></tr>
 * </table>
 *
 * <p>Loop-confined: the generator binds to the loop of its first {@code hasNext()}.
 *
 * @param <T> the element type
 */
public final class AsyncGeneratorEngine<T> {
    private static final int NEW = 0, RUNNING = 1, SUSPENDED = 2, CLOSING = 3, ENDED = 4, DONE = 5;
    private static final String[] STATE_NAMES = {"not started", "running", "suspended", "closing", "ended", "finished"};

    /** What {@code step} carries when the producer returns. */
    private static final Object END = new Object();

    private final AsyncGenerator.Producer<T> producer;
    private final Iterator<T> iterator = new Values();
    private int state = NEW;
    private EventLoopImpl loop;
    private TaskImpl<Void> task;           // the producer's task, once started
    private FutureImpl<Object> step;       // RUNNING: the producer's next value, END, or its failure
    private FutureImpl<Object> resume;     // SUSPENDED: what the producer waits for in yield
    private Throwable pendingFailure;      // ENDED: how the producer failed (null: it returned)
    private boolean buffered;              // the iterator holds a fetched value
    private T value;

    /**
     * @param producer the generator's body (not null)
     */
    public AsyncGeneratorEngine(AsyncGenerator.Producer<T> producer) {
        this.producer = producer;
    }

    /** The generator's single iterator; see {@link AsyncGenerator#iterator()}. */
    public Iterator<T> iterator() {
        return iterator;
    }

    private final class Values implements Iterator<T> {
        @Override
        public boolean hasNext() {
            if (buffered) {
                return true;
            }
            if (state == DONE || state == CLOSING) {
                return false;
            }
            Object v = advance();
            if (v == END) {
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
            loop = consumer.loop;
        } else if (loop != consumer.loop) {
            throw new IllegalStateException("an AsyncGenerator is used on another loop than the one it started on");
        }
        switch (state) {
            case RUNNING -> throw new IllegalStateException("another task is already waiting for this generator's next value");
            case ENDED -> {
                // The producer ended while nobody waited (its own timeout in yield, say): report how.
                state = DONE;
                Throwable f = pendingFailure;
                pendingFailure = null;
                if (f != null) {
                    throw FutureImpl.rethrow(f);
                }
                return END;
            }
            default -> {
                // NEW or SUSPENDED (DONE and CLOSING never get here)
            }
        }
        FutureImpl<Object> s = new FutureImpl<>(loop);
        step = s;
        if (state == NEW) {
            state = RUNNING;
            // Never eager (a loop's setEagerTasks included): the producer is no task in Python,
            // and it must not run before this consumer waits for its value.
            TaskImpl<Void> t = loop.spawn((org.asyncio4j.ThrowingRunnable) this::runProducer, null, false);
            task = t;
        } else {
            state = RUNNING;
            FutureImpl<Object> r = resume;
            resume = null;
            if (r != null && !r.isDone()) {
                r.setResult(null);
            }
            // else: the producer left its yield by an exception (its TaskGroup stopped it, say),
            // or is about to (r was cancelled, it has not run yet), and runs on alone; the step
            // gets whatever it does next, its end included.
        }
        try {
            return s.await();
        } catch (RuntimeException | Error e) {
            if (state != CLOSING) {
                state = DONE;
            }
            if (!task.isDone()) {
                // The consumer was stopped (a producer's failure comes with its task done): as
                // Python delivers that inside the generator's frame, the producer's cleanup ends
                // before the consumer sees the cancellation. Also when the stop came at the
                // entry of the wait, after the producer was already resumed above.
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
        }
    }

    /** The producer's task body. */
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
            state = DONE;
            if (failure == null) {
                s.setResult(END);
            } else {
                s.setException(failure);
            }
            return;
        }
        if (state == CLOSING) {
            state = DONE;
            if (failure instanceof Exception e) {
                throw e;                 // ended by close(): the producer task ends with it
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return;
        }
        if (state != DONE) {
            state = ENDED;
            pendingFailure = failure;    // thrown by the consumer's next hasNext()
        }
    }

    /** The producer's {@code y.yield(v)}. */
    private void yieldValue(T v) {
        if (TaskImpl.current() != task) {
            throw new IllegalStateException("yield() called outside the generator's producer");
        }
        if (state == CLOSING) {
            throw new IllegalStateException("async generator ignored close(): it yielded after being closed");
        }
        if (state == DONE) {
            throw new IllegalStateException("async generator yielded after its consumer stopped (it ignored the cancellation)");
        }
        if (step == null) {
            throw new IllegalStateException("async generator yielded again after its yield was interrupted, with no consumer waiting");
        }
        if (step.isDone()) {
            // The consumer was stopped in this very step (its step future is cancelled) and has
            // not run yet to cancel us: the value cannot be handed over, end as it would end us.
            throw new CancelledException("the generator's consumer stopped waiting");
        }
        FutureImpl<Object> r = new FutureImpl<>(loop);
        resume = r;
        state = SUSPENDED;
        step.setResult(v);
        try {
            r.await();
        } finally {
            if (resume == r) {
                resume = null;          // left by an exception: nobody may resume r any more
            }
        }
    }

    /** See {@link AsyncGenerator#close()}. */
    public void close() {
        if (task == null || task.isDone()) {
            state = DONE;
            pendingFailure = null;
            return;
        }
        state = CLOSING;
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

    /** The state's name, for {@code toString}. */
    public String describe() {
        return STATE_NAMES[state];
    }
}
