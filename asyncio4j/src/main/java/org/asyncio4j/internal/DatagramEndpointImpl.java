package org.asyncio4j.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;

import org.asyncio4j.protocols.Datagram;
import org.asyncio4j.protocols.DatagramEndpoint;
import org.asyncio4j.protocols.DatagramProtocol;
import org.asyncio4j.protocols.DatagramTransport;

/**
 * The task-style UDP endpoint: a {@link DatagramProtocol} that queues what its transport
 * delivers, and the {@link DatagramEndpoint} that tasks receive from.
 *
 * <h2>Implementation overview</h2>
 * Items (a {@link Datagram}, or an {@link IOException} the transport reported) wait in one FIFO
 * deque; receivers wait in a {@link WaiterQueue}. A delivery appends and wakes the first
 * receiver with no token: the woken receiver looks for an item when it runs, and a receiver
 * that finds none (another task took it first) waits again in its place. An item leaves the
 * deque only in the receiver's own code, after its wait has ended, so a receiver cancelled
 * while it waits takes nothing; one woken and then cancelled before it ran passes the wake-up
 * on (the give-back). Bound: at {@value #MAX_ITEMS} items or {@value #MAX_BYTES} bytes the
 * transport stops reading its socket, and reads again once the deque is half empty.
 * Senders that meet a paused transport (its queue above the high-water mark) wait in a second
 * WaiterQueue until {@code resumeWriting}. Loop-confined.
 */
public final class DatagramEndpointImpl implements DatagramEndpoint, DatagramProtocol {
    static final int MAX_ITEMS = 1024;
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private final EventLoopImpl loop;
    private DatagramTransportImpl transport;
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private int itemBytes;
    private boolean readingPaused, writingPaused, closed;
    private final WaiterQueue receivers = new WaiterQueue();
    private final WaiterQueue senders = new WaiterQueue();
    private final Runnable passWakeUp = this::passWakeUp;

    public DatagramEndpointImpl(EventLoopImpl loop) {
        this.loop = loop;
    }

    // ------------------------------------------------------------------ the protocol side

    @Override
    public void connectionMade(DatagramTransport t) {
        transport = (DatagramTransportImpl) t;
    }

    @Override
    public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        enqueue(new Datagram(b, from), b.length);
    }

    @Override
    public void errorReceived(Exception error) {
        enqueue(error instanceof IOException io ? io : new IOException(error.toString(), error), 0);
    }

    private void enqueue(Object item, int bytes) {
        if (closed) {
            return;
        }
        items.addLast(item);
        itemBytes += bytes;
        if (!readingPaused && (items.size() >= MAX_ITEMS || itemBytes >= MAX_BYTES)) {
            readingPaused = true;
            transport.pauseReading();
        }
        receivers.wakeFirst(null);
    }

    @Override
    public void pauseWriting() {
        writingPaused = true;
    }

    @Override
    public void resumeWriting() {
        writingPaused = false;
        senders.wakeAll(null);
    }

    @Override
    public void connectionLost(Exception failure) {
        shut();
    }

    private void shut() {
        if (closed) {
            return;
        }
        closed = true;
        items.clear();
        itemBytes = 0;
        receivers.failAll(new ClosedChannelException());
        senders.failAll(new ClosedChannelException());
    }

    // ------------------------------------------------------------------ the task side

    @Override
    public Datagram receive() throws IOException {
        boolean woken = false;
        for (;;) {
            if (closed) {
                throw new ClosedChannelException();
            }
            Object item = items.pollFirst();
            if (item != null) {
                if (item instanceof Datagram d) {
                    itemBytes -= d.data().length;
                }
                if (readingPaused && items.size() <= MAX_ITEMS / 2 && itemBytes <= MAX_BYTES / 2) {
                    readingPaused = false;
                    transport.resumeReading();
                }
                if (item instanceof IOException e) {
                    throw e;
                }
                return (Datagram) item;
            }
            try {
                if (woken) {
                    receivers.awaitAgain(loop, passWakeUp);
                } else {
                    receivers.await(loop, passWakeUp);
                }
            } catch (java.util.concurrent.CompletionException e) {
                throw FutureImpl.ioCause(e);
            }
            woken = true;
        }
    }

    private void passWakeUp() {
        if (!items.isEmpty()) {
            receivers.wakeFirst(null);
        }
    }

    @Override
    public void send(byte[] data, InetSocketAddress to) throws IOException {
        Objects.requireNonNull(data, "data");
        if (closed || transport.isClosing()) {
            throw new ClosedChannelException();
        }
        transport.sendTo(data, to);
        awaitWritable();
    }

    @Override
    public void send(byte[] data) throws IOException {
        Objects.requireNonNull(data, "data");
        if (closed || transport.isClosing()) {
            throw new ClosedChannelException();
        }
        transport.send(data);
        awaitWritable();
    }

    private void awaitWritable() throws IOException {
        while (writingPaused) {
            if (closed) {
                throw new ClosedChannelException();
            }
            try {
                senders.await(loop, () -> { });
            } catch (java.util.concurrent.CompletionException e) {
                throw FutureImpl.ioCause(e);
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) transport.getExtraInfo("sockname");
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) transport.getExtraInfo("peername");
    }

    @Override
    public boolean isClosed() {
        return closed || transport.isClosing();
    }

    @Override
    public void close() {
        if (transport != null) {
            transport.close();
        }
        shut();
    }

    /** The transport underneath (tests). */
    public DatagramTransportImpl transport() {
        return transport;
    }

    @Override
    public String toString() {
        return "DatagramEndpoint[" + (isClosed() ? "closed" : "open") + " local=" + localAddress()
                + (remoteAddress() != null ? " remote=" + remoteAddress() : "") + " queued=" + items.size()
                + " receivers=" + receivers.size() + "]";
    }
}
