package org.asyncio4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins an exact interleaving, as kotlinx.coroutines' tests do: each step calls
 * {@code expect(n)} with the number it must be, and the test ends with {@code finish(n)}.
 * Loop-confined, like the code it checks.
 */
public final class Order {
    private int step;

    /** Asserts this is step {@code n} (steps count from 1). */
    public void expect(int n) {
        step++;
        assertEquals(n, step, "steps ran out of order");
    }

    /** Asserts the last step was {@code n - 1}, and counts this one. */
    public void finish(int n) {
        expect(n);
    }

    /** The steps counted so far. */
    public int steps() {
        return step;
    }
}
