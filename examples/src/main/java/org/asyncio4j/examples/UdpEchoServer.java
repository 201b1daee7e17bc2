package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.asyncio4j.CancelledException;
import org.asyncio4j.protocols.DatagramProtocol;
import org.asyncio4j.protocols.DatagramTransport;
import org.asyncio4j.protocols.TransportAndProtocol;

/**
 * A UDP echo server written as a {@link DatagramProtocol}, the port of the "UDP Echo Server"
 * example of Python's asyncio documentation: every datagram goes back to its sender. Try it
 * with {@code ./dev example UdpEchoServer} and, in another terminal, {@code ./dev example
 * UdpEchoClient} or {@code nc -u 127.0.0.1 9999}.
 *
 * <p>Ctrl-C stops it (status 130). Arguments: {@code [port]} (default 9999).
 */
public final class UdpEchoServer {

    /** The protocol: callbacks on the loop, one at a time; the buffer is valid only during the call. */
    static final class EchoProtocol implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport transport) {
            this.transport = transport;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            String text = StandardCharsets.UTF_8.decode(data.duplicate()).toString();
            System.out.println("received " + text.strip() + " from " + from + ", sending it back");
            transport.sendTo(data, from);         // sent at once, or copied into the send queue
        }

        @Override
        public void errorReceived(Exception error) {
            System.out.println("error: " + error);
        }
    }

    /** Starts the server on 127.0.0.1:port (0: any free port); call it from a task. */
    static TransportAndProtocol<DatagramTransport, EchoProtocol> start(int port) throws IOException {
        return getRunningLoop().createDatagramEndpoint(EchoProtocol::new, new InetSocketAddress("127.0.0.1", port), null);
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
        try {
            run(() -> {
                var server = start(port);
                System.out.println("UDP echo server on " + server.transport().getExtraInfo("sockname") + " (Ctrl-C to stop)");
                try {
                    sleep(Double.POSITIVE_INFINITY);  // serve until Ctrl-C cancels this task
                } finally {
                    server.transport().close();
                }
            });
        } catch (CancelledException e) {
            System.out.println("UDP echo server stopped");
            System.exit(130);
        }
    }
}
