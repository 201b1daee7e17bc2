package org.asyncio4j.integration;

import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jedis inside tasks of one loop: a blocking BLPOP parks its task, not the loop. */
class RedisTest {

    @BeforeAll
    static void warmUp() {
        // Loads Jedis's classes once, so the figures measure commands, not class loading.
        Asyncio.run(() -> { try (Jedis j = connect()) { assertEquals("PONG", j.ping()); } });
    }

    static Jedis connect() {
        return new Jedis(Servers.redisHost(), Servers.redisPort());
    }

    @Test
    void hundredBlpops_eachOnItsOwnConnection_endInAboutOneSecond() {
        var f = Asyncio.run(() -> Ticker.measure("Jedis: 100 tasks, own connections, BLPOP key 1", () -> {
            List<Task<List<String>>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String key = "it:empty:" + i;
                tasks.add(Asyncio.createTask(() -> { try (Jedis j = connect()) { return j.blpop(1, key); } }));
            }
            return Asyncio.gather(tasks);
        }));
        assertEquals(100, f.value().size());
        f.value().forEach(v -> assertNull(v, "BLPOP on an empty list times out with null"));
        assertTrue(f.wallSeconds() < 3, "100 concurrent BLPOP 1 took " + f.wallSeconds() + " s");
        assertTrue(f.worstGapMs() <= Ticker.MAX_GAP_MS, "the ticker was late: worst gap " + f.worstGapMs() + " ms");
    }
}
