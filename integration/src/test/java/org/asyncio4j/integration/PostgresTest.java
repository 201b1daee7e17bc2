package org.asyncio4j.integration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pgjdbc and HikariCP inside tasks of one loop: blocking queries park their tasks, not the loop. */
class PostgresTest {

    @BeforeAll
    static void warmUp() throws Exception {
        // Loads and initialises the driver's classes once, so the figures measure queries, not
        // class loading (a class initialiser runs on the loop thread and would stall it).
        Asyncio.run(() -> { try (Connection c = connect()) { assertEquals(1, selectInt(c, "SELECT 1")); } });
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(Servers.pgUrl());
    }

    static int selectInt(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    static void pgSleep(Connection c, double seconds) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_sleep(" + seconds + ")");
        }
    }

    static HikariDataSource pool(int size, String name) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(Servers.pgUrl());
        cfg.setPoolName(name);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(size);
        cfg.setConnectionTimeout(30_000);
        return new HikariDataSource(cfg);
    }

    /** Waits (on the loop) until the pool holds {@code n} idle connections, at most 10 s. */
    static void awaitIdle(HikariDataSource ds, int n) {
        for (int i = 0; i < 1000 && ds.getHikariPoolMXBean().getIdleConnections() < n; i++) Asyncio.sleep(0.01);
        assertEquals(n, ds.getHikariPoolMXBean().getIdleConnections(), "idle connections in " + ds.getPoolName());
    }

    @Test
    void fiftyPgSleeps_eachOnItsOwnConnection_endInAboutOneSecond() {
        var f = Asyncio.run(() -> Ticker.measure("pgjdbc: 50 tasks, own connections, pg_sleep(1)", () -> {
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                tasks.add(Asyncio.createTask(() -> { try (Connection c = connect()) { pgSleep(c, 1); } }));
            }
            return Asyncio.gather(tasks);
        }));
        assertTrue(f.wallSeconds() < 3, "50 concurrent pg_sleep(1) took " + f.wallSeconds() + " s");
        assertTrue(f.worstGapMs() <= Ticker.MAX_GAP_MS, "the ticker was late: worst gap " + f.worstGapMs() + " ms");
    }

    @Test
    void hikariPoolOfTen_servesFiftyPgSleeps_inFiveRounds() {
        var f = Asyncio.run(() -> {
            try (HikariDataSource ds = pool(10, "pool-of-10")) {
                awaitIdle(ds, 10);
                return Ticker.measure("HikariCP pool of 10: 50 tasks, pg_sleep(1)", () -> {
                    List<Task<Void>> tasks = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        tasks.add(Asyncio.createTask(() -> { try (Connection c = ds.getConnection()) { pgSleep(c, 1); } }));
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
