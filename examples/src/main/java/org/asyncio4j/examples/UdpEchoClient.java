package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.asyncio4j.AsyncTimeoutException;
import org.asyncio4j.protocols.DatagramEndpoint;

/**
 * Sends lines to the UDP echo server and prints what comes back, with the task-style {@link
 * DatagramEndpoint} (Python has only the callback form: this is what its "UDP Echo Client"
 * example becomes when {@code receive()} can simply suspend). UDP may lose a datagram: each
 * reply is awaited for at most a second. The endpoint is connected, so a server that is not
 * there shows up as the OS's "port unreachable", which {@code receive()} throws.
 *
 * <p>Arguments: {@code [port [line...]]} (default port 9999 and three sample lines).
 */
public final class UdpEchoClient {

    /** Sends each line to 127.0.0.1:port and returns the replies (a lost one as "(no reply)", a missing server as "(nothing listens on port N)"); call it from a task. */
    static List<String> exchange(int port, List<String> lines) throws IOException {
        List<String> replies = new ArrayList<>();
        try (DatagramEndpoint ep = openDatagramEndpoint(null, new InetSocketAddress("127.0.0.1", port))) {
            for (String line : lines) {
                ep.send(line.getBytes(StandardCharsets.UTF_8));
                try {
                    replies.add(new String(waitFor(() -> ep.receive(), Duration.ofSeconds(1)).data(), StandardCharsets.UTF_8));
                } catch (AsyncTimeoutException e) {
                    replies.add("(no reply)");
                } catch (CompletionException e) {        // waitFor wraps receive's IOException
                    if (!(e.getCause() instanceof PortUnreachableException)) {
                        throw e;
                    }
                    replies.add("(nothing listens on port " + port + ")");   // the ICMP error, on a connected endpoint
                }
            }
        }
        return replies;
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
        List<String> lines = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("hello", "asyncio4j", "bye");
        run(() -> {
            for (String reply : exchange(port, lines)) {
                System.out.println("echoed: " + reply);
            }
        });
    }
}
