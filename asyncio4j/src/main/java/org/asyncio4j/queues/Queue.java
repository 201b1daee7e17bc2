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
 * A waiting getter is woken with a <em>reservation</em> on one item, which stays in the queue
 * (so {@link #size()} reads as in Python) until the getter runs and takes it; items reserved
 * that way are invisible to newcomers ({@link #getNowait()}, a new {@code get}), so nobody
 * overtakes a woken getter. Symmetrically a waiting putter is woken with a reserved free slot.
 * A getter or putter cancelled after its wake-up passes its reservation to the next waiter.
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
    private int reservedItems;      // items promised to woken getters
    private int reservedSlots;      // free slots promised to woken putters
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
     * Puts an item, suspending while the queue is full.
     *
     * @param item the item
     * @throws NullPointerException             if {@code item} is null
     * @throws QueueShutDownException           if the queue is shut down
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
        if (!fullForNewcomer() && !putters.hasWaiters()) {
            insert(item);
            return;
        }
        EventLoopImpl loop = binding.bind(this, "put");
        putters.await(loop, this::passSlot);
        reservedSlots--;
        if (shutdown) {
            throw new QueueShutDownException("put on a shut-down queue");
        }
        insert(item);
    }

    /**
     * Puts an item without waiting.
     *
     * @param item the item
     * @throws NullPointerException   if {@code item} is null
     * @throws QueueFullException     if the queue is full
     * @throws QueueShutDownException if the queue is shut down
     * @throws IllegalStateException  if the queue belongs to another loop
     */
    public void putNowait(T item) {
        java.util.Objects.requireNonNull(item, "item");
        binding.check(this, "putNowait");
        if (shutdown) {
            throw new QueueShutDownException("put on a shut-down queue");
        }
        if (fullForNewcomer()) {
            throw new QueueFullException("queue is full: " + this);
        }
        insert(item);
    }

    /**
     * Takes the next item, suspending while the queue is empty.
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
        if (items.size() - reservedItems > 0 && !getters.hasWaiters()) {
            return take();
        }
        if (shutdown) {
            throw new QueueShutDownException("get on a shut-down, empty queue");
        }
        EventLoopImpl loop = binding.bind(this, "get");
        getters.await(loop, this::passItem);
        if (reservedItems > 0) {
            reservedItems--;
        }
        if (items.isEmpty()) {
            throw new QueueShutDownException("get on a shut-down, empty queue");
        }
        return take();
    }

    /**
     * Takes the next item without waiting.
     *
     * @return the item
     * @throws QueueEmptyException    if no item is available
     * @throws QueueShutDownException if the queue is shut down and empty
     * @throws IllegalStateException  if the queue belongs to another loop
     */
    public T getNowait() {
        binding.check(this, "getNowait");
        if (items.size() - reservedItems <= 0) {
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
            reservedItems = 0;
            if (unfinished == 0) {
                joiners.wakeAll(TOKEN);
            }
        }
        getters.failAll(new QueueShutDownException("get on a shut-down, empty queue"));
        putters.failAll(new QueueShutDownException("put on a shut-down queue"));
    }

    private boolean fullForNewcomer() {
        return maxSize > 0 && items.size() + reservedSlots >= maxSize;
    }

    private void insert(T item) {
        items.add(item);
        unfinished++;
        if (getters.wakeFirst(TOKEN)) {
            reservedItems++;
        }
    }

    private T take() {
        T item = items.poll();
        if (maxSize > 0 && putters.hasWaiters() && putters.wakeFirst(TOKEN)) {
            reservedSlots++;
        }
        return item;
    }

    /** A getter woken but cancelled: its item goes to the next getter. */
    private void passItem() {
        if (reservedItems > 0) {
            reservedItems--;
        }
        if (items.size() - reservedItems > 0 && getters.wakeFirst(TOKEN)) {
            reservedItems++;
        }
    }

    /** A putter woken but cancelled: its slot goes to the next putter. */
    private void passSlot() {
        reservedSlots--;
        if (!fullForNewcomer() && putters.wakeFirst(TOKEN)) {
            reservedSlots++;
        }
    }

    /**
     * The number of items in the queue (including items already promised to woken getters).
     *
     * @return the size
     */
    public int size() {
        return items.size();
    }

    /**
     * Whether the queue holds no item.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether the queue holds {@link #maxSize()} items (never, for an unbounded queue).
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
