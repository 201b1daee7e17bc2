package org.asyncio4j.benchmarks;

import static org.asyncio4j.Asyncio.*;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;

import org.asyncio4j.Task;

/**
 * The I/O design that asyncio4j did not choose, measured on EchoBench's workload: blocking JDK
 * socket channels used directly inside tasks. A task that blocks in read() is parked by the
 * JDK, which registers the socket with its own poller threads; readiness then comes back to
 * the loop from those threads through the loop's inbox. Compare with EchoBench (the loop's own
 * selector).
 *
 * <p>Arguments: {@code --clients C --seconds S --warmup W}.
 */
public final class EchoBenchBlocking {
    private static final int SIZE = 64;

    static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        b.clear();
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("eof");
            }
        }
        b.flip();
    }

    static void serve(SocketChannel ch) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        try (ch) {
            while (true) {
                readFully(ch, b);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        } catch (IOException end) {
            // the client left
        }
    }

    static long client(int port, long deadline) throws IOException {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer out = ByteBuffer.allocate(SIZE), in = ByteBuffer.allocate(SIZE);
            long n = 0;
            while (System.nanoTime() < deadline) {
                out.clear();
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                readFully(ch, in);
                n++;
            }
            return n;
        }
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        EchoBench.Options o = EchoBench.Options.parse(args);
        double rate = run(() -> {
            ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1024);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Task<Void> acceptor = createTask(() -> {
                while (true) {
                    SocketChannel ch = server.accept();
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    createTask(() -> serve(ch));
                }
            });
            EchoBench.Client c = deadline -> client(port, deadline);
            EchoBench.round(o.clients(), o.warmup(), c);
            long t0 = System.nanoTime();
            long total = EchoBench.round(o.clients(), o.seconds(), c);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            acceptor.cancel();
            server.close();
            return total / elapsed;
        });
        System.out.printf("blocking-sockets clients=%d round_trips_per_s=%.0f%n", o.clients(), rate);
    }
}
