package org.asyncio4j.internal;

/**
 * A test hook: told at every asyncio4j suspension point of every task (the entry of
 * {@code await} on a pending future and of {@code sleep}), so that a test harness can inject a
 * cancellation, or a sibling's failure, at exactly the n-th suspension point of a scenario.
 *
 * <p>Not for production use: one static field, read without synchronisation on the loop
 * thread, so install it before the loop under test starts and remove it after it closes.
 * When unset (always, outside the test suite) a suspension point pays one static read.
 */
public final class SuspensionProbe {
    private SuspensionProbe() {
    }

    /** Called on the loop thread, in the suspending task, before it parks. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param task the task about to suspend
         * @param what what it is about to wait for: the future, or null for a sleep
         */
        void atSuspension(org.asyncio4j.Task<?> task, org.asyncio4j.Future<?> what);
    }

    static Listener listener;

    /** Installs the listener (null removes it). */
    public static void install(Listener l) {
        listener = l;
    }
}
