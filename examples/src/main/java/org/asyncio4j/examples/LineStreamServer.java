package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.asyncio4j.CancelledException;
import org.asyncio4j.streams.LimitOverrunException;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamOptions;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * The twin of {@link LineProtocolServer}, with streams: a task per connection reads line after
 * line and answers each upper-cased; {@code quit} gets {@code bye} and closes. The code reads top
 * to bottom, the state lives on the task's stack. Try {@code ./dev example LineStreamServer} and
 * {@code nc 127.0.0.1 8891}.
 *
 * <p>Arguments: {@code [port]} (default 8891).
 */
public final class LineStreamServer {

    static void handle(StreamReader reader, StreamWriter writer) throws Exception {
        var peer = writer.remoteAddress();
        System.out.println("connected: " + peer);
        try {
            byte[] line;
            while ((line = reader.readLine()).length > 0 && line[line.length - 1] == '\n') {
                String text = new String(line, StandardCharsets.UTF_8);
                if (text.strip().equals("quit")) {
                    writer.write("bye\n".getBytes(StandardCharsets.UTF_8));
                    break;
                }
                writer.write(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                writer.drain();
            }
        } catch (LimitOverrunException e) {
            writer.write("line too long\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            writer.close();                           // flushes, then closes
            System.out.println("disconnected: " + peer);
        }
    }

    /** Starts the server on the calling task's loop. */
    static Server start(int port) throws Exception {
        return startServer(LineStreamServer::handle, "127.0.0.1", port,
                StreamOptions.defaults().withLimit(LineProtocolServer.MAX_LINE));
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8891;
        try {
            run(() -> {
                try (Server server = start(port)) {
                    System.out.println("line stream server on 127.0.0.1:" + server.port() + " (Ctrl-C to stop)");
                    sleep(Double.POSITIVE_INFINITY);
                }
            });
        } catch (CancelledException e) {
            System.out.println("line stream server stopped");
            System.exit(130);
        }
    }
}
