package org.asyncio4j;

import java.util.concurrent.Callable;

/** Shared test helpers: runs on the virtual clock, so loop sleeps cost no real time. */
public final class TestLoops {
    /** Run options with the virtual clock. */
    public static final RunOptions VC = RunOptions.defaults().withVirtualClock(true);

    private TestLoops() {
    }

    /** {@code Asyncio.run} on the virtual clock. */
    public static <T> T runVc(Callable<T> main) {
        return Asyncio.run(main, VC);
    }

    /** {@code Asyncio.run} on the virtual clock, without a result. */
    public static void runVc(ThrowingRunnable main) {
        Asyncio.run(main, VC);
    }
}
