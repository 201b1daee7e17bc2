package org.asyncio4j.sync;

/**
 * A {@link Semaphore} that refuses to be released more often than it was acquired: a release
 * that would raise the free permits above the initial value throws.
 *
 * <p>Python: {@code asyncio.BoundedSemaphore}.
 */
public final class BoundedSemaphore extends Semaphore {
    private final int bound;

    /**
     * A bounded semaphore with {@code value} permits.
     *
     * @param value the initial (and highest) number of permits
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public BoundedSemaphore(int value) {
        super(value);
        this.bound = value;
    }

    /**
     * Returns a permit.
     *
     * @throws IllegalStateException if every permit is already free (released too many times),
     *                               or the semaphore belongs to another loop
     */
    @Override
    public void release() {
        binding.check(this, "release");
        if (value >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times: " + this);
        }
        handOver();
    }
}
