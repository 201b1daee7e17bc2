package com.example;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.Asyncio.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.asyncio4j.Task;
import org.asyncio4j.test.AsyncioTest;
import org.asyncio4j.test.TestClock;

class RetryTest {

    /** The code under test: calls op until it succeeds, sleeping 1, 2, 4, ... s between tries. */
    static <T> T retry(int attempts, Callable<T> op) throws Exception {
        double delay = 1;
        for (int i = 1; ; i++) {
            try {
                return op.call();
            } catch (IOException e) {
                if (i == attempts) {
                    throw e;
                }
            }
            sleep(delay);
            delay *= 2;
        }
    }

    @AsyncioTest
    void retry_backsOffExponentially(TestClock clock) {
        int[] calls = {0};
        Task<String> t = createTask(() -> retry(4, () -> {
            if (++calls[0] < 4) {
                throw new IOException("down");
            }
            return "up";
        }));
        clock.advanceBy(Duration.ofSeconds(2));     // tries at 0 s and 1 s; the next one is due at 3 s
        assertEquals(2, calls[0]);
        clock.advanceBy(Duration.ofSeconds(5));     // tries at 3 s and 7 s: the fourth succeeds
        assertEquals("up", t.await());
        assertEquals(7.0, clock.time());
    }

    @AsyncioTest
    void anHourLongSleep_takesNoRealTime() {
        assertEquals("woke", timeout(Duration.ofHours(2), () -> {
            sleep(3600);
            return "woke";
        }));
    }
}
