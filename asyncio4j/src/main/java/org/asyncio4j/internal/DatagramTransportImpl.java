package org.asyncio4j.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.Objects;

import org.asyncio4j.ExceptionContext;
import org.asyncio4j.protocols.DatagramProtocol;
import org.asyncio4j.protocols.DatagramTransport;

/**
 * A UDP endpoint: a non-blocking {@link DatagramChannel} on the loop's selector under a
 * {@link DatagramProtocol} (Python's {@code _SelectorDatagramTransport}).
 *
 * <h2>Implementation overview</h2>
 * <dl>
 *   <dt>Receive</dt>
 *   <dd>A readiness callback ({@link #onReadable}, registered once per readiness with
 *       {@link EventLoopImpl#whenReady}) reads up to {@value #BATCH} datagrams (1 while the peer keeps one in flight) into one reusable
 *       direct buffer of 65,536 bytes (the largest UDP payload is 65,507 bytes over IPv4, 65,527
 *       over IPv6) and hands each to {@code datagramReceived}; the buffer is valid only during
 *       the call. A receive failure ({@code PortUnreachableException} on a connected endpoint
 *       after an ICMP error, say) goes to {@code errorReceived} and the transport stays open.
 *       No allocation per datagram (the JDK caches the sender's address while it repeats).</dd>
 *   <dt>Send</dt>
 *   <dd>With nothing queued, a send goes to the socket at once (no copy, no allocation); what
 *       the socket cannot take is copied into a FIFO queue, flushed in order when the socket is
 *       writable ({@link #onWritable}). The protocol's {@code pauseWriting} is called when the
 *       queued payload rises above the high-water mark (64 KiB), {@code resumeWriting} when it
 *       falls to the low-water mark (16 KiB), as Python's flow control does. A send failure goes
 *       to {@code errorReceived} and the datagram is dropped (UDP is lossy).</dd>
 *   <dt>Close</dt>
 *   <dd>{@code close()} stops reading at once; the queued datagrams are still sent, then
 *       {@code connectionLost(null)} runs as a loop callback, and the channel is closed after
 *       it. {@code abort()} drops the queue. Either way {@code connectionLost} runs once, last.
 *       A channel still open when its loop closes is closed then ({@link
 *       EventLoopImpl#releaseAtClose}).</dd>
 *   <dt>Failures of the protocol</dt>
 *   <dd>A protocol callback that throws goes to the loop's exception handler, and the
 *       transport is aborted: {@code connectionLost} then receives that exception. So does a
 *       channel closed under the transport (its {@code ClosedChannelException}).</dd>
 * </dl>
 * Loop-confined: every method runs on the loop thread.
 *
 * <p>States: open (reading unless paused internally) → closing (close: no more reads or
 * sends; the queue drains) → lost ({@code connectionLost} scheduled; channel closed once it
 * has run). {@code abort()} and a protocol failure go from open or closing to lost at once.
 */
public final class DatagramTransportImpl implements DatagramTransport {
    /** The largest UDP payload over IPv4: 65,535 less the 20-byte IP and 8-byte UDP headers. */
    public static final int MAX_IPV4_PAYLOAD = 65_507;
    /** The largest UDP payload over IPv6 (without jumbograms): 65,535 less the UDP header. */
    public static final int MAX_IPV6_PAYLOAD = 65_527;
    /** At most this many datagrams per readiness event, so one busy socket cannot starve the loop. */
    private static final int BATCH = 32;
    private static final int HIGH_WATER = 64 * 1024, LOW_WATER = 16 * 1024;

    private final EventLoopImpl loop;
    private final DatagramChannel channel;
    private final DatagramProtocol protocol;
    private final InetSocketAddress local, remote;     // local is null for a channel given unbound
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65_536);
    // One-shot readiness entries of the loop's own: queued as they are, no HandleImpl per event.
    private final Runnable reader = new Readiness(true), writer = new Readiness(false);
    private final AutoCloseable atLoopClose = this::closeWithLoop;

    private final class Readiness extends IoPoller.Entry {
        private final boolean read;

        Readiness(boolean read) {
            super(false);
            this.read = read;
        }

        @Override
        void ready() {
            try {
                if (read) {
                    onReadable();
                } else {
                    onWritable();
                }
            } catch (Throwable e) {
                fail(read ? "reading" : "writing", e);
            }
        }
    }

    private record Pending(ByteBuffer data, InetSocketAddress to) {
    }

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int queuedBytes;
    private int readLimit = BATCH;     // datagrams per readiness event: see onReadable
    private boolean started;       // connectionMade was called
    private boolean closing, lost, writingPaused, readingPaused, readArmed, writeArmed;
    private boolean holdSends;     // test seam: the socket takes nothing (see holdSendsForTest)

    /** A transport over a non-blocking channel; call {@link #start()} as a loop callback next. */
    public DatagramTransportImpl(EventLoopImpl loop, DatagramChannel channel, DatagramProtocol protocol) throws IOException {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the datagram channel must be in non-blocking mode");
        }
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        loop.releaseAtClose(atLoopClose);
    }

    /** Calls connectionMade, then starts reading (Python: both as loop callbacks, in that order). */
    public void start() {
        if (lost) {
            return;               // aborted before it started: neither callback runs
        }
        started = true;           // connectionMade is called: connectionLost will follow
        try {
            protocol.connectionMade(this);
        } catch (Throwable e) {
            fail("connectionMade", e);
            return;
        }
        if (!closing) {
            armReader();
        }
    }

    // ------------------------------------------------------------------ receiving

    private void armReader() {
        if (!readArmed && !closing && !readingPaused) {
            readArmed = arm(SelectionKey.OP_READ, reader);
        }
    }

    /** Registers a readiness callback; false (the transport failed) if the channel refuses. */
    private boolean arm(int op, Runnable callback) {
        try {
            loop.whenReady(channel, op, callback);
            return true;
        } catch (IOException e) {
            fail("registering for readiness", e);
            return false;
        }
    }

    /**
     * Reads up to {@code readLimit} datagrams. After an event that found a single datagram and
     * then an empty socket the limit is 1 (the selector is level-triggered: anything that
     * arrived meanwhile is reported at once); an event that reached its limit, or found several,
     * raises it to {@value #BATCH}. So a request/response peer (one datagram in flight) pays the
     * receive that can only fail with EAGAIN on every other datagram instead of every one, and
     * a busy socket is drained in batches (strace of UdpEchoBench, 10 clients: 1.35 receives
     * per datagram against 1.55 with a fixed batch; a fixed limit of 1 costs 0.5 more polls).
     */
    private void onReadable() {
        readArmed = false;
        int limit = readLimit, got = 0;
        boolean empty = false;
        for (; got < limit && !closing && !readingPaused; got++) {
            ByteBuffer b = receiveBuffer;
            b.clear();
            SocketAddress from;
            try {
                from = channel.receive(b);
            } catch (ClosedChannelException e) {
                fail("receive: the channel was closed under the transport", e);
                return;
            } catch (IOException e) {
                if (!errorReceived(e)) {
                    return;
                }
                continue;
            } catch (RuntimeException e) {
                fail("receive", e);
                return;
            }
            if (from == null) {
                empty = true;
                break;
            }
            b.flip();
            try {
                protocol.datagramReceived(b, (InetSocketAddress) from);
            } catch (Throwable e) {
                fail("datagramReceived", e);
                return;
            }
        }
        readLimit = !empty || got > 1 ? BATCH : 1;
        armReader();
    }

    /** Stops reading the socket (the kernel's buffer then holds what arrives): DatagramEndpoint's bound. */
    public void pauseReading() {
        loop.checkThread("pauseReading");
        readingPaused = true;
    }

    /** Reads again after {@link #pauseReading()}. */
    public void resumeReading() {
        loop.checkThread("resumeReading");
        if (readingPaused) {
            readingPaused = false;
            if (started && !lost) {
                armReader();
            }
        }
    }

    /** Whether {@link #pauseReading()} holds (tests). */
    public boolean isReadingPaused() {
        return readingPaused;
    }

    /** Hands a send or receive failure to the protocol; false if the protocol failed on it. */
    private boolean errorReceived(Exception e) {
        try {
            protocol.errorReceived(e);
            return true;
        } catch (Throwable t) {
            fail("errorReceived", t);
            return false;
        }
    }

    // ------------------------------------------------------------------ sending

    @Override
    public void sendTo(ByteBuffer data, InetSocketAddress to) {
        Objects.requireNonNull(data, "data");
        loop.checkThread("sendTo");
        if (closing) {
            throw new IllegalStateException("the datagram transport is closing: " + this);
        }
        InetSocketAddress target;
        if (remote != null) {
            if (to != null && !to.equals(remote)) {
                throw new IllegalArgumentException("the endpoint is connected to " + remote + ": cannot send to " + to);
            }
            target = remote;
        } else {
            if (to == null) {
                throw new IllegalArgumentException("the endpoint is not connected: sendTo needs a destination");
            }
            if (to.isUnresolved()) {
                throw new IllegalArgumentException("unresolved destination " + to + " (resolve it first, e.g. with getaddrinfo)");
            }
            target = to;
        }
        int size = data.remaining();
        int max = target.getAddress() instanceof Inet4Address ? MAX_IPV4_PAYLOAD : MAX_IPV6_PAYLOAD;
        if (size > max) {
            throw new IllegalArgumentException("a datagram of " + size + " bytes is larger than UDP allows to " + target
                    + " (at most " + max + ")");
        }
        if (queue.isEmpty() && !holdSends) {
            try {
                // 0 means the socket is full, or an empty datagram was sent (NIO cannot tell
                // them apart; an empty one is taken as sent).
                if (sendNow(data, target) > 0 || size == 0) {
                    return;
                }
            } catch (ClosedChannelException e) {
                fail("send: the channel was closed under the transport", e);
                return;
            } catch (IOException e) {
                errorReceived(e);
                return;
            }
        }
        ByteBuffer copy = ByteBuffer.allocate(size).put(data).flip();
        queue.addLast(new Pending(copy, target));
        queuedBytes += size;
        armWriter();
        if (!writingPaused && queuedBytes > HIGH_WATER) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (Throwable e) {
                fail("pauseWriting", e);
            }
        }
    }

    private int sendNow(ByteBuffer data, InetSocketAddress target) throws IOException {
        return remote != null ? channel.write(data) : channel.send(data, target);
    }

    @Override
    public void sendTo(byte[] data, InetSocketAddress to) {
        sendTo(ByteBuffer.wrap(Objects.requireNonNull(data, "data")), to);
    }

    @Override
    public void send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (remote == null && !closing) {
            throw new IllegalStateException("send needs a connected endpoint (use sendTo with a destination)");
        }
        sendTo(data, null);
    }

    @Override
    public void send(byte[] data) {
        send(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    private void armWriter() {
        if (!writeArmed && !holdSends && !lost) {
            writeArmed = arm(SelectionKey.OP_WRITE, writer);
        }
    }

    private void onWritable() {
        writeArmed = false;
        if (lost) {
            return;
        }
        Pending p;
        while (!holdSends && (p = queue.peekFirst()) != null) {
            int size = p.data.remaining();
            try {
                if (sendNow(p.data, p.to) == 0 && size > 0) {
                    break;                      // full again: wait for the next readiness
                }
            } catch (ClosedChannelException e) {
                fail("send: the channel was closed under the transport", e);
                return;
            } catch (IOException e) {
                queue.pollFirst();
                queuedBytes -= size;
                if (!errorReceived(e)) {
                    return;
                }
                continue;
            } catch (RuntimeException e) {
                fail("send", e);
                return;
            }
            queue.pollFirst();
            queuedBytes -= size;
        }
        if (writingPaused && queuedBytes <= LOW_WATER) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (Throwable e) {
                fail("resumeWriting", e);
                return;
            }
        }
        if (!queue.isEmpty()) {
            armWriter();
        } else if (closing) {
            lose(null);
        }
    }

    /**
     * Test seam: while held, the socket is treated as full, so every send is queued (loopback
     * UDP never reports a full socket); releasing flushes the queue as a writable socket would.
     */
    public void holdSendsForTest(boolean hold) {
        holdSends = hold;
        if (!hold && !queue.isEmpty() && !lost) {
            loop.callSoon(writer);
        }
    }

    @Override
    public int getWriteBufferSize() {
        return queuedBytes;
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void close() {
        loop.checkThread("close");
        if (closing) {
            return;
        }
        closing = true;
        if (queue.isEmpty()) {
            lose(null);
        }
    }

    @Override
    public void abort() {
        loop.checkThread("abort");
        lose(null);
    }

    /** Reports a protocol or socket failure and aborts with it (Python's _fatal_error). */
    private void fail(String where, Throwable e) {
        loop.callExceptionHandler(new ExceptionContext("Fatal error on datagram transport (" + where + "): " + this, e, null, null));
        lose(e instanceof Exception x ? x : new RuntimeException(e));
    }

    /** Goes to the lost state: nothing more is read or sent; connectionLost runs once, as a callback. */
    private void lose(Exception failure) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        queue.clear();
        queuedBytes = 0;
        loop.callSoon(() -> {
            try {
                if (started) {
                    protocol.connectionLost(failure);
                }
            } catch (Throwable e) {
                loop.callExceptionHandler(new ExceptionContext("Exception in connectionLost of " + protocol, e, null, null));
            } finally {
                loop.forgetAtClose(atLoopClose);
                closeChannel();
            }
        });
    }

    /** The loop closes with the transport still open: the channel is closed, no callback runs any more, a later close is a no-op. */
    private void closeWithLoop() {
        lost = closing = true;
        queue.clear();
        queuedBytes = 0;
        closeChannel();
    }

    private void closeChannel() {
        loop.forget(channel);
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing more to do
        }
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public Object getExtraInfo(String key) {
        return switch (Objects.requireNonNull(key, "key")) {
            case "peername" -> remote;
            case "sockname" -> local != null ? local : boundAddress();
            case "socket" -> channel;
            default -> null;
        };
    }

    /** A channel given unbound is bound by its first send or receive. */
    private InetSocketAddress boundAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** The channel (the owner's, closed with the transport). */
    public DatagramChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        String state = lost ? "closed" : closing ? "closing" : "open";
        return "DatagramTransport[" + state + " local=" + local + (remote != null ? " remote=" + remote : "")
                + (queue.isEmpty() ? "" : " queued=" + queue.size()) + "]";
    }
}
