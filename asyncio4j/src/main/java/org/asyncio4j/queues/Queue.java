package org.asyncio4j.queues;

import java.util.ArrayDeque;

import org.asyncio4j.internal.EventLoopImpl;
import org.asyncio4j.internal.LoopBinding;
import org.asyncio4j.internal.WaiterQueue;

/**
 * A first-in, first-out queue for tasks: {@link #put} suspends while the queue is full,
 * {@link #get} while it is empty.
 *
 * <h2>Implementation overview</h2>
 * Python's model: nothing is reserved. {@link #size()}, {@link #isEmpty()} and {@link #isFull()}
 * read the items actually in the queue, so {@code isFull() == false} means {@link #putNowait}
 * succeeds and {@code isEmpty() == false} means {@link #getNowait} does. Each item put wakes the
 * first waiting getter, each item taken the first waiting putter; a woken waiter looks for its
 * item (or free slot) when it runs. If a nowait call took it first (a woken waiter has taken
 * nothing until it runs), the waiter waits again in its old place, ahead of everyone who
 * arrived after it ({@code WaiterQueue.awaitAgain}; Python sends it to the back of the line).
 * A new {@code get} or {@code put} that finds others waiting joins the line rather than
 * overtaking them. A waiter woken and then cancelled before it ran wakes the next one if its
 * item (or slot) is still there. {@link #shutdown} wakes every waiter to re-check.
 *
 * <p>Why no waiter is forgotten: an item is in the queue while getters wait only if a getter
 * was woken for it and has not run yet (puts wake one getter each; a woken getter that finds
 * nothing waits again; one cancelled before it ran passes the wake-up on if an item remains),
 * and symmetrically for free slots and putters.
 *
 * <p>Python: {@code asyncio.Queue}.
 *
 * @param <T> the element type
 */
public class Queue<T> {
    private static final Object TOKEN = Boolean.TRUE;

    private final LoopBinding binding = new LoopBinding();
    private final WaiterQueue getters = new WaiterQueue();
    private final WaiterQueue putters = new WaiterQueue();
    private final WaiterQueue joiners = new WaiterQueue();
    private final int maxSize;
    private final java.util.Queue<T> items;
    private int unfinished;         // put minus taskDone
    private boolean shutdown;

    /** An unbounded queue. */
    public Queue() {
        this(0);
    }

    /**
     * A queue of at most {@code maxSize} items.
     *
     * @param maxSize the capacity; zero or negative means unbounded
     */
    public Queue(int maxSize) {
        this(maxSize, new ArrayDeque<>());
    }

    Queue(int maxSize, java.util.Queue<T> items) {
        this.maxSize = Math.max(0, maxSize);
        this.items = items;
    }

    /**
     * Puts an item, suspending while the queue is full (or other putters wait before it).
     *
     * @param item the item
     * @throws NullPointerException             if {@code item} is null
     * @throws QueueShutDownException           if the queue is shut down (also while it waits)
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (the
     *                                          item is then not in the queue)
     * @throws IllegalStateException            if it must wait and the caller is not a task, or
     *                                          the queue belongs to another loop
     */
    public void put(T item) {
        java.util.Objects.requireNonNull(item, "item");
        binding.check(this, "put");
        if (shutdown) {
            throw new QueueShutDownException("put on a shut-down queue");
        }
        if (!isFull() && !putters.hasWaiters()) {
            insert(item);
            return;
        }
        EventLoopImpl loop = binding.bind(this, "put");
        putters.await(loop, this::passSlot);
        while (true) {
            if (shutdown) {
                throw new QueueShutDownException("put on a shut-down queue");
            }
            if (!isFull()) {
                insert(item);
                return;
            }
            putters.awaitAgain(loop, this::passSlot);   // a putNowait took the slot first
        }
    }

    /**
     * Puts an item without waiting: succeeds exactly when {@link #isFull()} is false.
     *
     * @param item the item
     * @throws NullPointerException   if {@code item} is null
     * @throws QueueFullException     if the queue is full (the message states its size and
     *                                maximum size)
     * @throws QueueShutDownException if the queue is shut down
     * @throws IllegalStateException  if the queue belongs to another loop
     */
    public void putNowait(T item) {
        java.util.Objects.requireNonNull(item, "item");
        binding.check(this, "putNowait");
        if (shutdown) {
            throw new QueueShutDownException("put on a shut-down queue");
        }
        if (isFull()) {
            throw new QueueFullException("queue is full (size " + items.size() + " of maxSize " + maxSize + "): " + this);
        }
        insert(item);
    }

    /**
     * Takes the next item, suspending while the queue is empty (or other getters wait before
     * it).
     *
     * @return the item
     * @throws QueueShutDownException           if the queue is shut down and empty, or was shut
     *                                          down with {@code immediate}
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits (it then
     *                                          took nothing)
     * @throws IllegalStateException            if it must wait and the caller is not a task, or
     *                                          the queue belongs to another loop
     */
    public T get() {
        binding.check(this, "get");
        if (!items.isEmpty() && !getters.hasWaiters()) {
            return take();
        }
        if (shutdown && items.isEmpty()) {
            throw new QueueShutDownException("get on a shut-down, empty queue");
        }
        EventLoopImpl loop = binding.bind(this, "get");
        getters.await(loop, this::passItem);
        while (true) {
            if (!items.isEmpty()) {
                return take();
            }
            if (shutdown) {
                throw new QueueShutDownException("get on a shut-down, empty queue");
            }
            getters.awaitAgain(loop, this::passItem);   // a getNowait took the item first
        }
    }

    /**
     * Takes the next item without waiting: succeeds exactly when {@link #isEmpty()} is false.
     *
     * @return the item
     * @throws QueueEmptyException    if no item is available
     * @throws QueueShutDownException if the queue is shut down and empty
     * @throws IllegalStateException  if the queue belongs to another loop
     */
    public T getNowait() {
        binding.check(this, "getNowait");
        if (items.isEmpty()) {
            if (shutdown) {
                throw new QueueShutDownException("get on a shut-down, empty queue");
            }
            throw new QueueEmptyException("queue is empty: " + this);
        }
        return take();
    }

    /**
     * Marks one item taken earlier as processed; when every item put has been processed,
     * {@link #join()} returns.
     *
     * @throws IllegalStateException if called more times than items were put, or the queue
     *                               belongs to another loop
     */
    public void taskDone() {
        binding.check(this, "taskDone");
        if (unfinished <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        if (--unfinished == 0) {
            joiners.wakeAll(TOKEN);
        }
    }

    /**
     * Waits until every item put has been processed ({@link #taskDone()}); returns at once if
     * none is pending.
     *
     * @throws org.asyncio4j.CancelledException if the task is cancelled while it waits
     * @throws IllegalStateException            if it must wait and the caller is not a task, or
     *                                          the queue belongs to another loop
     */
    public void join() {
        binding.check(this, "join");
        if (unfinished > 0) {
            joiners.await(binding.bind(this, "join"), () -> { });
        }
    }

    /** Shuts the queue down, keeping its items for getters; see {@link #shutdown(boolean)}. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down: puts fail with {@link QueueShutDownException}, waiting putters are
     * woken with it, and getters get the remaining items and then the exception. With
     * {@code immediate}, the remaining items are dropped (counted as done for {@link #join()}),
     * and waiting getters fail at once.
     *
     * @param immediate drop the items too
     * @throws IllegalStateException if the queue belongs to another loop
     */
    public void shutdown(boolean immediate) {
        binding.check(this, "shutdown");
        shutdown = true;
        if (immediate) {
            while (!items.isEmpty()) {
                items.poll();
                if (unfinished > 0) {
                    unfinished--;
                }
            }
            if (unfinished == 0) {
                joiners.wakeAll(TOKEN);
            }
        }
        // Every waiter re-checks: getters take what is left, then fail; putters fail.
        getters.wakeAll(TOKEN);
        putters.wakeAll(TOKEN);
    }

    private void insert(T item) {
        items.add(item);
        unfinished++;
        getters.wakeFirst(TOKEN);
    }

    private T take() {
        T item = items.poll();
        if (maxSize > 0) {
            putters.wakeFirst(TOKEN);
        }
        return item;
    }

    /** A getter woken but cancelled before it ran: the item it was woken for goes to the next. */
    private void passItem() {
        if (!items.isEmpty()) {
            getters.wakeFirst(TOKEN);
        }
    }

    /** A putter woken but cancelled before it ran: the free slot goes to the next. */
    private void passSlot() {
        if (!isFull()) {
            putters.wakeFirst(TOKEN);
        }
    }

    /**
     * The number of items in the queue (a getter woken for an item has not taken it until it
     * runs, as in Python).
     *
     * @return the size
     */
    public int size() {
        return items.size();
    }

    /**
     * Whether the queue holds no item; when false, {@link #getNowait()} succeeds.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether the queue holds {@link #maxSize()} items (never, for an unbounded queue); when
     * false, {@link #putNowait} succeeds (unless the queue is shut down).
     *
     * @return true if full
     */
    public boolean isFull() {
        return maxSize > 0 && items.size() >= maxSize;
    }

    /**
     * The capacity.
     *
     * @return the maximum size, 0 for unbounded
     */
    public int maxSize() {
        return maxSize;
    }

    /**
     * Whether {@link #shutdown(boolean)} was called.
     *
     * @return true once shut down
     */
    public boolean isShutdown() {
        return shutdown;
    }

    /**
     * A snapshot of the queue's state.
     *
     * @return sizes, waiters and counters
     */
    public Statistics statistics() {
        return new Statistics(items.size(), maxSize, getters.size(), putters.size(), unfinished, shutdown);
    }

    /**
     * The state of a queue.
     *
     * @param size            items in the queue
     * @param maxSize         capacity, 0 for unbounded
     * @param getters         tasks waiting to get
     * @param putters         tasks waiting to put
     * @param unfinishedTasks items put and not yet marked done
     * @param shutdown        whether it is shut down
     */
    public record Statistics(int size, int maxSize, int getters, int putters, int unfinishedTasks, boolean shutdown) {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[size=" + items.size() + (maxSize > 0 ? ", maxSize=" + maxSize : "")
                + (getters.hasWaiters() ? ", getters=" + getters.size() : "")
                + (putters.hasWaiters() ? ", putters=" + putters.size() : "")
                + (unfinished > 0 ? ", unfinished=" + unfinished : "") + (shutdown ? ", shut down" : "") + "]";
    }
}
