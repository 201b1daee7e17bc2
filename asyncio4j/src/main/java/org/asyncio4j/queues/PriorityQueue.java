package org.asyncio4j.queues;

import java.util.Comparator;

/**
 * A {@link Queue} that hands out the smallest item first: natural order, or a comparator's.
 *
 * <p>Python: {@code asyncio.PriorityQueue}.
 *
 * @param <T> the element type
 */
public final class PriorityQueue<T> extends Queue<T> {

    /** An unbounded queue in natural order (items must be {@code Comparable}). */
    public PriorityQueue() {
        this(0, null);
    }

    /**
     * A bounded queue in natural order.
     *
     * @param maxSize the capacity; zero or negative means unbounded
     */
    public PriorityQueue(int maxSize) {
        this(maxSize, null);
    }

    /**
     * An unbounded queue in the comparator's order.
     *
     * @param comparator the order, or null for natural order
     */
    public PriorityQueue(Comparator<? super T> comparator) {
        this(0, comparator);
    }

    /**
     * A bounded queue in the comparator's order.
     *
     * @param maxSize    the capacity; zero or negative means unbounded
     * @param comparator the order, or null for natural order
     */
    public PriorityQueue(int maxSize, Comparator<? super T> comparator) {
        super(maxSize, new java.util.PriorityQueue<>(comparator));
    }
}
