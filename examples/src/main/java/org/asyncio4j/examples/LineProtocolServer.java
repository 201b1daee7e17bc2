package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.asyncio4j.CancelledException;
import org.asyncio4j.protocols.Protocol;
import org.asyncio4j.protocols.Transport;
import org.asyncio4j.streams.Server;

/**
 * A line server written as a {@link Protocol}, the callback style of asyncio: every line a client
 * sends is answered upper-cased, and {@code quit} gets {@code bye} and closes the connection. Its
 * twin {@link LineStreamServer} does the same with streams; both answer the same bytes the same
 * way. Try {@code ./dev example LineProtocolServer} and {@code nc 127.0.0.1 8890}.
 *
 * <p>No task per connection: the loop calls the protocol as bytes arrive, so the protocol keeps
 * its own state (the partial line) between calls, and must never block.
 *
 * <p>Arguments: {@code [port]} (default 8890).
 */
public final class LineProtocolServer {
    /** A line longer than this is refused (as a stream reader's limit would). */
    static final int MAX_LINE = 64 * 1024;

    /** One connection's protocol. */
    static final class LineProtocol implements Protocol {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            System.out.println("connected: " + t.getExtraInfo("peername"));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            while (data.hasRemaining() && !transport.isClosing()) {
                byte b = data.get();
                line.write(b);
                if (b == '\n') {
                    answer(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (line.size() > MAX_LINE) {
                    transport.write("line too long\n".getBytes(StandardCharsets.UTF_8));
                    transport.close();
                }
            }
        }

        private void answer(String text) {
            if (text.strip().equals("quit")) {
                transport.write("bye\n".getBytes(StandardCharsets.UTF_8));
                transport.close();                    // flushes "bye", then connectionLost
            } else {
                transport.write(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void connectionLost(Exception failure) {
            System.out.println("disconnected: " + transport.getExtraInfo("peername")
                    + (failure != null ? " (" + failure.getMessage() + ")" : ""));
        }
    }

    /** Starts the server on the calling task's loop. */
    static Server start(int port) throws Exception {
        return getRunningLoop().createServer(LineProtocol::new, "127.0.0.1", port);
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8890;
        try {
            run(() -> {
                try (Server server = start(port)) {
                    System.out.println("line protocol server on 127.0.0.1:" + server.port() + " (Ctrl-C to stop)");
                    sleep(Double.POSITIVE_INFINITY);
                }
            });
        } catch (CancelledException e) {
            System.out.println("line protocol server stopped");
            System.exit(130);
        }
    }
}
