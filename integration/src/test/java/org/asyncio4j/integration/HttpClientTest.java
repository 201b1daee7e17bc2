package org.asyncio4j.integration;

import com.sun.net.httpserver.HttpServer;
import org.asyncio4j.Asyncio;
import org.asyncio4j.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * java.net.http.HttpClient inside tasks of one loop, against a loopback server that answers after
 * one second: {@code send} parks its task (it waits on a CompletableFuture the client's own
 * threads complete), so 100 calls overlap.
 */
class HttpClientTest {
    private static HttpServer server;
    private static ExecutorService serverThreads;
    private static URI slow;
    private static URI fast;

    @BeforeAll
    static void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", ex -> {
            try {
                if (ex.getRequestURI().getPath().equals("/slow")) Thread.sleep(1000);
                byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        serverThreads = Executors.newCachedThreadPool();    // platform threads, off any loop
        server.setExecutor(serverThreads);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        slow = URI.create(base + "/slow");
        fast = URI.create(base + "/fast");
        // Loads and warms the client's code (both configurations used below) with calls the
        // server answers at once, so the figures measure waiting, not class loading and the JIT.
        Asyncio.run(() -> {
            try (HttpClient c = HttpClient.newHttpClient()) { send(c, fast); }
            try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                List<Task<String>> tasks = new ArrayList<>();
                for (int i = 0; i < 200; i++) tasks.add(Asyncio.createTask(() -> send(c, fast)));
                Asyncio.gather(tasks);
            }
        });
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.stop(0);
        if (serverThreads != null) serverThreads.shutdownNow();
    }

    static String send(HttpClient c, URI uri) throws Exception {
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** 100 tasks each sending one request, through one client made in the main task or each through its own. */
    private static Ticker.Figures<List<String>> hundredSends(String name, boolean clientPerTask) {
        return Asyncio.run(() -> Ticker.measure(name, () -> {
            try (HttpClient shared = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                List<Task<String>> tasks = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    tasks.add(Asyncio.createTask(() -> {
                        if (!clientPerTask) return send(shared, slow);
                        try (HttpClient own = HttpClient.newHttpClient()) { return send(own, slow); }
                    }));
                }
                return Asyncio.gather(tasks);
            }
        }));
    }

    private static void assertOverlapped(Ticker.Figures<List<String>> f) {
        assertEquals(100, f.value().size());
        f.value().forEach(v -> assertEquals("ok", v));
        assertTrue(f.wallSeconds() < 3, "100 concurrent one-second calls took " + f.wallSeconds() + " s");
    }

    @Test
    void hundredSends_throughOneSharedClient_endInAboutOneSecond() {
        var f = hundredSends("HttpClient: 100 tasks, one shared client, 1 s server", false);
        assertOverlapped(f);
        assertTrue(f.worstGapMs() <= Ticker.MAX_GAP_MS, "the ticker was late: worst gap " + f.worstGapMs() + " ms");
    }

    /**
     * A client per task still overlaps the calls, but building an HttpClient is CPU work on the
     * loop (a selector, a thread, its SSL context: about 7 ms each while the JIT is cold, under
     * 1 ms warm), and the 100 tasks' first steps run back to back, so the ticker's worst gap here
     * measures client construction (about 700 ms in a fresh JVM). It is printed, not asserted:
     * share one client, as the JDK recommends.
     */
    @Test
    void hundredSends_eachWithItsOwnNewHttpClient_endInAboutOneSecond() {
        var f = hundredSends("HttpClient: 100 tasks, newHttpClient() in each task, 1 s server", true);
        assertOverlapped(f);
    }
}
