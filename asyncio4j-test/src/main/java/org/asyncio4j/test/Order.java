package org.asyncio4j.test;

import org.opentest4j.AssertionFailedError;

/**
 * Pins an exact interleaving of tasks: each step calls {@link #expect(int)} with the number it
 * must have, counting every call from 1, and the last step calls {@link #finish(int)}.
 *
 * <pre>{@code
 * var order = new Order();
 * createTask(() -> order.expect(2));         // runs when the test first suspends
 * order.expect(1);
 * sleep(0);
 * order.finish(3);
 * }</pre>
 *
 * A failing call throws an {@link AssertionFailedError} in the task that made it: in the test
 * method it fails the test, in another task it fails that task, which an {@link AsyncioTest}
 * reports as an exception never retrieved unless something awaits the task. Every later call
 * fails too, with the first failure as its cause, so the test's {@code finish} fails even when
 * a task swallowed its own. Safe to share across threads.
 *
 * <p>Python: none in asyncio (kotlinx-coroutines' test {@code expect}/{@code finish}, trio's
 * {@code Sequencer}).
 */
public final class Order {
    private int calls;
    private int finishedAt;           // the step finish() was called with, or 0
    private AssertionFailedError broken;    // the first failure: every later call fails with it as cause

    /** A sequence at its start: the next {@link #expect(int)} must be step 1. */
    public Order() {
    }

    /**
     * Counts this call and checks that it is call number {@code n}.
     *
     * @param n the step this call must be, from 1
     * @throws AssertionFailedError if it is another call, {@link #finish(int)} was called
     *                              already, or an earlier call failed
     */
    public synchronized void expect(int n) {
        int call = ++calls;
        if (broken != null) {
            throw new AssertionFailedError("Order: expect(" + n + ") after an earlier step failed: " + broken.getMessage(), broken);
        }
        if (finishedAt != 0) {
            throw broken = new AssertionFailedError("Order: expect(" + n + ") after finish(" + finishedAt + ")");
        }
        if (call != n) {
            throw broken = new AssertionFailedError("Order: expect(" + n + ") ran as step " + call
                    + (call < n ? ": steps before it did not run" : ": it ran too late, or a step ran twice"),
                    n, call);
        }
    }

    /**
     * The last step: {@link #expect(int) expect(n)}, after which every call of {@code expect}
     * fails.
     *
     * @param n the step this call must be, from 1
     * @throws AssertionFailedError as {@link #expect(int)}
     */
    public synchronized void finish(int n) {
        expect(n);
        finishedAt = n;
    }

    @Override
    public synchronized String toString() {
        return "Order[steps=" + calls + (finishedAt != 0 ? ", finished" : "") + "]";
    }
}
