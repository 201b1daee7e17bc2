package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.asyncio4j.EventLoop;
import org.asyncio4j.Future;
import org.asyncio4j.LoopGroup;
import org.asyncio4j.Task;
import org.asyncio4j.protocols.Protocol;
import org.asyncio4j.protocols.Transport;
import org.asyncio4j.streams.Server;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * Loopback echo round trips per second, with the server and C clients on one event loop: the
 * workload of benchmarks/python/echo_bench.py, line for line.
 *
 * <p>Arguments: {@code --clients C --seconds S --warmup W [--loops N] [--mode streams|protocol]}.
 * Prints {@code asyncio4j clients=C round_trips_per_s=N} ({@code asyncio4j-loopsN ...} on a
 * LoopGroup, {@code asyncio4j-protocol ...} in protocol mode). Protocol mode is uvloop's published
 * workload: {@code loop.createServer} with a {@link Protocol} that writes back what it receives,
 * and each client a protocol too, sending the next message once the echo of the last is in.
 */
public final class EchoBench {
    private static final byte[] MSG = ("x".repeat(63) + "\n").getBytes();

    static void handle(StreamReader r, StreamWriter w) throws Exception {
        try {
            while (true) {
                byte[] data = r.readExactly(MSG.length);
                w.write(data);
                w.drain();
            }
        } catch (java.io.IOException end) {
            // the client left
        } finally {
            w.close();
        }
    }

    static long client(int port, long deadline) throws Exception {
        var c = openConnection("127.0.0.1", port);
        long n = 0;
        while (System.nanoTime() < deadline) {
            c.writer().write(MSG);
            c.writer().drain();
            c.reader().readExactly(MSG.length);
            n++;
        }
        c.writer().close();
        c.writer().waitClosed();
        return n;
    }

    /** Runs C clients until the deadline, concurrently; returns their total round trips. */
    static long round(int clients, double seconds, Client client) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Task<Long>> ts = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ts.add(createTask(() -> client.roundTrips(deadline)));
        }
        long total = 0;
        for (long n : gather(ts)) {
            total += n;
        }
        return total;
    }

    /** One client's loop: round trips until the deadline (System.nanoTime()). */
    interface Client {
        long roundTrips(long deadline) throws Exception;
    }

    /**
     * {@code --clients C --seconds S --warmup W [--loops N] [--mode M]}, shared by the echo
     * benchmarks; loops 0 (the default) is one loop under {@code Asyncio.run}, N a {@code
     * LoopGroup} of N; mode {@code streams} (the default) or {@code protocol}.
     */
    record Options(int clients, double seconds, double warmup, int loops, String mode) {
        static Options parse(String[] args) {
            int clients = 10, loops = 0;
            double seconds = 3, warmup = 1;
            String mode = "streams";
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                    case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                    case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                    case "--loops" -> loops = Integer.parseInt(args[i + 1]);
                    case "--mode" -> mode = args[i + 1];
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (!mode.equals("streams") && !mode.equals("protocol")) {
                throw new IllegalArgumentException("--mode is streams or protocol, not " + mode);
            }
            return new Options(clients, seconds, warmup, loops, mode);
        }
    }

    // ---- protocol mode ---------------------------------------------------------------------

    /** The server: writes back what it receives. */
    static final class EchoProtocol implements Protocol {
        private Transport t;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            t.write(data);
        }
    }

    /** A client: one message in flight; the next goes once the whole echo is in, until the deadline. */
    static final class ClientProtocol implements Protocol {
        private final ByteBuffer msg = ByteBuffer.wrap(MSG);
        private final long deadline;
        final Future<Long> done;
        private Transport t;
        private int pending;
        private long n;

        ClientProtocol(EventLoop loop, long deadline) {
            this.deadline = deadline;
            this.done = loop.createFuture();
        }

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
            send();
        }

        private void send() {
            pending = MSG.length;
            t.write(msg.clear());
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            pending -= data.remaining();
            if (pending > 0) {
                return;
            }
            n++;
            if (System.nanoTime() < deadline) {
                send();
            } else {
                t.close();
            }
        }

        @Override
        public void connectionLost(Exception failure) {
            done.setResult(n);
        }
    }

    static long protocolClient(int port, long deadline) throws Exception {
        EventLoop loop = getRunningLoop();
        var tp = loop.createConnection(() -> new ClientProtocol(loop, deadline), "127.0.0.1", port);
        return tp.protocol().done.await();
    }

    static double protocolMode(Options o) {
        return run(() -> {
            Server server = getRunningLoop().createServer(EchoProtocol::new, "127.0.0.1", 0);
            Client c = deadline -> protocolClient(server.port(), deadline);
            round(o.clients(), o.warmup(), c);
            long t0 = System.nanoTime();
            long total = round(o.clients(), o.seconds(), c);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            server.close();
            server.waitClosed();
            return total / elapsed;
        });
    }

    /**
     * The workload on a LoopGroup of N loops: the server accepts on every loop and the clients
     * are spread over the loops (client i on loop i mod N), so each loop carries its share of
     * both ends, as one loop does in the single-loop run.
     */
    static double onLoopGroup(Options o) throws Exception {
        try (LoopGroup g = LoopGroup.create(o.loops())) {
            Server server = g.startServer(EchoBench::handle, "127.0.0.1", 0);
            double rate = g.run(() -> {
                groupRound(g, server.port(), o.clients(), o.warmup());
                long t0 = System.nanoTime();
                long total = groupRound(g, server.port(), o.clients(), o.seconds());
                return total / ((System.nanoTime() - t0) / 1e9);
            });
            server.close();
            return rate;
        }
    }

    private static long groupRound(LoopGroup g, int port, int clients, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<org.asyncio4j.Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            fs.add(g.submit(() -> client(port, deadline)));
        }
        long total = 0;
        for (var f : fs) {
            total += f.await();
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Options o = Options.parse(args);
        if (o.mode().equals("protocol")) {
            System.out.printf("asyncio4j-protocol clients=%d round_trips_per_s=%.0f%n", o.clients(), protocolMode(o));
            return;
        }
        if (o.loops() > 0) {
            System.out.printf("asyncio4j-loops%d clients=%d round_trips_per_s=%.0f%n", o.loops(), o.clients(), onLoopGroup(o));
            return;
        }
        double rate = run(() -> {
            var server = startServer(EchoBench::handle, "127.0.0.1", 0);
            Client c = deadline -> client(server.port(), deadline);
            round(o.clients(), o.warmup(), c);
            long t0 = System.nanoTime();
            long total = round(o.clients(), o.seconds(), c);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            server.close();
            server.waitClosed();
            return total / elapsed;
        });
        System.out.printf("asyncio4j clients=%d round_trips_per_s=%.0f%n", o.clients(), rate);
    }
}
