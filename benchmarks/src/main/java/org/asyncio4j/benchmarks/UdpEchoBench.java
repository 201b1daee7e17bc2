package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.asyncio4j.EventLoop;
import org.asyncio4j.protocols.DatagramEndpoint;
import org.asyncio4j.protocols.DatagramProtocol;
import org.asyncio4j.protocols.DatagramTransport;

/**
 * Loopback UDP echo datagrams per second, with the server and C clients on one event loop: the
 * workload of benchmarks/python/udp_echo_bench.py, line for line. The server is a {@link
 * DatagramProtocol} that sends each datagram back to its sender; each client is a connected
 * endpoint with one 64-byte datagram in flight: when the echo arrives it counts it and sends
 * the next. {@code --style protocol} (the default) makes the clients protocols too, as the
 * Python twin does; {@code --style endpoint} makes each a task on a {@link DatagramEndpoint}
 * ({@code send}, then {@code receive()} suspends). A watchdog resends for a client whose echo
 * did not come back within 200 ms (UDP may drop one; on loopback it should not).
 *
 * <p>Arguments: {@code --clients C --seconds S --warmup W [--style protocol|endpoint]}. Prints
 * {@code asyncio4j[-endpoint] clients=C datagrams_per_s=N}, N counting the echoes the clients
 * received (each one a round trip, two datagrams on the wire).
 */
public final class UdpEchoBench {
    private static final int SIZE = 64;

    /** Sends every datagram back where it came from. */
    static final class EchoServer implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            transport.sendTo(data, from);
        }
    }

    /** Something the watchdog can count and nudge. */
    interface Counted {
        long count();

        void resend() throws Exception;
    }

    /** A client protocol: one datagram in flight, the next sent when its echo arrives. */
    static final class Client implements DatagramProtocol, Counted {
        private final ByteBuffer out = ByteBuffer.allocate(SIZE);
        private DatagramTransport transport;
        long n;
        boolean stopped;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        void send() {
            out.clear();
            transport.send(out);
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            n++;
            if (!stopped) {
                send();
            }
        }

        @Override
        public long count() {
            return n;
        }

        @Override
        public void resend() {
            send();
        }
    }

    /** A client task on a DatagramEndpoint. */
    static final class EndpointClient implements Counted {
        private final DatagramEndpoint ep;
        private final byte[] msg = new byte[SIZE];
        volatile boolean stopped;
        long n;

        EndpointClient(DatagramEndpoint ep) {
            this.ep = ep;
        }

        void loop() throws Exception {
            try {
                while (!stopped) {
                    ep.send(msg);
                    ep.receive();
                    n++;
                }
            } catch (java.nio.channels.ClosedChannelException closed) {
                // the run is over
            }
        }

        @Override
        public long count() {
            return n;
        }

        @Override
        public void resend() throws Exception {
            ep.send(msg);
        }
    }

    static long total(List<? extends Counted> cs) {
        return cs.stream().mapToLong(Counted::count).sum();
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        String style = "protocol";
        List<String> rest = new ArrayList<>(List.of(args));
        int at = rest.indexOf("--style");
        if (at >= 0 && at + 1 < rest.size()) {
            style = rest.remove(at + 1);
            rest.remove(at);
        }
        if (!style.equals("protocol") && !style.equals("endpoint")) {
            throw new IllegalArgumentException("--style protocol|endpoint, not " + style);
        }
        EchoBench.Options o = EchoBench.Options.parse(rest.toArray(String[]::new));
        int clients = o.clients();
        final int c = clients;
        final double s = o.seconds(), w = o.warmup();
        final boolean endpoints = style.equals("endpoint");
        double rate = run(() -> {
            EventLoop loop = getRunningLoop();
            var server = loop.createDatagramEndpoint(EchoServer::new, new InetSocketAddress("127.0.0.1", 0), null);
            var addr = (InetSocketAddress) server.transport().getExtraInfo("sockname");
            List<Counted> cs = new ArrayList<>();
            List<DatagramTransport> transports = new ArrayList<>();
            List<DatagramEndpoint> eps = new ArrayList<>();
            for (int i = 0; i < c; i++) {
                if (endpoints) {
                    var ep = openDatagramEndpoint(null, addr);
                    eps.add(ep);
                    EndpointClient ec = new EndpointClient(ep);
                    cs.add(ec);
                    createTask(ec::loop);
                } else {
                    var tp = loop.createDatagramEndpoint(Client::new, null, addr);
                    transports.add(tp.transport());
                    cs.add(tp.protocol());
                    tp.protocol().send();
                }
            }
            boolean[] done = {false};
            createTask(() -> {             // the watchdog
                long[] last = new long[c];
                while (!done[0]) {
                    sleep(0.2);
                    for (int i = 0; i < c; i++) {
                        long n = cs.get(i).count();
                        if (n == last[i] && !done[0]) {
                            cs.get(i).resend();
                        }
                        last[i] = n;
                    }
                }
            });
            sleep(w);
            long c0 = total(cs), t0 = System.nanoTime();
            sleep(s);
            long c1 = total(cs), t1 = System.nanoTime();
            done[0] = true;
            for (Counted x : cs) {
                if (x instanceof Client cl) {
                    cl.stopped = true;
                } else {
                    ((EndpointClient) x).stopped = true;
                }
            }
            transports.forEach(DatagramTransport::close);
            eps.forEach(DatagramEndpoint::close);
            server.transport().close();
            return (c1 - c0) / ((t1 - t0) / 1e9);
        });
        System.out.printf("asyncio4j%s clients=%d datagrams_per_s=%.0f%n", endpoints ? "-endpoint" : "", clients, rate);
    }
}
