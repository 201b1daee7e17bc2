package org.asyncio4j.integration;

import org.asyncio4j.Asyncio;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Cancelling tasks blocked in Jedis, beside the ticker: a BLPOP and a JedisPool borrow end cancelled, promptly. */
@Timeout(60)
class RedisCancellationTest {

    @BeforeAll
    static void warmUp() {
        RedisTest.warmUp();
    }

    @Test
    void cancel_ofATaskInBlpop_endsItCancelled_withJedisExceptionAsCause() {
        Asyncio.run(() -> {
            try (Jedis j = RedisTest.connect()) {
                var f = Cancels.cancelAfter("Jedis: cancel() of a task in BLPOP key 5", 0.2,
                        () -> j.blpop(5, "it:cancel:blpop"));
                assertInstanceOf(JedisException.class, f.value().cause(), "Jedis's exception is the cause");
                PostgresCancellationTest.assertPrompt(f);
            }
        });
    }

    @Test
    @SuppressWarnings("deprecation")    // JedisPool: Jedis 7 prefers RedisClient, which pools inside
    void cancel_ofATaskWaitingToBorrowFromAJedisPool_endsItCancelled_andThePoolStillServes() {
        JedisPoolConfig cfg = new JedisPoolConfig();
        cfg.setMaxTotal(1);
        cfg.setMaxWait(Duration.ofSeconds(30));
        try (JedisPool pool = new JedisPool(cfg, Servers.redisHost(), Servers.redisPort())) {
            Asyncio.run(() -> {
                Jedis held = pool.getResource();                     // the pool is exhausted
                var f = Cancels.cancelAfter("JedisPool: cancel() of a task waiting in getResource()", 0.2,
                        () -> pool.getResource());
                assertInstanceOf(JedisException.class, f.value().cause(), "the pool's exception is the cause");
                PostgresCancellationTest.assertPrompt(f);
                held.close();
                assertEquals(0, pool.getNumActive());
                try (Jedis j = pool.getResource()) { assertEquals("PONG", j.ping()); }
            });
        }
    }
}
