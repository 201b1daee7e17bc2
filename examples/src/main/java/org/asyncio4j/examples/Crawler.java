package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.asyncio4j.CancelledException;
import org.asyncio4j.Task;
import org.asyncio4j.examples.HttpServer.Response;
import org.asyncio4j.queues.Queue;
import org.asyncio4j.streams.Server;

/**
 * A web crawler with bounded concurrency, asyncio's workers-and-a-queue pattern: N worker tasks
 * {@code get()} URLs from a {@link Queue}, fetch each with {@code java.net.http.HttpClient}'s
 * blocking {@code send} (inside a task it parks only that task), {@code put} the same-site links
 * nobody has seen yet, and call {@code taskDone()}. The main task {@code join()}s the queue,
 * which returns once every URL put has been done, then cancels the idle workers; all of it inside
 * a {@code TaskGroup}. No locks: the seen-set and the counters are plain fields, touched only by
 * tasks of one loop. A failed fetch (an I/O error, a status other than 200) prints one line and
 * the crawl goes on.
 *
 * <p>The site is its own, served on a free loopback port by asyncio4j on the same loop
 * ({@link HttpServer}'s HTTP/1.1 handler under {@code startServer}): page {@code i} of {@code P}
 * links to pages {@code 2i+1}, {@code 2i+2}, {@code (7i+3) mod P} and {@code (i+1) mod P} (that
 * one with a fragment, which the crawler drops), so every page is reachable from page 0, plus one off-site link the crawler
 * skips; page 0 also links to a missing page (a 404). Every answer comes after a fixed delay, so
 * the crawl's wall time shows how many fetches overlapped. The clock starts after one warm-up
 * request, so the wall time is the crawl's and not the JDK loading its HTTP client.
 *
 * <p>Prints the pages fetched, the links seen, the wall time, the sequential estimate (requests
 * &times; delay) and the most requests in flight at once.
 *
 * <p>Arguments: {@code [workers [pages [delay-ms]]]} (default 8 workers, 200 pages, 50 ms: under
 * 2 s instead of 10 s one after the other). Try {@code ./dev example Crawler 1} to see the
 * sequential crawl, {@code ./dev example Crawler 50} for more overlap.
 */
public final class Crawler {
    private static final Pattern HREF = Pattern.compile("href=\"([^\"]*)\"");

    /** What a crawl did. {@code hits} counts the site's requests by path. */
    record Report(int fetched, int failed, int links, int distinct, int offSite, int maxInFlight,
                  Duration wall, Map<String, Integer> hits) {
    }

    private final HttpClient http;
    private final URI root;
    private final Queue<URI> queue = new Queue<>();
    private final Set<URI> seen = new HashSet<>();
    private int fetched, failed, links, offSite, inFlight, maxInFlight;

    private Crawler(HttpClient http, URI root) {
        this.http = http;
        this.root = root;
    }

    /**
     * Serves a site of {@code pages} pages, each answering after {@code delay}, and crawls it
     * from page 0 with {@code workers} workers. Call it in a task.
     */
    static Report crawl(int workers, int pages, Duration delay) throws IOException, InterruptedException {
        Map<String, Integer> hits = new HashMap<>();
        Server server = startServer(HttpServer.handler((method, path) -> {
            hits.merge(path, 1, Integer::sum);
            sleep(delay);
            return page(path, pages);
        }), "127.0.0.1", 0);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            URI site = URI.create("http://127.0.0.1:" + server.port() + "/");
            // One request before the clock starts: the wall time is the crawl's, not the JDK
            // loading its HTTP client (about 0.3 s in a cold JVM). "/" is not a page: a 404.
            http.send(HttpRequest.newBuilder(site).build(), HttpResponse.BodyHandlers.discarding());
            Crawler c = new Crawler(http, site.resolve("/page/0"));
            long start = System.nanoTime();
            c.crawlWith(workers);
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            return new Report(c.fetched, c.failed, c.links, c.seen.size(), c.offSite, c.maxInFlight, wall, hits);
        } finally {
            server.close();
        }
    }

    private void crawlWith(int workers) {
        taskGroup(tg -> {
            List<Task<Void>> crew = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                crew.add(tg.createTask(this::work, "worker-" + i));
            }
            seen.add(root);
            queue.put(root);
            queue.join();                             // every URL put has been fetched
            crew.forEach(Task::cancel);               // each now waits in get(): nothing is lost
            return null;
        });
    }

    private void work() throws InterruptedException {
        while (true) {
            URI url = queue.get();
            try {
                fetch(url);
            } catch (IOException e) {
                failed++;
                System.out.println("failed: " + url + ": " + e);
            } finally {
                queue.taskDone();
            }
        }
    }

    private void fetch(URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());   // parks this task only
        } finally {
            inFlight--;
        }
        if (response.statusCode() != 200) {
            failed++;
            System.out.println("failed: " + url + ": HTTP " + response.statusCode());
            return;
        }
        fetched++;
        for (Matcher m = HREF.matcher(response.body()); m.find(); ) {
            links++;
            URI link;
            try {
                link = withoutFragment(url.resolve(m.group(1)).normalize());
            } catch (IllegalArgumentException malformed) {
                continue;
            }
            if (!root.getScheme().equals(link.getScheme()) || !root.getAuthority().equals(link.getAuthority())) {
                offSite++;
            } else if (seen.add(link)) {
                queue.put(link);                      // unbounded: never suspends
            }
        }
    }

    private static URI withoutFragment(URI u) {
        String s = u.toString();
        int hash = s.indexOf('#');
        return hash < 0 ? u : URI.create(s.substring(0, hash));
    }

    /** The site: {@code /page/0} to {@code /page/(pages-1)}, anything else a 404. */
    private static Response page(String path, int pages) {
        int i;
        try {
            i = path.startsWith("/page/") ? Integer.parseInt(path.substring(6)) : -1;
        } catch (NumberFormatException notAPage) {
            i = -1;
        }
        if (i < 0 || i >= pages) {
            return Response.text(404, "no such page: " + path + "\n");
        }
        StringBuilder html = new StringBuilder("<!doctype html>\n<html><head><title>page " + i
                + "</title></head><body>\n<h1>Page " + i + " of " + pages + "</h1>\n<ul>\n");
        for (long to : new long[] {2L * i + 1, 2L * i + 2, (7L * i + 3) % pages}) {
            if (to < pages) {
                html.append("<li><a href=\"/page/").append(to).append("\">page ").append(to).append("</a></li>\n");
            }
        }
        html.append("<li><a href=\"/page/").append((i + 1) % pages).append("#top\">next</a></li>\n");
        html.append("<li><a href=\"https://docs.python.org/3/library/asyncio-queue.html\">asyncio.Queue</a></li>\n");
        if (i == 0) {
            html.append("<li><a href=\"/missing\">a broken link</a></li>\n");
        }
        return Response.html(html.append("</ul>\n</body></html>\n").toString());
    }

    public static void main(String[] args) {
        int workers, pages, delayMs;
        try {
            workers = args.length > 0 ? Integer.parseInt(args[0]) : 8;
            pages = args.length > 1 ? Integer.parseInt(args[1]) : 200;
            delayMs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        } catch (NumberFormatException e) {
            workers = pages = delayMs = 0;
        }
        if (workers < 1 || pages < 1 || delayMs < 0) {
            System.err.println("usage: ./dev example Crawler [workers [pages [delay-ms]]]   (default 8 200 50)");
            System.exit(2);
        }
        int w = workers, p = pages;
        Duration delay = Duration.ofMillis(delayMs);
        System.out.println("crawling a site of " + p + " pages, each answered after " + delayMs
                + " ms; workers: " + w + " (site and crawler on one asyncio4j loop)");
        Report r;
        try {
            r = run(() -> crawl(w, p, delay));
        } catch (CancelledException e) {          // Ctrl-C: the crawl's tasks and its site have ended
            System.out.println("crawl interrupted");
            System.exit(130);
            return;
        }
        int requests = r.fetched() + r.failed();
        System.out.printf("pages fetched:        %d (failed: %d)%n", r.fetched(), r.failed());
        System.out.printf("links seen:           %d (distinct same-site URLs: %d, off-site skipped: %d)%n",
                r.links(), r.distinct(), r.offSite());
        System.out.printf("wall time:            %.2f s%n", r.wall().toNanos() / 1e9);
        System.out.printf("sequential estimate:  %.2f s (%d requests x %d ms)%n", requests * delayMs / 1e3, requests, delayMs);
        System.out.printf("max concurrency:      %d (requests in flight at once; workers: %d)%n", r.maxInFlight(), w);
    }
}
