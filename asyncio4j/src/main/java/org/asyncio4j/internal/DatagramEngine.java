package org.asyncio4j.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import org.asyncio4j.protocols.Datagram;
import org.asyncio4j.protocols.DatagramEndpoint;
import org.asyncio4j.protocols.DatagramOptions;
import org.asyncio4j.protocols.DatagramProtocol;
import org.asyncio4j.protocols.DatagramTransport;
import org.asyncio4j.protocols.TransportAndProtocol;

/**
 * The datagram engine: making UDP endpoints (Python's {@code loop.create_datagram_endpoint}),
 * the task-style {@link DatagramEndpoint}, and {@code loop.sock_recvfrom}/{@code sock_sendto}.
 *
 * <h2>Implementation overview</h2>
 * Creating an endpoint runs in the calling task: unresolved host names are resolved on the
 * default executor (a DNS lookup would block the loop), then every pair of a local and a remote
 * address of one family (a wildcard local address fits either family) is tried in turn, as
 * Python tries each {@code getaddrinfo} combination: open a channel of that family, set the
 * options, bind, connect, switch to non-blocking. The first that works becomes a {@link
 * DatagramTransportImpl}; its {@code connectionMade} runs as a loop callback, and the call
 * returns once it has run. The low-level operations try the socket first and suspend the task
 * on the loop's selector only when it would block.
 */
public final class DatagramEngine {
    private DatagramEngine() {
    }

    private static TaskImpl<?> task(EventLoopImpl loop, String op) {
        TaskImpl<?> t = Structured.task(op);
        if (t.loop != loop) {
            throw new IllegalStateException(op + "() must be called from a task of this loop: " + loop);
        }
        return t;
    }

    /** loop.create_datagram_endpoint(factory, local_addr, remote_addr, reuse_port=..., allow_broadcast=...). */
    public static <P extends DatagramProtocol> TransportAndProtocol<DatagramTransport, P> create(EventLoopImpl loop,
            Supplier<P> factory, InetSocketAddress local, InetSocketAddress remote, DatagramOptions options)
            throws IOException {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        task(loop, "createDatagramEndpoint");
        if (local == null && remote == null) {
            throw new IllegalArgumentException("createDatagramEndpoint needs a local or a remote address (or a channel)");
        }
        DatagramChannel ch = open(local, remote, options);
        return start(loop, factory, ch);
    }

    /** loop.create_datagram_endpoint(factory, sock=channel): the channel is switched to non-blocking and owned. */
    public static <P extends DatagramProtocol> TransportAndProtocol<DatagramTransport, P> create(EventLoopImpl loop,
            Supplier<P> factory, DatagramChannel channel) throws IOException {
        Objects.requireNonNull(factory, "protocolFactory");
        Objects.requireNonNull(channel, "channel");
        task(loop, "createDatagramEndpoint");
        boolean ok = false;
        try {
            channel.configureBlocking(false);
            ok = true;
        } finally {
            if (!ok) {
                channel.close();
            }
        }
        return start(loop, factory, channel);
    }

    /** Asyncio.openDatagramEndpoint: a DatagramEndpoint on the calling task's loop. */
    public static DatagramEndpoint openEndpoint(InetSocketAddress local, InetSocketAddress remote, DatagramOptions options)
            throws IOException {
        Objects.requireNonNull(options, "options");
        TaskImpl<?> t = Structured.task("openDatagramEndpoint");
        EventLoopImpl loop = t.loop;
        return create(loop, () -> new DatagramEndpointImpl(loop), local, remote, options).protocol();
    }

    private static <P extends DatagramProtocol> TransportAndProtocol<DatagramTransport, P> start(EventLoopImpl loop,
            Supplier<P> factory, DatagramChannel ch) throws IOException {
        DatagramTransportImpl t;
        P protocol;
        boolean ok = false;
        try {
            protocol = Objects.requireNonNull(factory.get(), "the protocol factory returned null");
            t = new DatagramTransportImpl(loop, ch, protocol);
            ok = true;
        } finally {
            if (!ok) {
                NetEngine.discard(loop, ch);
            }
        }
        FutureImpl<Void> made = new FutureImpl<>(loop);
        loop.callSoon(() -> {
            t.start();
            if (!made.isDone()) {
                made.complete(null);
            }
        });
        try {
            made.await();
        } catch (Throwable e) {
            t.abort();            // cancelled before connectionMade ran: neither callback runs
            throw e;
        }
        return new TransportAndProtocol<>(t, protocol);
    }

    // ------------------------------------------------------------------ opening a channel

    private static DatagramChannel open(InetSocketAddress local, InetSocketAddress remote, DatagramOptions o)
            throws IOException {
        List<InetSocketAddress> locals = resolve(local), remotes = resolve(remote);
        IOException last = null;
        boolean matched = false;
        for (InetSocketAddress r : remotes) {
            for (InetSocketAddress l : locals) {
                ProtocolFamily family = family(l, r);
                if (family == null) {
                    continue;
                }
                matched = true;
                DatagramChannel ch = DatagramChannel.open(family);
                boolean ok = false;
                try {
                    if (o.reuseAddress()) {
                        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    }
                    if (o.reusePort()) {
                        if (!ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                            throw new IllegalArgumentException("reusePort: SO_REUSEPORT is not supported on this platform");
                        }
                        ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    }
                    if (o.broadcast()) {
                        ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
                    }
                    if (l != null) {
                        ch.bind(l.getAddress().isAnyLocalAddress() ? new InetSocketAddress(wildcard(family), l.getPort()) : l);
                    }
                    if (r != null) {
                        ch.connect(r);
                    }
                    ch.configureBlocking(false);
                    ok = true;
                    return ch;
                } catch (IOException e) {
                    last = e;
                } finally {
                    if (!ok) {
                        ch.close();
                    }
                }
            }
        }
        if (!matched) {
            throw new IllegalArgumentException("no address family fits both the local address " + local
                    + " and the remote address " + remote);
        }
        throw last;
    }

    /** The family of a pair (either may be null); a wildcard local address takes the remote's. */
    private static ProtocolFamily family(InetSocketAddress l, InetSocketAddress r) {
        ProtocolFamily fl = l == null ? null : family(l.getAddress());
        ProtocolFamily fr = r == null ? null : family(r.getAddress());
        if (fl == null) {
            return fr;
        }
        if (fr == null || fl == fr) {
            return fl;
        }
        return l.getAddress().isAnyLocalAddress() ? fr : null;
    }

    private static ProtocolFamily family(InetAddress a) {
        return a instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private static InetAddress wildcard(ProtocolFamily f) throws IOException {
        return InetAddress.getByAddress(new byte[f == StandardProtocolFamily.INET ? 4 : 16]);
    }

    /** The addresses of {@code a}: itself if resolved, its host's addresses (looked up off the loop) if not. */
    private static List<InetSocketAddress> resolve(InetSocketAddress a) throws IOException {
        if (a == null) {
            return Collections.singletonList(null);
        }
        if (!a.isUnresolved()) {
            return List.of(a);
        }
        InetAddress[] all = NetEngine.resolve(a.getHostString());
        List<InetSocketAddress> out = new ArrayList<>(all.length);
        for (InetAddress x : all) {
            out.add(new InetSocketAddress(x, a.getPort()));
        }
        return out;
    }

    // ------------------------------------------------------------------ sock_recvfrom / sock_sendto

    private static void checkNonBlocking(DatagramChannel ch, String op) {
        Objects.requireNonNull(ch, "channel");
        if (ch.isBlocking()) {
            throw new IllegalArgumentException(op + ": the channel must be in non-blocking mode (configureBlocking(false))");
        }
    }

    /** loop.sock_recvfrom(sock, n): one datagram of at most n bytes (the rest of a longer one is dropped). */
    public static Datagram sockRecvfrom(EventLoopImpl loop, DatagramChannel ch, int n) throws IOException {
        checkNonBlocking(ch, "sockRecvfrom");
        if (n < 0) {
            throw new IllegalArgumentException("sockRecvfrom: n must be at least 0, got " + n);
        }
        task(loop, "sockRecvfrom");
        ByteBuffer b = ByteBuffer.allocate(n);
        for (;;) {
            SocketAddress from = ch.receive(b);
            if (from != null) {
                return new Datagram(Arrays.copyOf(b.array(), b.position()), (InetSocketAddress) from);
            }
            loop.awaitReady(ch, SelectionKey.OP_READ);
        }
    }

    /** loop.sock_recvfrom_into(sock, buf): one datagram into dst's remaining space; returns the sender. */
    public static InetSocketAddress sockRecvfromInto(EventLoopImpl loop, DatagramChannel ch, ByteBuffer dst) throws IOException {
        checkNonBlocking(ch, "sockRecvfromInto");
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("sockRecvfromInto: the buffer is read-only");
        }
        task(loop, "sockRecvfromInto");
        for (;;) {
            SocketAddress from = ch.receive(dst);
            if (from != null) {
                return (InetSocketAddress) from;
            }
            loop.awaitReady(ch, SelectionKey.OP_READ);
        }
    }

    /** loop.sock_sendto(sock, data, address): one datagram, the buffer's remaining bytes; returns the count. */
    public static int sockSendto(EventLoopImpl loop, DatagramChannel ch, ByteBuffer data, SocketAddress to) throws IOException {
        checkNonBlocking(ch, "sockSendto");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(to, "address");
        task(loop, "sockSendto");
        int size = data.remaining();
        for (;;) {
            int n = ch.send(data, to);
            if (n > 0 || size == 0) {
                return n;
            }
            loop.awaitReady(ch, SelectionKey.OP_WRITE);
        }
    }
}
