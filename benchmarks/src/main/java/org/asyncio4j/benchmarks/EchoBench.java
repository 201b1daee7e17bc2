package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.asyncio4j.Task;
import org.asyncio4j.streams.StreamReader;
import org.asyncio4j.streams.StreamWriter;

/**
 * Loopback echo round trips per second, with the server and C clients on one event loop: the
 * workload of benchmarks/python/echo_bench.py, line for line.
 *
 * <p>Arguments: {@code --clients C --seconds S --warmup W}. Prints
 * {@code asyncio4j clients=C round_trips_per_s=N}.
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

    /** {@code --clients C --seconds S --warmup W}, shared by both echo benchmarks. */
    record Options(int clients, double seconds, double warmup) {
        static Options parse(String[] args) {
            int clients = 10;
            double seconds = 3, warmup = 1;
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                    case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                    case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(clients, seconds, warmup);
        }
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        Options o = Options.parse(args);
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
