package org.asyncio4j.integration.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Many JDBC queries on one event loop through a HikariCP pool: plain blocking pgjdbc code in
 * tasks, overlapped up to the pool's size, while a sibling task ticking every 10 ms shows the loop
 * never stalls. Then a query cut short by {@code timeout}, cancelled on the server through
 * {@code Asyncio.cancellable(stmt::cancel, ...)}, with the connection reused afterwards.
 *
 * <pre>
 * ./dev example JdbcFanOut                 # starts a throwaway PostgreSQL (.ci/servers) and stops it after
 * ./dev example JdbcFanOut JDBC_URL [QUERIES [SECONDS [POOL_SIZES]]]
 *                                          # e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres 100 0.1 1,10,50
 * </pre>
 * The URL may also come from {@code ASYNCIO4J_PG_URL}.
 */
public final class JdbcFanOut {
    private JdbcFanOut() {}

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : System.getenv("ASYNCIO4J_PG_URL");
        if (url == null || url.isBlank()) {
            System.err.println("usage: JdbcFanOut JDBC_URL [QUERIES [SECONDS [POOL_SIZES]]] (or set ASYNCIO4J_PG_URL)");
            System.exit(2);
        }
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 0.1;
        String sizes = args.length > 3 ? args[3] : "1,10,50";

        // A quiet first round loads and warms the driver's and the pool's code.
        Asyncio.run(() -> fanOut(url, 4, 40, 0, false));
        System.out.printf("%d queries of SELECT pg_sleep(%s) on one loop; one after another they would take %.1f s%n",
                queries, seconds, queries * seconds);
        System.out.printf("%-10s %9s %9s %11s %15s%n", "pool size", "wall", "ideal", "queries/s", "worst tick gap");
        for (String s : sizes.split(",")) {
            int size = Integer.parseInt(s.trim());
            Asyncio.run(() -> fanOut(url, size, queries, seconds, true));
        }
        Asyncio.run(() -> cutShort(url));
    }

    private static HikariDataSource pool(String url, int size) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setPoolName("fan-out-" + size);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(size);
        return new HikariDataSource(cfg);
    }

    private static void fanOut(String url, int size, int queries, double seconds, boolean print) throws Exception {
        try (HikariDataSource ds = pool(url, size)) {
            // Let the pool open its connections first, so the timing is the queries'.
            for (int i = 0; i < 1000 && ds.getHikariPoolMXBean().getIdleConnections() < size; i++) Asyncio.sleep(0.01);
            long[] worstGap = {0};
            Task<Void> ticker = Asyncio.createTask(() -> {
                long last = System.nanoTime();
                while (true) {
                    Asyncio.sleep(0.01);
                    long now = System.nanoTime();
                    worstGap[0] = Math.max(worstGap[0], now - last);
                    last = now;
                }
            }, "ticker");
            long t0 = System.nanoTime();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < queries; i++) {
                tasks.add(Asyncio.createTask(() -> {
                    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                        st.execute("SELECT pg_sleep(" + seconds + ")");
                    }
                }, "query-" + i));
            }
            Asyncio.gather(tasks);
            double wall = (System.nanoTime() - t0) / 1e9;
            ticker.cancel();
            double ideal = Math.ceil((double) queries / size) * seconds;
            if (print) System.out.printf("%-10d %7.2f s %7.2f s %11.0f %12d ms%n", size, wall, ideal, queries / wall, worstGap[0] / 1_000_000);
        }
    }

    private static void cutShort(String url) throws Exception {
        try (HikariDataSource ds = pool(url, 1); Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            try {
                Asyncio.timeout(Duration.ofMillis(250),
                        () -> Asyncio.cancellable(st::cancel, () -> st.execute("SELECT pg_sleep(5)")));
            } catch (AsyncTimeoutException e) {
                System.out.printf("timeout(250 ms) around cancellable(stmt::cancel, pg_sleep(5)): AsyncTimeoutException after %.3f s%n",
                        (System.nanoTime() - t0) / 1e9);
            }
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
                System.out.println("the same connection then answers SELECT 1 -> " + rs.getInt(1));
            }
        }
    }
}
