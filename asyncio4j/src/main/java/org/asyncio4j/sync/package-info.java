/**
 * Synchronisation primitives for tasks: {@link org.asyncio4j.sync.Lock},
 * {@link org.asyncio4j.sync.Event}, {@link org.asyncio4j.sync.Condition},
 * {@link org.asyncio4j.sync.Semaphore}, {@link org.asyncio4j.sync.BoundedSemaphore} and
 * {@link org.asyncio4j.sync.Barrier}.
 *
 * <p>All of them are fair (waiters are served in the order they arrived), not reentrant, and
 * cancellation-safe: a waiter cancelled while it waits takes nothing, loses nothing, and wakes
 * the next waiter in its place, also when the cancellation lands after its wake-up was
 * scheduled. They are built on one waiter queue, so these guarantees hold the same way for
 * every one of them and for the queues of {@code org.asyncio4j.queues}.
 *
 * <p>A primitive binds to a loop the first time it has to wait, so it may be created outside
 * any loop; afterwards, using it from another loop or thread throws
 * {@link java.lang.IllegalStateException}. None of them is thread-safe across loops: to signal
 * a task from a plain thread, use {@code loop.callSoonThreadsafe(event::set)}.
 *
 * <p>Python: {@code asyncio.Lock}, {@code Event}, {@code Condition}, {@code Semaphore},
 * {@code BoundedSemaphore}, {@code Barrier}.
 */
package org.asyncio4j.sync;
