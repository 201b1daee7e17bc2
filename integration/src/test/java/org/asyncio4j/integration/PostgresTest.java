package org.asyncio4j.integration;

import com.zaxxer.hikari.HikariDataSource;
import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** pgjdbc and HikariCP inside tasks of one loop: blocking queries park their tasks, not the loop. */
class PostgresTest {

    @BeforeAll
    static void warmUp() {
        Pg.warmUp();
    }

    @Test
    void fiftyPgSleeps_eachOnItsOwnConnection_endInAboutOneSecond() {
        var f = Asyncio.run(() -> Ticker.measure("pgjdbc: 50 tasks, own connections, pg_sleep(1)", () -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                tasks.add(Asyncio.createTask(() -> { try (Connection c = Pg.connect()) { Pg.pgSleep(c, 1); } }));
            }
            return Asyncio.gather(tasks);
        }));
        assertTrue(f.wallSeconds() < 3, "50 concurrent pg_sleep(1) took " + f.wallSeconds() + " s");
        assertTrue(f.worstGapMs() <= Ticker.MAX_GAP_MS, "the ticker was late: worst gap " + f.worstGapMs() + " ms");
    }

    @Test
    void hikariPoolOfTen_servesFiftyPgSleeps_inFiveRounds() {
        var f = Asyncio.run(() -> {
            try (HikariDataSource ds = Pg.pool(10, "pool-of-10")) {
                Pg.awaitIdle(ds, 10);
                return Ticker.measure("HikariCP pool of 10: 50 tasks, pg_sleep(1)", () -> {
                    List<Task<Void>> tasks = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        tasks.add(Asyncio.createTask(() -> { try (Connection c = ds.getConnection()) { Pg.pgSleep(c, 1); } }));
                    }
                    return Asyncio.gather(tasks);
                });
            }
        });
        assertTrue(f.wallSeconds() > 4, "a pool of 10 cannot serve 50 one-second queries in " + f.wallSeconds() + " s");
        assertTrue(f.wallSeconds() < 8, "50 pooled pg_sleep(1) took " + f.wallSeconds() + " s");
        assertTrue(f.worstGapMs() <= Ticker.MAX_GAP_MS, "the ticker was late: worst gap " + f.worstGapMs() + " ms");
    }
}
