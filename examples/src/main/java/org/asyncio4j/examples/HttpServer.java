package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.CancelledException;
import org.asyncio4j.LoopGroup;
import org.asyncio4j.streams.ClientHandler;
import org.asyncio4j.streams.LimitOverrunException;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * A small HTTP/1.1 server with keep-alive: {@code /} is an HTML page, {@code /hello?name=x}
 * a text greeting, {@code /slow} answers after one second without holding up other clients,
 * anything else is a 404. Try {@code curl -v http://127.0.0.1:8080/} or open it in a browser.
 *
 * <p>A client that goes away (resets the connection, stops reading, closes in the middle of a
 * request) is routine for a server: its connection is closed with one debug-level log line
 * (logger {@code org.asyncio4j.examples.HttpServer}). A route that fails is a bug: its
 * exception reaches the loop's exception handler, which logs it with its stack, and only that
 * connection closes. A malformed request gets a 400.
 *
 * <p>Arguments: {@code [port] [--loops N]} (default 8080, one loop). With {@code --loops N} the
 * server runs on a {@link LoopGroup} of N event loops (0: one per core), every loop accepting
 * (SO_REUSEPORT) and each connection served by one loop for its whole life.
 */
public final class HttpServer {
    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());
    private static final Duration IDLE = Duration.ofSeconds(15);   // an idle keep-alive connection ends then
    private static final int MAX_BODY = 1 << 20;
    private static final AtomicInteger served = new AtomicInteger();   // shared by the loops of a LoopGroup

    /** The answer to one request. */
    record Response(int status, String type, byte[] body) {
        static Response html(String html) {
            return new Response(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        }

        static Response text(int status, String text) {
            return new Response(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Answers requests; runs in the connection's task, so it may suspend (sleep, I/O). */
    @FunctionalInterface
    interface Routes {
        Response answer(String method, String path);
    }

    /** The connection handler of a server whose requests {@code routes} answers. */
    static ClientHandler handler(Routes routes) {
        return (reader, writer) -> serve(routes, reader, writer);
    }

    private static void serve(Routes routes, StreamReader reader, StreamWriter writer) {
        try {
            while (exchange(routes, reader, writer)) {
                // the next request on this keep-alive connection
            }
        } catch (IOException gone) {
            // Routes throw no checked exception, so this came from the connection itself: the
            // client reset it, stopped reading (a broken pipe) or closed in mid-request. Not a
            // bug: end the connection quietly. Anything else leaves for the loop to report.
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + writer.remoteAddress() + " went away: " + gone);
        } finally {
            writer.close();
        }
    }

    /** Reads one request and answers it; false when the connection is to end. */
    private static boolean exchange(Routes routes, StreamReader reader, StreamWriter writer) throws IOException {
        String requestLine;
        boolean keepAlive;
        try {
            byte[] first = awaitRequest(reader);
            if (first.length == 0) {
                return false;                         // closed or idle between requests
            }
            requestLine = headLine(first);
            keepAlive = !requestLine.endsWith("HTTP/1.0");
            int contentLength = 0;
            String line;
            while (!(line = headLine(reader.readLine())).isEmpty()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("connection:")) {
                    keepAlive = !lower.contains("close");
                } else if (lower.startsWith("content-length:")) {
                    contentLength = Integer.parseInt(lower.substring(15).strip());
                    if (contentLength < 0 || contentLength > MAX_BODY) {
                        throw new NumberFormatException("Content-Length " + contentLength);
                    }
                }
            }
            if (contentLength > 0) {
                reader.readExactly(contentLength);    // a body we do not use
            }
        } catch (LimitOverrunException | NumberFormatException bad) {
            send(writer, "GET", Response.text(400, "bad request\n"), false);
            return false;
        }
        String[] parts = requestLine.split(" ");
        String method = parts[0];
        Response response = routes.answer(method, parts.length > 1 ? parts[1] : "/");
        send(writer, method, response, keepAlive);
        return keepAlive;
    }

    /** The first line of the next request; empty if the client closed or stayed idle first. */
    private static byte[] awaitRequest(StreamReader reader) throws IOException {
        try {
            return timeout(IDLE, () -> reader.readLine());
        } catch (AsyncTimeoutException idle) {
            return new byte[0];
        } catch (CompletionException wrapped) {
            if (wrapped.getCause() instanceof IOException e) {
                throw e;                              // timeout wraps the checked exceptions of its body
            }
            throw wrapped;
        }
    }

    /** A line of a request's head without its line end; EOF before the line end is an end. */
    private static String headLine(byte[] raw) throws EOFException {
        if (raw.length == 0 || raw[raw.length - 1] != '\n') {
            throw new EOFException("the client closed in the middle of a request");
        }
        return new String(raw, StandardCharsets.ISO_8859_1).strip();
    }

    private static void send(StreamWriter w, String method, Response r, boolean keepAlive) throws IOException {
        String reason = switch (r.status()) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            default -> "";
        };
        String head = "HTTP/1.1 " + r.status() + " " + reason + "\r\n"
                + "Content-Type: " + r.type() + "\r\n"
                + "Content-Length: " + r.body().length + "\r\n"
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n"
                + "Server: asyncio4j-example\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
        if (method.equals("HEAD")) {
            w.write(headBytes);
        } else {
            w.writeLines(List.of(headBytes, r.body()));   // one send for head and body, not two packets
        }
        w.drain();
    }

    /** This example's pages. */
    static Response route(String method, String path) {
        int n = served.incrementAndGet();
        if (path.equals("/")) {
            return Response.html("""
                    <!doctype html>
                    <html><head><title>asyncio4j</title></head>
                    <body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
                    <h1>Hello from asyncio4j</h1>
                    <p>This page was served by a task: a virtual thread carried by one event loop thread.</p>
                    <p>Requests served so far: %d. Server time: %s.</p>
                    <p><a href="/hello?name=you">/hello</a> &middot; <a href="/slow">/slow</a> (one second, without blocking anyone)</p>
                    </body></html>
                    """.formatted(n, ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)));
        } else if (path.startsWith("/hello")) {
            int q = path.indexOf("name=");
            return Response.text(200, "hello, " + (q >= 0 ? path.substring(q + 5) : "world") + "\n");
        } else if (path.equals("/slow")) {
            sleep(1);
            return Response.text(200, "slept one second; the loop served others meanwhile\n");
        }
        return Response.text(404, "not found: " + path + "\n");
    }

    public static void main(String[] args) throws IOException {
        int port = 8080;
        int loops = -1;                               // -1: one loop, Asyncio.run
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--loops") && i + 1 < args.length) {
                loops = Integer.parseInt(args[++i]);
            } else {
                port = Integer.parseInt(args[i]);
            }
        }
        try {
            if (loops < 0) {
                int p = port;
                run(() -> {
                    var server = startServer(handler(HttpServer::route), "127.0.0.1", p);
                    announce(server.port(), 1);
                    try (server) {
                        sleep(Double.POSITIVE_INFINITY);  // until Ctrl-C (see EchoServer for why not serveForever)
                    }
                });
            } else {
                try (var group = LoopGroup.create(loops)) {  // close(): every loop's connections end
                    var server = group.startServer(handler(HttpServer::route), "127.0.0.1", port);
                    announce(server.port(), group.loops().size());
                    group.run(() -> {
                        try (server) {
                            sleep(Double.POSITIVE_INFINITY);
                        }
                    });
                }
            }
        } catch (CancelledException e) {
            System.out.println("HTTP server stopped");
            System.exit(130);
        }
    }

    private static void announce(int port, int loops) {
        System.out.println("HTTP server on http://127.0.0.1:" + port + "/ with " + loops + (loops == 1 ? " loop" : " loops")
                + "  (try: curl -v http://127.0.0.1:" + port + "/)");
    }
}
