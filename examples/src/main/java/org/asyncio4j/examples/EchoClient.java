package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sends lines to the echo server and prints what comes back.
 *
 * <p>Arguments: {@code [port [line...]]} (default port 8888 and three sample lines).
 */
public final class EchoClient {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        List<String> lines = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("hello", "asyncio4j", "bye");
        run(() -> {
            var conn = openConnection("127.0.0.1", port);
            for (String l : lines) {
                conn.writer().write((l + "\n").getBytes(StandardCharsets.UTF_8));
                conn.writer().drain();
                String back = new String(conn.reader().readLine(), StandardCharsets.UTF_8);
                System.out.print("echoed: " + back);
            }
            conn.writer().close();
            conn.writer().waitClosed();
        });
    }
}
