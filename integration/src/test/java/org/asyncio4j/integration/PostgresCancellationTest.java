package org.asyncio4j.integration;

import com.zaxxer.hikari.HikariDataSource;
import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Asyncio;
import org.asyncio4j.ExceptionGroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancelling tasks blocked in pgjdbc and HikariCP, each on one loop beside the ticker: a
 * cancellation stays a cancellation (the driver's exception becomes its cause), {@code timeout}
 * and {@code waitFor} end as timeouts, a TaskGroup reports only real failures, the pool recovers,
 * and {@code Asyncio.cancellable} with {@code Statement::cancel} keeps the connection.
 */
@Timeout(60)
class PostgresCancellationTest {

    @BeforeAll
    static void warmUp() {
        Pg.warmUp();
    }

    static void assertNotLate(Ticker.Figures<?> f) {
        assertTrue(f.worstGapMs() <= Ticker.MAX_GAP_MS, "the ticker was late: worst gap " + f.worstGapMs() + " ms");
    }

    static void assertPrompt(Ticker.Figures<Cancels.Cancelled> f) {
        assertTrue(f.value().seconds() < 1.0, "cancel to end took " + f.value().seconds() + " s");
        assertNotLate(f);
    }

    private static boolean queryFails(Connection c) {
        try {
            Pg.selectInt(c, "SELECT 1");
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    @Test
    void cancel_ofATaskBlockedInAQuery_endsItCancelled_withTheDriversExceptionAsCause() {
        Asyncio.run(() -> {
            try (Connection c = Pg.connect()) {
                var f = Cancels.cancelAfter("pgjdbc: cancel() of a task in pg_sleep(5)", 0.3, () -> Pg.pgSleep(c, 5));
                assertInstanceOf(SQLException.class, f.value().cause(), "the driver's exception is the cause");
                assertPrompt(f);
                // The interrupt closed the driver's socket: the connection is gone.
                assertTrue(c.isClosed() || queryFails(c), "a connection whose socket the interrupt closed");
            }
        });
    }

    /** Something done with a connection. */
    interface WithConnection {
        void run(Connection c) throws Exception;
    }

    /** On one loop, beside the ticker: {@code call} throws AsyncTimeoutException at its 300 ms deadline. */
    private static void assertTimesOut(String name, WithConnection call) {
        Asyncio.run(() -> {
            try (Connection c = Pg.connect()) {
                var f = Ticker.measure(name, () -> assertThrows(AsyncTimeoutException.class, () -> call.run(c)));
                assertTrue(f.wallSeconds() >= 0.29 && f.wallSeconds() < 1.3, "ended after " + f.wallSeconds() + " s");
                assertNotLate(f);
            }
        });
    }

    @Test
    void timeout_aroundAQuery_throwsAsyncTimeoutException() {
        assertTimesOut("pgjdbc: timeout(300 ms) around pg_sleep(5)",
                c -> Asyncio.timeout(Duration.ofMillis(300), () -> Pg.pgSleep(c, 5)));
    }

    @Test
    void waitFor_aQuery_throwsAsyncTimeoutException() {
        assertTimesOut("pgjdbc: waitFor(pg_sleep(5), 300 ms)",
                c -> Asyncio.waitFor(() -> { Pg.pgSleep(c, 5); return null; }, Duration.ofMillis(300)));
    }

    @Test
    void taskGroup_whoseChildFails_reportsOnlyThatFailure_notTheSiblingsItCancelledInQueries_andThePoolRecovers() {
        Asyncio.run(() -> {
            try (HikariDataSource ds = Pg.pool(4, "group-pool")) {
                Pg.awaitIdle(ds, 4);
                IllegalStateException boom = new IllegalStateException("boom");
                var f = Ticker.measure("HikariCP: TaskGroup, one child fails at 300 ms, three siblings in pg_sleep(5)",
                        () -> assertThrows(ExceptionGroup.class, () -> Asyncio.taskGroup(tg -> {
                            for (int i = 0; i < 3; i++) {
                                tg.createTask(() -> { try (Connection c = ds.getConnection()) { Pg.pgSleep(c, 5); } });
                            }
                            tg.createTask(() -> { Asyncio.sleep(0.3); throw boom; });
                            return null;
                        })), eg -> "group " + eg.exceptions());
                assertEquals(1, f.value().exceptions().size(), "only the real failure: " + f.value().exceptions());
                assertSame(boom, f.value().exceptions().get(0));
                assertTrue(f.wallSeconds() < 1.3, "the group ended after " + f.wallSeconds() + " s");
                assertNotLate(f);
                // The pool recovers: the broken connections leave it, a new query works.
                Pg.awaitNoneActive(ds);
                try (Connection c = ds.getConnection()) { assertEquals(1, Pg.selectInt(c, "SELECT 1")); }
                Pg.awaitNoneActive(ds);
            }
        });
    }

    @Test
    void cancel_ofATaskWaitingForAPoolConnection_endsItCancelled_andThePoolStillServes() {
        Asyncio.run(() -> {
            try (HikariDataSource ds = Pg.pool(1, "exhausted-pool")) {
                Pg.awaitIdle(ds, 1);
                Connection held = ds.getConnection();                // the pool is exhausted
                var f = Cancels.cancelAfter("HikariCP: cancel() of a task waiting in getConnection()", 0.3,
                        () -> ds.getConnection());
                assertInstanceOf(SQLException.class, f.value().cause(), "Hikari's exception is the cause");
                assertPrompt(f);
                held.close();
                Pg.awaitNoneActive(ds);
                try (Connection c = ds.getConnection()) { assertEquals(1, Pg.selectInt(c, "SELECT 1")); }
            }
        });
    }

    @Test
    void cancellable_withStatementCancel_cancelsTheQueryOnTheServer_andKeepsTheConnection() {
        Asyncio.run(() -> {
            try (Connection c = Pg.connect()) {
                int pid = Pg.selectInt(c, "SELECT pg_backend_pid()");
                var f = Cancels.cancelAfter("pgjdbc: cancel() of cancellable(stmt::cancel, pg_sleep(5))", 0.2, () -> {
                    try (Statement st = c.createStatement()) {
                        Asyncio.cancellable(st::cancel, () -> st.executeQuery("SELECT pg_sleep(5)"));
                    }
                });
                SQLException cause = assertInstanceOf(SQLException.class, f.value().cause());
                assertEquals("57014", cause.getSQLState(), "query_canceled: " + cause);
                assertPrompt(f);
                // The server abandoned the query; the same connection goes on.
                String state = Pg.backendState(pid);
                assertFalse(state.startsWith("active"), "backend " + pid + " still busy: " + state);
                assertFalse(c.isClosed());
                assertEquals(1, Pg.selectInt(c, "SELECT 1"));
            }
        });
    }

    @Test
    void cancel_withoutCancellable_losesTheConnection_whileTheBackendSleepsOn() {
        Asyncio.run(() -> {
            try (Connection c = Pg.connect()) {
                int pid = Pg.selectInt(c, "SELECT pg_backend_pid()");
                var f = Cancels.cancelAfter("pgjdbc: cancel() of a plain executeQuery(pg_sleep(5))", 0.2, () -> {
                    try (Statement st = c.createStatement()) { st.executeQuery("SELECT pg_sleep(5)"); }
                });
                assertInstanceOf(SQLException.class, f.value().cause(), "the driver's exception is the cause");
                assertPrompt(f);
                // The interrupt closed the socket: the client lost the connection, and the server
                // goes on with pg_sleep until it next writes to the dead socket.
                assertTrue(c.isClosed() || queryFails(c), "a connection whose socket the interrupt closed");
                String state = Pg.backendState(pid);
                assertTrue(state.startsWith("active") && state.contains("pg_sleep"), "backend " + pid + ": " + state);
            }
        });
    }
}
