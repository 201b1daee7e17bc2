/**
 * Queues for tasks: {@link org.asyncio4j.queues.Queue} (FIFO),
 * {@link org.asyncio4j.queues.PriorityQueue} and {@link org.asyncio4j.queues.LifoQueue}, with
 * {@code taskDone}/{@code join} and Python 3.13's {@code shutdown}.
 *
 * <p>Getters and putters are served in the order they arrived, and are cancellation-safe: a
 * cancelled {@code get} never takes an item and a cancelled {@code put} never inserts one,
 * also when the cancellation lands after their wake-up was scheduled (the item or the free slot
 * then passes to the next waiter). Like the primitives of {@code org.asyncio4j.sync}, a queue
 * binds to a loop the first time a task waits on it, and is not thread-safe.
 *
 * <p>Python: {@code asyncio.Queue}, {@code PriorityQueue}, {@code LifoQueue}.
 */
package org.asyncio4j.queues;
