package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.streams.IncompleteReadException;
import org.asyncio4j.streams.LimitOverrunException;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * A small HTTP/1.1 server with keep-alive: {@code /} is an HTML page, {@code /hello?name=x}
 * a text greeting, {@code /slow} answers after one second without holding up other clients,
 * anything else is a 404. Try {@code curl -v http://127.0.0.1:8080/} or open it in a browser.
 *
 * <p>Arguments: {@code [port]} (default 8080).
 */
public final class HttpServer {
    private static int served;

    static void handle(StreamReader reader, StreamWriter writer) throws IOException {
        try {
            while (true) {
                String requestLine;
                try {
                    // an idle keep-alive connection is closed after 15 s
                    byte[] raw = timeout(Duration.ofSeconds(15), () -> reader.readLine());
                    if (raw.length == 0) {
                        return;                              // the client closed
                    }
                    requestLine = new String(raw, StandardCharsets.ISO_8859_1).strip();
                } catch (AsyncTimeoutException idle) {
                    return;
                }
                boolean keepAlive = !requestLine.endsWith("HTTP/1.0");
                int contentLength = 0;
                String line;
                while (!(line = new String(reader.readLine(), StandardCharsets.ISO_8859_1).strip()).isEmpty()) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("connection:")) {
                        keepAlive = !lower.contains("close");
                    } else if (lower.startsWith("content-length:")) {
                        contentLength = Integer.parseInt(lower.substring(15).strip());
                    }
                }
                if (contentLength > 0) {
                    reader.readExactly(contentLength);        // a body we do not use
                }
                String[] parts = requestLine.split(" ");
                String path = parts.length > 1 ? parts[1] : "/";
                respond(writer, parts[0], path, keepAlive);
                if (!keepAlive) {
                    return;
                }
            }
        } catch (LimitOverrunException | IncompleteReadException | NumberFormatException bad) {
            writer.write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        } finally {
            writer.close();
        }
    }

    private static void respond(StreamWriter w, String method, String path, boolean keepAlive) throws IOException {
        served++;
        int status = 200;
        String type = "text/html; charset=utf-8";
        String body;
        if (path.equals("/")) {
            body = """
                    <!doctype html>
                    <html><head><title>asyncio4j</title></head>
                    <body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
                    <h1>Hello from asyncio4j</h1>
                    <p>This page was served by a task: a virtual thread carried by one event loop thread.</p>
                    <p>Requests served so far: %d. Server time: %s.</p>
                    <p><a href="/hello?name=you">/hello</a> &middot; <a href="/slow">/slow</a> (one second, without blocking anyone)</p>
                    </body></html>
                    """.formatted(served, ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        } else if (path.startsWith("/hello")) {
            int q = path.indexOf("name=");
            body = "hello, " + (q >= 0 ? path.substring(q + 5) : "world") + "\n";
            type = "text/plain; charset=utf-8";
        } else if (path.equals("/slow")) {
            sleep(1);
            body = "slept one second; the loop served others meanwhile\n";
            type = "text/plain; charset=utf-8";
        } else {
            status = 404;
            body = "not found: " + path + "\n";
            type = "text/plain; charset=utf-8";
        }
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n"
                + "Server: asyncio4j-example\r\n\r\n";
        w.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            w.write(content);
        }
        w.drain();
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        run(() -> {
            var server = startServer(HttpServer::handle, "127.0.0.1", port);
            System.out.println("HTTP server on http://127.0.0.1:" + server.port() + "/  (try: curl -v http://127.0.0.1:" + server.port() + "/)");
            server.serveForever();
        });
    }
}
