package org.asyncio4j.integration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.asyncio4j.Asyncio;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small JDBC helpers for the PostgreSQL cases. */
final class Pg {
    private Pg() {}

    /**
     * Loads and initialises the driver's classes once, so the figures measure queries, not class
     * loading (a class initialiser runs on the loop thread and stalls it).
     */
    static void warmUp() {
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

    /** The backend's state in pg_stat_activity ("active", "idle", ...), or "gone", seen from another connection. */
    static String backendState(int pid) throws SQLException {
        try (Connection other = connect();
             PreparedStatement ps = other.prepareStatement("SELECT state, query FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) + ": " + rs.getString(2) : "gone";
            }
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

    /** Waits (in the task) until the pool holds {@code n} idle connections, at most 10 s. */
    static void awaitIdle(HikariDataSource ds, int n) {
        for (int i = 0; i < 1000 && ds.getHikariPoolMXBean().getIdleConnections() < n; i++) Asyncio.sleep(0.01);
        assertEquals(n, ds.getHikariPoolMXBean().getIdleConnections(), "idle connections in " + ds.getPoolName());
    }

    /** Waits (in the task) until no connection of the pool is in use, at most 10 s. */
    static void awaitNoneActive(HikariDataSource ds) {
        for (int i = 0; i < 1000 && ds.getHikariPoolMXBean().getActiveConnections() > 0; i++) Asyncio.sleep(0.01);
        assertEquals(0, ds.getHikariPoolMXBean().getActiveConnections(), "active connections in " + ds.getPoolName());
    }
}
