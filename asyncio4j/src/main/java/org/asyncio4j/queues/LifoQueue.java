package org.asyncio4j.queues;

import java.util.ArrayDeque;
import java.util.Collections;

/**
 * A {@link Queue} that hands out the most recently added item first.
 *
 * <p>Python: {@code asyncio.LifoQueue}.
 *
 * @param <T> the element type
 */
public final class LifoQueue<T> extends Queue<T> {

    /** An unbounded stack. */
    public LifoQueue() {
        this(0);
    }

    /**
     * A bounded stack.
     *
     * @param maxSize the capacity; zero or negative means unbounded
     */
    public LifoQueue(int maxSize) {
        super(maxSize, Collections.asLifoQueue(new ArrayDeque<>()));
    }
}
