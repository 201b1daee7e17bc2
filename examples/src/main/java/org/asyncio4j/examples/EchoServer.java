package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import org.asyncio4j.CancelledException;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * A line echo server: every line a client sends comes back. Try it with
 * {@code ./dev example EchoServer} and, in another terminal, {@code ./dev example EchoClient}
 * or {@code nc 127.0.0.1 8888}.
 *
 * <p>Ctrl-C stops it cleanly: every open connection is closed (each prints "disconnected"), then
 * the server's last line, and the JVM ends with status 130.
 *
 * <p>Arguments: {@code [port]} (default 8888).
 */
public final class EchoServer {

    static void handle(StreamReader reader, StreamWriter writer) throws Exception {
        var peer = writer.remoteAddress();
        System.out.println("connected: " + peer);
        try {
            byte[] line;
            while ((line = reader.readLine()).length > 0) {
                writer.write(line);
                writer.drain();               // flow control: wait if the client reads slowly
            }
        } finally {
            writer.close();
            System.out.println("disconnected: " + peer);
        }
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        try {
            run(() -> {
                var server = startServer(EchoServer::handle, "127.0.0.1", port);
                System.out.println("echo server on 127.0.0.1:" + server.port() + " (Ctrl-C to stop)");
                // Serve until Ctrl-C cancels this task. Not serveForever(): cancelled, it waits for
                // the clients to leave, as Python's serve_forever does.
                try (server) {
                    sleep(Double.POSITIVE_INFINITY);
                }
            });                                   // run's shutdown cancels each client's task: its finally runs
        } catch (CancelledException e) {
            System.out.println("echo server stopped");
            System.exit(130);                     // what a shell expects after Ctrl-C
        }
    }
}
